"""The staff application in English (language switch): no Vietnamese left in its own text,
and the same words translated by their role (a menu entry, a dossier event, an audit action)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from motcua.dossiers.models import DossierEvent, EventType

from .conftest import World, login

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def test_dossier_page_in_english(world: World) -> None:
    dossier = world.dossier()
    DossierEvent.objects.create(
        dossier=dossier,
        type=EventType.RESULT_DELIVERED,
        at=timezone.now(),
        actor=world.manager,
        actor_label="manager",
    )
    html = english(login(Client(), world.manager)).get(f"/can-bo/ho-so/{dossier.code}/")
    page = html.content.decode()
    assert f"Dossier {dossier.code}" in page
    assert "Result delivered</strong>" in page  # the event
    assert ">Return results</a>" in page  # the menu entry, same Vietnamese words
    assert "Hồ sơ " + dossier.code not in page


def test_inbox_audit_and_errors_in_english(world: World) -> None:
    world.dossier()
    client = english(login(Client(), world.auditor))
    inbox = client.get("/can-bo/").content.decode()
    assert ">In progress" in inbox and "Đang giải quyết" not in inbox
    login(Client(), world.leader).get(f"/can-bo/ho-so/{world.dossier().code}/")
    audit = client.get("/can-bo/nhat-ky/").content.decode()
    assert "Viewed dossier" in audit and "Xem hồ sơ" not in audit
    missing = client.get("/can-bo/khong-co/").content.decode()
    assert '<html lang="en">' in missing
    assert "Không tìm thấy" not in missing
