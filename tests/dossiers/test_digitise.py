"""Digitisation at the counter (issue 13 items 3, 4): scans per part, the reason for a part
kept on paper, reuse of the applicant's stored documents, and scans added later."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TypedDict, Unpack

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import Settings

from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.queries import documents_of_holder
from motcua.archive.services import DocumentMeta, document_store
from motcua.core.models import AuditEvent
from motcua.dossiers.errors import ActorNotAllowed, TransitionError
from motcua.dossiers.forms_docs.context import receipt_context
from motcua.dossiers.models import Dossier, EventType
from motcua.dossiers.services import (
    PartFile,
    PartInput,
    dossier_part_digitise,
    dossier_receive,
    dossier_withdraw,
)
from tests.world import World

from .conftest import citizen_applicant

pytestmark = pytest.mark.django_db
HOLDER = "066090001234"  # citizen_applicant()'s ID number


@pytest.fixture(autouse=True)
def documents_dir(settings: Settings, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def scan(name: str = "trang.pdf", body: bytes = b"%PDF-1.4 page") -> PartFile:
    return PartFile(SimpleUploadedFile(name, body), "application/pdf")


class StoredMeta(TypedDict, total=False):
    """What a test sets of a stored document's ``DocumentMeta`` besides the defaults."""

    summary: str
    valid_until: dt.date


def stored(holder: str = HOLDER, **meta: Unpack[StoredMeta]) -> Document:
    """A document of the holder's, as a finished dossier's result leaves it."""
    return document_store(
        content=SimpleUploadedFile("kq.pdf", b"%PDF-1.4 result " + holder.encode()),
        content_type="application/pdf",
        meta=DocumentMeta(
            name="Phiếu lý lịch tư pháp",
            kind=DocumentKind.RESULT,
            origin=Origin.ISSUED,
            code=f"{holder}.LLTP",
            holder_id_number=holder,
            **meta,
        ),
    )


def receive(world: World, *parts: PartInput) -> Dossier:
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        parts=parts,
    )


