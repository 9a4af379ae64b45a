"""The online supplement (issue 13 item 5): the applicant sends what was asked for from the
portal; the clock stays stopped until staff receive it, then restarts from zero
(ND 118/2025 Điều 19.5); the notices say what to do next."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from pytest_django import Settings

from motcua.archive.models import Document
from motcua.dossiers.errors import ActorNotAllowed, TransitionError
from motcua.dossiers.models import Dossier, DossierEvent, EventType, Status
from motcua.dossiers.notices import dossier_messages
from motcua.dossiers.queries import supplement_request
from motcua.dossiers.services import (
    PartFile,
    PartInput,
    dossier_accept,
    dossier_handover,
    dossier_receive_supplement,
    dossier_request_supplement,
    dossier_submit,
    dossier_supplement_submit,
    dossiers_stop_expired_supplements,
)
from motcua.notify.models import Message
from tests.dossiers.conftest import citizen_applicant
from tests.world import MONDAY, World, local

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TUESDAY = MONDAY + dt.timedelta(days=1)
FRIDAY = MONDAY + dt.timedelta(days=4)
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def pdf_part(name: str, content: bytes = PDF) -> PartInput:
    return PartInput(
        name=name,
        files=[PartFile(ContentFile(content, name="x.pdf"), "application/pdf")],
    )


def awaiting(world: World, traveller: time_machine.Traveller, n: str = "1") -> Dossier:
    """An online dossier of ``world.citizen``, received Monday 5/10 09:00 (due Thursday
    8/10 17:00), at appraisal; the specialist asks for a supplement on Tuesday 10:00."""
    traveller.move_to(local(MONDAY, 9))
    dossier = dossier_submit(
        procedure_version=world.procedure,
        applicant=citizen_applicant(email=f"binh{n}@example.vn"),
        actor=world.citizen,
        owner=world.citizen,
    )
    dossier_accept(dossier=dossier, actor=world.clerk, receiving_unit=world.center)
    dossier_handover(dossier=dossier, actor=world.clerk)
    traveller.move_to(local(TUESDAY, 10))
    dossier_request_supplement(
        dossier=dossier,
        actor=world.specialist,
        items=["Bản sao Căn cước có chứng thực", "Tờ khai có chữ ký"],
        reason="Bản chụp bị mờ",
    )
    dossier.refresh_from_db()
    return dossier


def test_owner_sends_files_the_clock_stays_stopped_until_staff_receive(
    world: World, traveller: time_machine.Traveller, media: Path
) -> None:
    dossier = awaiting(world, traveller)
    due_before = dossier.due_at
    assert due_before == local(MONDAY + dt.timedelta(days=3), 17)
    traveller.move_to(local(FRIDAY, 9))

    dossier_supplement_submit(
        dossier=dossier,
        actor=world.citizen,
        parts=[pdf_part("Bản sao Căn cước có chứng thực")],
        note="Gửi bản rõ hơn",
        expected_version=dossier.version,
    )

    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.due_at == due_before  # not restarted: staff have not received it
    document = Document.objects.get(dossier=dossier, name="Bản sao Căn cước có chứng thực")
    assert document.origin == "online" and document.file.read() == PDF
    event = DossierEvent.objects.get(dossier=dossier, type=EventType.SUPPLEMENT_SUBMITTED)
    assert event.data["note"] == "Gửi bản rõ hơn" and event.actor == world.citizen
    request = supplement_request(dossier)
    assert request is not None
    assert request.items == ["Bản sao Căn cước có chứng thực", "Tờ khai có chữ ký"]
    assert request.last_day == dt.date(2026, 10, 21)  # requested 6/10, 15 calendar days
    assert [p.name for s in request.sent for p in s.parts] == ["Bản sao Căn cước có chứng thực"]

    # Received the next Monday at 10:00: 3 working days from then, as a new receipt.
    traveller.move_to(local(NEXT_MONDAY, 10))
    dossier_receive_supplement(dossier=dossier, actor=world.specialist)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.due_at == local(NEXT_MONDAY + dt.timedelta(days=3), 17)
    restarted = dt.datetime.fromisoformat(dossier.due_explanation["restarted_at"])
    assert restarted == local(NEXT_MONDAY, 10)
    assert supplement_request(dossier) is None


@pytest.mark.parametrize("who", ["clerk", "specialist", "outsider", "stranger"])
def test_only_the_owner_sends_a_supplement(
    world: World, traveller: time_machine.Traveller, media: Path, who: str
) -> None:
    from django.contrib.auth.models import User

    dossier = awaiting(world, traveller)
    actor = (
        User.objects.create_user("khac", password="x") if who == "stranger" else getattr(world, who)
    )
    with pytest.raises(ActorNotAllowed):
        dossier_supplement_submit(dossier=dossier, actor=actor, parts=[pdf_part("Ảnh")])
    assert not Document.objects.filter(dossier=dossier, name="Ảnh").exists()
    assert list(media.rglob("*.pdf")) == []  # the written file went with the rollback


def test_only_while_a_supplement_is_awaited(
    world: World, traveller: time_machine.Traveller, media: Path
) -> None:
    dossier = awaiting(world, traveller)
    dossier_receive_supplement(dossier=dossier, actor=world.specialist)
    dossier.refresh_from_db()
    with pytest.raises(TransitionError, match="trạng thái"):
        dossier_supplement_submit(dossier=dossier, actor=world.citizen, parts=[pdf_part("A")])
    with pytest.raises(TransitionError, match="ít nhất một tệp"):
        dossier_supplement_submit(dossier=awaiting(world, traveller, "2"), actor=world.citizen)


def test_a_supplement_sent_in_time_keeps_the_dossier_from_being_stopped(
    world: World, traveller: time_machine.Traveller, media: Path
) -> None:
    silent = awaiting(world, traveller, "1")
    answered = awaiting(world, traveller, "2")
    traveller.move_to(local(MONDAY + dt.timedelta(days=16), 9))  # 21/10, the last day
    dossier_supplement_submit(dossier=answered, actor=world.citizen, parts=[pdf_part("A")])
    assert dossiers_stop_expired_supplements() == []
    traveller.move_to(local(MONDAY + dt.timedelta(days=17), 0, 5))  # 22/10
    assert [d.pk for d in dossiers_stop_expired_supplements()] == [silent.pk]
    answered.refresh_from_db()
    assert answered.status == Status.SUPPLEMENT_REQUESTED


def test_a_note_alone_or_files_after_the_last_day_do_not_hold_the_stop(
    world: World, traveller: time_machine.Traveller, media: Path
) -> None:
    noted = awaiting(world, traveller, "1")
    late = awaiting(world, traveller, "2")
    traveller.move_to(local(MONDAY + dt.timedelta(days=16), 9))  # 21/10, the last day
    dossier_supplement_submit(dossier=noted, actor=world.citizen, note="Tôi sẽ nộp sau")
    traveller.move_to(local(MONDAY + dt.timedelta(days=17), 0, 1))  # 22/10, one day late
    dossier_supplement_submit(dossier=late, actor=world.citizen, parts=[pdf_part("A")])
    stopped = {d.pk for d in dossiers_stop_expired_supplements()}
    assert stopped == {noted.pk, late.pk}


def _mail(dossier: Dossier, kind: EventType) -> Message:
    return dossier_messages(dossier).get(kind=kind.value, channel="email")


def test_the_notices_say_what_to_send_by_when_then_that_it_waits_then_the_new_due_date(
    world: World, traveller: time_machine.Traveller, media: Path
) -> None:
    dossier = awaiting(world, traveller)
    base = str(settings.MOTCUA["PUBLIC_URL"]).rstrip("/")

    request = _mail(dossier, EventType.SUPPLEMENT_REQUESTED)
    assert "1. Bản sao Căn cước có chứng thực\n2. Tờ khai có chữ ký" in request.body
    assert "Lý do: Bản chụp bị mờ" in request.body
    assert "chậm nhất ngày 21/10/2026" in request.body
    assert "Thời hạn giải quyết tạm dừng" in request.body
    assert f"{base}/ca-nhan/ho-so/{dossier.code}/" in request.body
    sms = dossier_messages(dossier).get(kind="supplement_requested", channel="sms")
    assert "truoc het ngay 21/10/2026" in sms.body and sms.body.isascii()

    dossier_supplement_submit(dossier=dossier, actor=world.citizen, parts=[pdf_part("A")])
    sent = _mail(dossier, EventType.SUPPLEMENT_SUBMITTED)
    assert "đã được gửi đến Sở Tư pháp" in sent.body
    assert "vẫn tạm dừng" in sent.body and "Hẹn trả" not in sent.body

    traveller.move_to(local(NEXT_MONDAY, 10))
    dossier_receive_supplement(dossier=dossier, actor=world.specialist)
    received = _mail(dossier, EventType.SUPPLEMENT_RECEIVED)
    assert "đã nhận đủ hồ sơ bổ sung" in received.body
    assert "tính lại từ đầu" in received.body
    assert "Ngày hẹn trả kết quả mới: 17:00 ngày 15/10/2026" in received.body
    # Not a second receipt.
    assert "đã tiếp nhận hồ sơ" not in received.body
    assert "đã được tiếp nhận" not in received.subject
