"""A change that rolls back leaves no file behind; a change that commits keeps its files."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from pytest_django import Settings

from motcua.archive.files import atomic_with_files
from motcua.archive.queries import result_document
from motcua.dossiers.models import Dossier, DossierPart, Status
from motcua.dossiers.services import (
    PartInput,
    TransitionError,
    dossier_finish,
    dossier_handover,
    dossier_receive,
    dossier_receive_supplement,
    dossier_request_supplement,
)
from tests.dossiers.conftest import citizen_applicant, to_signing
from tests.world import World

PDF = b"%PDF-1.4 ban chup"


def result_name(dossier: Dossier) -> str:
    document = result_document(dossier)
    assert document is not None
    assert document.file.name is not None
    return document.file.name


def files_in(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def scan(name: str = "cccd.pdf") -> PartInput:
    return PartInput(
        name="Bản chụp CCCD", file=SimpleUploadedFile(name, PDF), content_type="application/pdf"
    )


def test_receipt_refused_after_a_part_was_written_leaves_no_file(
    world: World, traveller: time_machine.Traveller, media: Path
) -> None:
    with pytest.raises(TransitionError, match="phải có tên"):
        dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
            parts=[scan(), PartInput(name="  ")],
        )
    assert not Dossier.objects.exists()
    assert files_in(media) == []


def test_refused_supplement_keeps_the_committed_files_and_only_them(
    world: World, traveller: time_machine.Traveller, media: Path
) -> None:
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        parts=[scan()],
    )
    dossier_handover(dossier=dossier, actor=world.clerk)
    kept = files_in(media)
    assert len(kept) == 1
    dossier_request_supplement(
        dossier=dossier, actor=world.specialist, items=["Tờ khai"], reason="Thiếu tờ khai"
    )
    with pytest.raises(TransitionError, match="Số lượng bản"):
        dossier_receive_supplement(
            dossier=dossier,
            actor=world.clerk,
            parts=[scan("to-khai.pdf"), PartInput(name="Tờ khai", copies=0)],
        )
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert DossierPart.objects.filter(dossier=dossier).count() == 1
    assert files_in(media) == kept
    with DossierPart.objects.get(dossier=dossier).documents.get().file.open("rb") as stored:
        assert stored.read() == PDF


def test_result_file_goes_with_a_caller_block_that_fails(
    world: World, appraised: Dossier, media: Path
) -> None:
    """A caller that wraps the service in its own block (the portal does) undoes both."""
    with pytest.raises(RuntimeError), atomic_with_files():
        dossier_finish(
            dossier=to_signing(world, appraised),
            actor=world.leader,
            result_file=SimpleUploadedFile("kq.pdf", PDF),
        )
        assert len(files_in(media)) == 1  # readable inside the transaction
        raise RuntimeError("the caller's next step failed")
    appraised.refresh_from_db()
    assert appraised.status == Status.PROCESSING and result_document(appraised) is None
    assert files_in(media) == []


@pytest.mark.django_db(transaction=True)
def test_outermost_rollback_without_an_exception_removes_the_file(
    world: World, traveller: time_machine.Traveller, media: Path
) -> None:
    """``set_rollback`` (no exception passes through) and a real commit, on a real
    transaction rather than the test's savepoint."""
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    dossier_handover(dossier=dossier, actor=world.clerk)
    dossier_handover(dossier=dossier, actor=world.specialist)  # to the signing step
    with atomic_with_files():
        dossier_finish(
            dossier=dossier, actor=world.leader, result_file=SimpleUploadedFile("kq.pdf", PDF)
        )
        transaction.set_rollback(True)
    assert files_in(media) == []
    finished = dossier_finish(
        dossier=dossier, actor=world.leader, result_file=SimpleUploadedFile("kq.pdf", PDF)
    )
    assert files_in(media) == [result_name(finished)]
    # A caller's plain block that rolled back: its file goes at the next settling on this
    # thread, and committed files stay.
    with transaction.atomic():
        receipt = dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
            parts=[scan()],
        )
        dossier_handover(dossier=receipt, actor=world.clerk)
        stray = receipt.parts.get().documents.get().file.name
        transaction.set_rollback(True)
    assert stray in files_in(media)
    dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    assert files_in(media) == [result_name(finished)]
