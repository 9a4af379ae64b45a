"""The QĐ 766 digitisation indicators count what the counter recorded (issue 13 item 3):
dossiers built through the services, the expected numerators and denominators counted by
hand below."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import Settings

from motcua.archive.models import DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import PartFile, PartInput, dossier_finish, dossier_receive
from motcua.reports.indicators import indicators_for_year
from tests.world import World

from .conftest import citizen_applicant, to_signing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_dir(settings: Settings, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def scan() -> PartFile:
    return PartFile(SimpleUploadedFile("s.pdf", b"%PDF-1.4 scan"), "application/pdf")


def receive(world: World, *parts: PartInput) -> Dossier:
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        parts=parts,
    )


def finish(world: World, dossier: Dossier, *, electronic: bool) -> None:
    to_signing(world, dossier)
    dossier.refresh_from_db()
    dossier_finish(
        dossier=dossier,
        actor=world.leader,
        result_file=SimpleUploadedFile("kq.pdf", b"%PDF-1.4 result") if electronic else None,
    )


def rate(result: dict[str, Any], code: str) -> dict[str, Any]:
    for group in result["qd766"]["groups"]:
        for item in group["indicators"]:
            if item["code"] == code:
                return dict(item)
    raise KeyError(code)


def test_digitised_and_reused_dossiers_are_counted(
    world: World, traveller: time_machine.Traveller
) -> None:
    earlier = document_store(
        content=SimpleUploadedFile("old.pdf", b"%PDF-1.4 old result"),
        content_type="application/pdf",
        meta=DocumentMeta(
            name="Kết quả cũ",
            kind=DocumentKind.RESULT,
            origin=Origin.ISSUED,
            holder_id_number=citizen_applicant().id_number,
        ),
    )
    # The procedure says its result is electronic; only the stored result document counts.
    world.procedure.electronic_result = True
    world.procedure.save(update_fields=["electronic_result"])
    paper = "Máy quét hỏng"
    # 1. every part scanned or reused, electronic result: digitised, reused.
    one = receive(
        world,
        PartInput(name="Tờ khai", files=[scan()]),
        PartInput(name="Kết quả cũ", reuse_of=earlier),
    )
    finish(world, one, electronic=True)
    # 2. a part kept on paper, electronic result: not digitised.
    two = receive(
        world,
        PartInput(name="Tờ khai", files=[scan()]),
        PartInput(name="Bản vẽ", not_digitised_reason=paper),
    )
    finish(world, two, electronic=True)
    # 3. scanned, but the result is on paper only: not digitised.
    three = receive(world, PartInput(name="Tờ khai", files=[scan()]))
    finish(world, three, electronic=False)
    # 4. received, not resolved, one part reused: counts for reuse only.
    receive(world, PartInput(name="Kết quả cũ", reuse_of=earlier))
    # 5. received on paper, not resolved.
    receive(world, PartInput(name="Tờ khai", not_digitised_reason=paper))

    result = indicators_for_year(year=2026, date_to=dt.date(2026, 12, 31))
    digitised = rate(result, "digitisation.digitised")
    # Resolved: 1, 2, 3; digitised: 1 only.
    assert (digitised["numerator"], digitised["denominator"]) == (1, 3)
    assert digitised["rate"] == 33.33 and "note" not in digitised
    electronic = rate(result, "digitisation.electronic_result")
    # Resolved: 1, 2, 3; with the result stored as a document: 1 and 2 (3's is on paper).
    assert (electronic["numerator"], electronic["denominator"]) == (2, 3)
    assert electronic["rate"] == 66.67
    reused = rate(result, "digitisation.reused")
    # Received: 1–5; with a reused part: 1 and 4.
    assert (reused["numerator"], reused["denominator"]) == (2, 5)