def test_a_part_is_scanned_in_several_files(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = receive(
        world,
        PartInput(name="Tờ khai", files=[scan("1.pdf"), scan("2.jpg", b"\xff\xd8\xff page 2")]),
    )
    part = dossier.parts.get()
    documents = list(part.documents.order_by("id"))
    assert len(documents) == 2
    assert {d.origin for d in documents} == {Origin.SCAN}
    assert {d.holder_id_number for d in documents} == {HOLDER}
    assert all(d.created_by == world.clerk for d in documents)
    assert part.not_digitised_reason == "" and not part.reused
    event = dossier.events.get(type=EventType.RECEIVED)
    assert event.data["parts"] == [{"part": "Tờ khai", "files": 2}]


def test_a_paper_part_needs_a_reason_and_keeps_it(
    world: World, traveller: time_machine.Traveller
) -> None:
    with pytest.raises(TransitionError, match="chưa được số hóa"):
        receive(world, PartInput(name="Tờ khai", files=[scan()]), PartInput(name="Bản vẽ A0"))
    assert not Dossier.objects.exists()
    assert not Document.objects.exists()  # the first part's scan went with the rollback

    dossier = receive(world, PartInput(name="Bản vẽ A0", not_digitised_reason="Khổ A0"))
    part = dossier.parts.get()
    assert part.not_digitised_reason == "Khổ A0" and not part.documents.exists()
    event = dossier.events.get(type=EventType.RECEIVED)
    assert event.data["parts"] == [{"part": "Bản vẽ A0", "files": 0, "not_digitised": "Khổ A0"}]


def test_reuse_makes_a_document_linked_to_its_source(
    world: World, traveller: time_machine.Traveller
) -> None:
    source = stored()
    dossier = receive(world, PartInput(name="Phiếu LLTP", reuse_of=source))
    part = dossier.parts.get()
    assert part.reused
    copy = part.documents.get()
    assert copy.source == source and copy.origin == Origin.REUSE
    assert copy.file.name == source.file.name and copy.sha256 == source.sha256  # not copied
    assert copy.pk != source.pk
    audit = AuditEvent.objects.get(action="document.reuse")
    assert audit.object_id == str(copy.pk)
    assert audit.data["source"] == source.pk and audit.data["dossier"] == dossier.code
    assert dossier.events.get(type=EventType.RECEIVED).data["parts"] == [
        {"part": "Phiếu LLTP", "files": 1, "reused_from": [source.pk]}
    ]
    # Shown to the applicant on the receipt (form 01).
    assert "tái sử dụng" in receipt_context(dossier).parts[0].kind


def test_only_the_applicants_own_valid_documents_are_reused(
    world: World, traveller: time_machine.Traveller
) -> None:
    others = stored(holder="001099012345")
    with pytest.raises(TransitionError, match="không thuộc người có số định danh"):
        receive(world, PartInput(name="Phiếu LLTP", reuse_of=others))
    expired = stored(valid_until=dt.date(2026, 1, 1))
    with pytest.raises(TransitionError, match="hết hiệu lực"):
        receive(world, PartInput(name="Phiếu LLTP", reuse_of=expired))
    assert not Dossier.objects.exists()


def test_documents_of_a_holder_are_found_by_id_number_only(
    world: World, traveller: time_machine.Traveller
) -> None:
    older = stored()
    traveller.shift(dt.timedelta(hours=1))
    newer = stored(summary="lần 2", valid_until=dt.date(2030, 1, 1))
    stored(valid_until=dt.date(2026, 1, 1))  # expired
    stored(holder="001099012345")  # someone else's
    receive(world, PartInput(name="Phiếu LLTP", reuse_of=newer))  # a reuse is not listed again
    found = documents_of_holder(HOLDER)
    # Newest first; the same content once (the two first are the same bytes: the newest kept).
    assert found == [newer] and older.sha256 == newer.sha256
    assert documents_of_holder("") == []


def test_a_part_is_digitised_later_by_the_counter(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = receive(world, PartInput(name="Bản vẽ", not_digitised_reason="Máy quét hỏng"))
    part = dossier.parts.get()
    before = dossier.version
    dossier_part_digitise(
        dossier=dossier,
        actor=world.clerk,
        part=part,
        files=[scan("a.pdf"), scan("b.pdf")],
        expected_version=before,
    )
    part.refresh_from_db()
    assert part.documents.count() == 2 and part.not_digitised_reason == ""
    dossier.refresh_from_db()
    assert dossier.version == before + 1
    event = dossier.events.get(type=EventType.DIGITISED)
    assert event.actor == world.clerk and event.data["files"] == 2
    assert event.data["was_not_digitised"] == "Máy quét hỏng"
    assert AuditEvent.objects.filter(action="digitised", object_id=dossier.code).exists()


def test_digitising_is_refused_to_outsiders_and_after_the_end(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = receive(world, PartInput(name="Bản vẽ", not_digitised_reason="Máy quét hỏng"))
    part = dossier.parts.get()
    with pytest.raises(ActorNotAllowed):
        dossier_part_digitise(dossier=dossier, actor=world.outsider, part=part, files=[scan()])
    with pytest.raises(ActorNotAllowed):
        dossier_part_digitise(dossier=dossier, actor=world.citizen, part=part, files=[scan()])
    dossier_withdraw(dossier=dossier, actor=world.clerk, reason="Người nộp rút")
    dossier.refresh_from_db()
    with pytest.raises(TransitionError):
        dossier_part_digitise(dossier=dossier, actor=world.clerk, part=part, files=[scan()])
    assert not part.documents.exists()
    assert not dossier.events.filter(type=EventType.DIGITISED).exists()


def test_what_someone_uploaded_online_is_not_offered_as_the_holders_until_staff_received_it(
    world: World,
) -> None:
    """An online sender types the applicant's ID number themselves: their parts prove nothing
    about that person until the dossier is received (review of issue 13)."""
    from motcua.dossiers.services import dossier_accept, dossier_submit

    online = dossier_submit(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),  # HOLDER's number, typed by whoever submits
        actor=world.citizen,
        owner=world.citizen,
        parts=[PartInput(name="Bản chụp Căn cước", files=[scan("cccd.pdf", b"%PDF-1.4 forged")])],
    )
    assert documents_of_holder(HOLDER) == []
    dossier_accept(dossier=online, actor=world.clerk, receiving_unit=world.center)
    assert [d.name for d in documents_of_holder(HOLDER)] == ["Bản chụp Căn cước"]


def test_a_store_document_of_another_account_is_refused_by_the_service(world: World) -> None:
    """The rule holds in the service for every channel, not only in the portal's form."""
    from django.contrib.auth.models import User

    from motcua.dossiers.services import dossier_submit

    other = User.objects.create_user("nguoi-khac@example.vn")
    theirs = document_store(
        content=SimpleUploadedFile("cccd.pdf", b"%PDF-1.4 theirs"),
        content_type="application/pdf",
        meta=DocumentMeta(name="Căn cước", kind=DocumentKind.UPLOAD, origin=Origin.ONLINE),
        owner=other,
        in_store=True,
    )
    with pytest.raises(TransitionError, match="không thuộc"):
        dossier_submit(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.citizen,
            owner=world.citizen,
            parts=[PartInput(name="Căn cước", reuse_of=theirs)],
        )
    assert not Dossier.objects.exists()
