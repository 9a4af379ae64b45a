"""Official forms issued for a dossier are kept as documents: the first print of a form in a
format, through the staff page or the API, once."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from motcua.api.tokens import api_token_create
from motcua.archive.models import Document
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from tests.dossiers.conftest import citizen_applicant
from tests.world import MONDAY, World, local


@pytest.fixture
def received(world: World, media: Path) -> Dossier:
    with time_machine.travel(local(MONDAY, 9), tick=False):
        return dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
        )


def _print(client: Client, dossier: Dossier, form: str, fmt: str = "pdf") -> bytes:
    query = "?fmt=docx" if fmt == "docx" else ""
    response = client.get(f"/can-bo/ho-so/{dossier.code}/mau-{form}/{query}")
    assert response.status_code == 200, response.content[:300]
    return response.content


@pytest.mark.django_db
def test_receipt_printed_at_the_counter_is_kept_once_per_format(
    world: World, received: Dossier, media: Path
) -> None:
    client = Client()
    client.force_login(world.clerk)

    first = _print(client, received, "01")
    _print(client, received, "01")  # a reprint: new bytes, not kept again

    kept = Document.objects.get(dossier=received, kind="form")
    assert kept.origin == "issued"
    assert kept.type_code == "mau-01"
    assert kept.name == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    assert kept.sha256 == hashlib.sha256(first).hexdigest()
    assert kept.file.name is not None
    assert (media / kept.file.name).read_bytes() == first  # the bytes handed out
    assert kept.holder_id_number == "066090001234"
    assert kept.issuer == world.center.name  # the receipt is the one-stop unit's
    assert kept.content_type == "application/pdf" and kept.file.name.endswith(".pdf")
    assert kept.created_by == world.clerk

    docx = _print(client, received, "01", "docx")
    _print(client, received, "06")
    forms = Document.objects.filter(dossier=received, kind="form").order_by("id")
    assert [(d.type_code, d.content_type.rsplit(".", 1)[-1]) for d in forms] == [
        ("mau-01", "application/pdf"),
        ("mau-01", "document"),
        ("mau-06", "application/pdf"),
    ]
    assert forms[1].sha256 == hashlib.sha256(docx).hexdigest()
    assert AuditEvent.objects.filter(action="document.form_issued").count() == 3


@pytest.mark.django_db
def test_form_fetched_through_the_api_is_kept_and_the_page_does_not_keep_it_again(
    world: World, received: Dossier
) -> None:
    token = api_token_create(user=world.clerk, name="Bưu điện tỉnh", actor="test")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    response = api.get(f"/api/dossiers/{received.code}/forms/01.pdf")
    assert response.status_code == 200
    assert api.get(f"/api/dossiers/{received.code}/forms/07.pdf").status_code == 200

    client = Client()
    client.force_login(world.clerk)
    _print(client, received, "01")

    kept = Document.objects.get(dossier=received, kind="form")  # 07, the register: not kept
    assert kept.sha256 == hashlib.sha256(response.content).hexdigest()


@pytest.mark.django_db
def test_another_agency_gets_404_and_nothing_is_kept(world: World, received: Dossier) -> None:
    client = Client()
    client.force_login(world.outsider)
    response = client.get(f"/can-bo/ho-so/{received.code}/mau-01/")
    assert response.status_code == 404
    assert not Document.objects.filter(kind="form").exists()
