"""What a dossier's notifications say: Vietnamese, local dates, the links that open the
lookup and the rating, the reason of an end; queued in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import translation
from pytest_django import Settings

from motcua.agencies.models import Agency, Level
from motcua.catalog.models import DurationUnit, Field, Procedure, ProcedureVersion
from motcua.dossiers.models import ApplicantKind, Channel, Dossier, EventType, Status
from motcua.dossiers.notices import NOTICES, dossier_messages, dossier_notice
from motcua.notify.models import Message

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PUBLIC_URL = "https://dichvucong.example.vn"
CODE = "000.00.19.H18-220829-0001"
FOLLOW = f"{PUBLIC_URL}/tra-cuu/?ma={CODE}&bi-mat=s3cr%26t%2Bx"
RATING = f"{PUBLIC_URL}/danh-gia/{CODE}/?bi-mat=s3cr%26t%2Bx"


@pytest.fixture(autouse=True)
def _public_url(settings: Settings, tmp_path: Path) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "PUBLIC_URL": PUBLIC_URL + "/"}


def make_dossier(n: int = 1, **fields: Any) -> Dossier:
    agency, _ = Agency.objects.get_or_create(
        code="000.00.19.H18", defaults={"name": "Sở Tư pháp", "level": Level.PROVINCE}
    )
    field, _ = Field.objects.get_or_create(name="Hộ tịch")
    procedure, _ = Procedure.objects.get_or_create(code="1.004227")
    version, _ = ProcedureVersion.objects.get_or_create(
        procedure=procedure,
        number=1,
        defaults={
            "name": "Cấp bản sao trích lục hộ tịch",
            "field": field,
            "agency": agency,
            "level": Level.PROVINCE,
            "duration": 3,
            "unit": DurationUnit.WORKING_DAYS,
        },
    )
    values: dict[str, Any] = {
        "code": f"000.00.19.H18-220829-{n:04d}",
        # Characters that must be escaped in a query string.
        "secret": "s3cr&t+x",
        "procedure_version": version,
        "agency": agency,
        "level": Level.PROVINCE,
        "field": field,
        "channel": Channel.DIRECT,
        "applicant_kind": ApplicantKind.CITIZEN,
        "applicant_name": "Nguyễn Thị Hoa",
        "applicant_email": "hoa@example.vn",
        "applicant_phone": "0912 345 678",
        "status": Status.PROCESSING,
        # domain.md §5 worked example: received 29/8/2022 10:00, due 5/9/2022 17:00.
        "received_at": dt.datetime(2022, 8, 29, 10, 0, tzinfo=VN),
        "due_at": dt.datetime(2022, 9, 5, 17, 0, tzinfo=VN),
    }
    values.update(fields)
    return Dossier.objects.create(**values)


@pytest.fixture
def dossier(db: None) -> Dossier:
    return make_dossier()


class Boom(Exception):
    pass


def test_rolled_back_change_drops_its_notice(dossier: Dossier) -> None:
    with pytest.raises(Boom), transaction.atomic():
        dossier_notice(dossier, EventType.RECEIVED)
        assert dossier_messages(dossier).count() == 2
        raise Boom
    assert not Message.objects.exists()


def test_messages_carry_the_event_as_kind_and_the_dossier_as_reference(dossier: Dossier) -> None:
    other = make_dossier(2)
    dossier_notice(dossier, EventType.RECEIVED)
    dossier_notice(other, EventType.RESULT_READY)
    assert sorted(dossier_messages(dossier).values_list("kind", "reference", "channel")) == [
        ("received", f"dossier:{CODE}", "email"),
        ("received", f"dossier:{CODE}", "sms"),
    ]
    assert set(dossier_messages(other.code).values_list("kind", flat=True)) == {"result_ready"}


def test_events_that_are_not_told_queue_nothing(dossier: Dossier) -> None:
    for event in set(EventType) - set(NOTICES):
        assert dossier_notice(dossier, event) == []
    assert not Message.objects.exists()


def test_received_mail_is_vietnamese_with_vietnamese_dates_and_follow_link(
    dossier: Dossier,
) -> None:
    (mail,) = dossier_notice(dossier, EventType.RECEIVED)[:1]

    assert mail.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
    assert "Kính gửi Nguyễn Thị Hoa," in mail.body
    assert "Sở Tư pháp đã tiếp nhận hồ sơ của Ông/Bà lúc 10:00 ngày 29/8/2022." in mail.body
    assert "Thủ tục: Cấp bản sao trích lục hộ tịch" in mail.body
    assert "Ngày hẹn trả kết quả: 17:00 ngày 5/9/2022" in mail.body
    assert FOLLOW in mail.body.splitlines()


def test_dates_are_local_time_even_when_stored_in_utc(db: None) -> None:
    # 5/9/2022 17:00 in Hà Nội is 10:00 UTC; the day can differ too (23:30 UTC = 06:30 next day)
    d = make_dossier(due_at=dt.datetime(2022, 9, 4, 23, 30, tzinfo=dt.UTC))
    (mail,) = dossier_notice(d, EventType.RECEIVED)[:1]
    assert "Ngày hẹn trả kết quả: 06:30 ngày 5/9/2022" in mail.body


def test_result_ready_carries_the_rating_link(dossier: Dossier) -> None:
    mail, sms = dossier_notice(dossier, EventType.RESULT_READY)

    assert mail.subject == f"Hồ sơ {CODE} đã có kết quả"
    assert RATING in mail.body.splitlines()
    assert RATING in sms.body


def test_extension_apologises_and_gives_the_new_appointment(db: None) -> None:
    d = make_dossier(extended_due_at=dt.datetime(2022, 9, 12, 17, 0, tzinfo=VN))
    (mail,) = dossier_notice(d, EventType.EXTENSION, reason="Chờ xác minh")[:1]

    assert "chưa thể giải quyết xong đúng hẹn 17:00 ngày 5/9/2022" in mail.body
    assert "Lý do: Chờ xác minh" in mail.body
    assert "Ngày hẹn trả kết quả mới: 17:00 ngày 12/9/2022." in mail.body


def test_supplement_request_lists_what_is_missing_and_why(db: None) -> None:
    d = make_dossier(status=Status.SUPPLEMENT_REQUESTED)
    mail, sms = dossier_notice(
        d,
        EventType.SUPPLEMENT_REQUESTED,
        items=["Bản sao Căn cước", "Tờ khai có chữ ký"],
        reason="Hồ sơ thiếu giấy tờ",
    )
    lines = mail.body.splitlines()
    assert lines[lines.index("Nội dung cần bổ sung, hoàn thiện:") + 1 :][:2] == [
        "1. Bản sao Căn cước",
        "2. Tờ khai có chữ ký",
    ]
    assert "Lý do: Hồ sơ thiếu giấy tờ" in lines
    assert "Thời gian giải quyết được tính lại từ đầu" in mail.body
    assert sms.body == f"Ho so {CODE} can bo sung, hoan thien. Chi tiet: {FOLLOW}"


def test_completion_request_before_intake_does_not_mention_the_clock(db: None) -> None:
    d = make_dossier(status=Status.NEEDS_COMPLETION, received_at=None, due_at=None)
    (mail,) = dossier_notice(d, EventType.COMPLETION_REQUESTED, items=["A"], reason="B")[:1]
    assert "tính lại từ đầu" not in mail.body
    assert "Hồ sơ được tiếp nhận khi đã đầy đủ, hợp lệ." in mail.body


def test_sms_is_one_unaccented_line(dossier: Dossier) -> None:
    (sms,) = [m for m in dossier_notice(dossier, EventType.RECEIVED) if m.channel == "sms"]
    assert sms.subject == ""
    assert sms.body == (
        f"Ho so {CODE} da duoc tiep nhan. Hen tra ket qua 17:00 ngay 5/9/2022. Tra cuu: {FOLLOW}"
    )
    assert sms.body.isascii()


@pytest.mark.parametrize(
    ("event", "subject", "lead"),
    [
        (
            EventType.REJECTED,
            "Từ chối tiếp nhận hồ sơ",
            f"Hồ sơ {CODE} (Cấp bản sao trích lục hộ tịch) nộp trực tuyến không được tiếp nhận.",
        ),
        (
            EventType.REFUSED,
            "Trả lại hồ sơ",
            f"Hồ sơ {CODE} (Cấp bản sao trích lục hộ tịch) không đủ điều kiện giải quyết",
        ),
        (
            EventType.STOPPED,
            "Thông báo dừng giải quyết hồ sơ",
            f"Hồ sơ {CODE} (Cấp bản sao trích lục hộ tịch) đã được dừng giải quyết.",
        ),
    ],
)
def test_an_end_is_told_with_its_reason_in_vietnamese_whatever_the_page_language(
    db: None, event: str, subject: str, lead: str
) -> None:
    dossier = make_dossier(channel=Channel.ONLINE)  # refused online: nobody saw it refused
    with translation.override("en"):
        mail, sms = dossier_notice(dossier, event, reason="Công dân đề nghị")
    assert mail.subject == f"{subject} — hồ sơ {CODE}"
    assert lead in mail.body
    assert "Lý do: Công dân đề nghị" in mail.body.splitlines()
    assert FOLLOW in mail.body.splitlines()
    assert "Ly do: Cong dan de nghi." in sms.body and sms.body.endswith(FOLLOW)


def test_a_refusal_at_intake_is_told_only_when_nobody_saw_it(db: None) -> None:
    at_counter = make_dossier(1, channel=Channel.DIRECT, status=Status.REJECTED)
    by_post = make_dossier(2, channel=Channel.POSTAL, status=Status.REJECTED)
    online = make_dossier(3, channel=Channel.ONLINE, status=Status.REJECTED)
    assert dossier_notice(at_counter, EventType.REJECTED, reason="x") == []
    assert dossier_notice(by_post, EventType.REJECTED, reason="x") == []
    assert len(dossier_notice(online, EventType.REJECTED, reason="x")) == 2
