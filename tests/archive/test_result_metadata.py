"""A result's metadata as stored (domain.md §10): its code (ND 118/2025 Điều 22.4), its
validity from the procedure version, and the holder's store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.archive.models import Document
from motcua.archive.queries import result_document, store_documents_for
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_export, catalog_import
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_finish, dossier_receive
from motcua.dossiers.services.ends import validity_end
from tests.dossiers.conftest import citizen_applicant, to_signing
from tests.world import MONDAY, World, local

RESULT = b"%PDF-1.4 phieu ly lich tu phap"


def _finished(world: World, *, owner: User | None = None) -> Document:
    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossier: Dossier = dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(id_number="066090001234"),
            actor=world.clerk,
            receiving_unit=world.center,
            owner=owner,
        )
        dossier_finish(
            dossier=to_signing(world, dossier),
            actor=world.leader,
            result_file=SimpleUploadedFile("ket-qua.pdf", RESULT),
        )
    document = result_document(dossier)
    assert document is not None
    return document


@pytest.mark.parametrize(
    ("issued", "months", "until"),
    [
        (dt.date(2026, 10, 5), 6, dt.date(2027, 4, 5)),
        (dt.date(2026, 8, 31), 1, dt.date(2026, 9, 30)),  # no 31 September
        (dt.date(2027, 12, 31), 2, dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2026, 10, 5), 24, dt.date(2028, 10, 5)),
        (dt.date(2026, 10, 5), None, None),  # no limit
    ],
)
def test_validity_ends_on_the_same_day_of_the_last_month(
    issued: dt.date, months: int | None, until: dt.date | None
) -> None:
    assert validity_end(issued, months) == until


@pytest.mark.django_db
def test_result_has_its_code_and_the_validity_of_its_procedure_version(
    world: World, media: Path
) -> None:
    ProcedureVersion.objects.filter(pk=world.procedure.pk).update(result_validity_months=6)

    document = _finished(world)

    assert document.code == "066090001234.1.001234"  # holder's ID + result-type code
    assert document.type_code == "1.001234"
    assert document.holder_id_number == "066090001234"
    assert document.issued_on == document.valid_from == dt.date(2026, 10, 5)
    assert document.valid_until == dt.date(2027, 4, 5)


@pytest.mark.django_db
def test_result_without_a_validity_has_no_end(world: World, media: Path) -> None:
    document = _finished(world)
    assert document.valid_until is None


@pytest.mark.django_db
def test_result_goes_to_the_owner_store_only(world: World, media: Path) -> None:
    owned = _finished(world, owner=world.citizen)
    assert list(store_documents_for(world.citizen)) == [owned]
    assert owned.owner == world.citizen and owned.in_store

    # A dossier received for the same holder without an account: only the dossier's record.
    unowned = _finished(world)
    assert unowned.owner is None and not unowned.in_store
    assert list(store_documents_for(world.citizen)) == [owned]


@pytest.mark.django_db
def test_a_new_catalogue_version_keeps_the_result_validity(world: World) -> None:
    ProcedureVersion.objects.filter(pk=world.procedure.pk).update(result_validity_months=6)
    document = catalog_export()
    entry = next(p for p in document["procedures"] if p["code"] == "1.001234")
    entry["duration"] = 5  # a changed procedure: a new version

    catalog_import(document, actor="test")

    newest = ProcedureVersion.objects.filter(procedure__code="1.001234").order_by("-number")[0]
    assert newest.pk != world.procedure.pk and newest.duration == 5
    assert newest.result_validity_months == 6
