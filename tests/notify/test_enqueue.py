"""Queuing notifications: in the caller's transaction, rendered in Vietnamese at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from motcua.dossiers.models import Dossier
from motcua.notify.models import Channel, Kind, Message, MessageStatus
from motcua.notify.services import (
    InvalidRecipient,
    Recipient,
    dossier_notify,
    notification_enqueue,
    outbox_wakeup,
)
from motcua.notify.transports import InvalidPhone, phone_normalise
from tests.notify.conftest import PUBLIC_URL, VN, make_dossier

FOLLOW = f"{PUBLIC_URL}/tra-cuu/?ma=000.00.19.H18-220829-0001&bi-mat=s3cr%26t%2Bx"
RATING = f"{PUBLIC_URL}/danh-gia/000.00.19.H18-220829-0001/?bi-mat=s3cr%26t%2Bx"

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


class Boom(Exception):
    pass


def test_rolled_back_transaction_drops_its_messages(dossier: Dossier) -> None:
    with pytest.raises(Boom), transaction.atomic():
        dossier_notify(dossier, Kind.RECEIVED)
        assert Message.objects.count() == 2
        raise Boom

    assert not Message.objects.exists()


def test_committed_messages_wait_pending_one_per_channel(
    dossier: Dossier, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    outbox_wakeup.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            dossier_notify(dossier, Kind.RECEIVED)
        assert not outbox_wakeup.is_set()  # the nudge waits for the commit

    rows = {m.channel: m for m in Message.objects.all()}
    assert set(rows) == {Channel.EMAIL, Channel.SMS}
    assert rows[Channel.EMAIL].recipient == "hoa@example.vn"
    assert rows[Channel.SMS].recipient == "0912345678"
    for m in rows.values():
        assert (m.status, m.attempts, m.dossier_id) == (MessageStatus.PENDING, 0, dossier.id)
    assert outbox_wakeup.is_set()


def test_received_mail_is_vietnamese_with_vietnamese_dates_and_follow_link(
    dossier: Dossier,
) -> None:
    (mail,) = dossier_notify(dossier, Kind.RECEIVED)[:1]

    assert mail.subject == "Hồ sơ 000.00.19.H18-220829-0001 đã được tiếp nhận"
    assert "Kính gửi Nguyễn Thị Hoa," in mail.body
    assert "Sở Tư pháp đã tiếp nhận hồ sơ của Ông/Bà lúc 10:00 ngày 29/8/2022." in mail.body
    assert "Thủ tục: Cấp bản sao trích lục hộ tịch" in mail.body
    assert "Ngày hẹn trả kết quả: 17:00 ngày 5/9/2022" in mail.body
    assert FOLLOW in mail.body.splitlines()


def test_dates_are_local_time_even_when_stored_in_utc(db: None) -> None:
    # 5/9/2022 17:00 in Hà Nội is 10:00 UTC; the day can differ too (23:30 UTC = 06:30 next day)
    d = make_dossier(due_at=dt.datetime(2022, 9, 4, 23, 30, tzinfo=dt.UTC))
    (mail,) = dossier_notify(d, Kind.RECEIVED)[:1]
    assert "Ngày hẹn trả kết quả: 06:30 ngày 5/9/2022" in mail.body


def test_result_ready_carries_the_rating_link(dossier: Dossier) -> None:
    mail, sms = dossier_notify(dossier, Kind.RESULT_READY)

    assert mail.subject == "Hồ sơ 000.00.19.H18-220829-0001 đã có kết quả"
    assert RATING in mail.body.splitlines()
    assert RATING in sms.body


def test_extension_apologises_and_gives_the_new_appointment(db: None) -> None:
    d = make_dossier(extended_due_at=dt.datetime(2022, 9, 12, 17, 0, tzinfo=VN))
    (mail,) = dossier_notify(d, Kind.EXTENSION, context={"reason": "Chờ xác minh"})[:1]

    assert "chưa thể giải quyết xong đúng hẹn 17:00 ngày 5/9/2022" in mail.body
    assert "Lý do: Chờ xác minh" in mail.body
    assert "Ngày hẹn trả kết quả mới: 17:00 ngày 12/9/2022." in mail.body


def test_supplement_request_lists_what_is_missing(dossier: Dossier) -> None:
    mail, sms = dossier_notify(
        dossier,
        Kind.SUPPLEMENT_REQUESTED,
        context={"reason": "Thiếu bản sao Căn cước", "deadline_date": "20/9/2022"},
    )
    assert "Nội dung cần bổ sung, hoàn thiện: Thiếu bản sao Căn cước" in mail.body
    assert "trước ngày 20/9/2022" in mail.body
    assert sms.body.startswith("Ho so 000.00.19.H18-220829-0001 can bo sung, hoan thien truoc")


def test_sms_is_one_unaccented_line(dossier: Dossier) -> None:
    (sms,) = [m for m in dossier_notify(dossier, Kind.RECEIVED) if m.channel == Channel.SMS]
    assert sms.subject == ""
    assert sms.body == (
        "Ho so 000.00.19.H18-220829-0001 da duoc tiep nhan. "
        f"Hen tra ket qua 17:00 ngay 5/9/2022. Tra cuu: {FOLLOW}"
    )
    assert sms.body.isascii()


def test_generic_message_is_not_html_escaped(db: None) -> None:
    (m,) = notification_enqueue(
        kind=Kind.GENERIC,
        recipients=[Recipient(Channel.EMAIL, "a@example.vn")],
        context={"subject": "Lịch nghỉ Tết & trực", "body": "Ngày 2/1 <nghỉ>."},
    )
    assert m.subject == "Lịch nghỉ Tết & trực"
    assert "Ngày 2/1 <nghỉ>." in m.body
    assert m.dossier is None


def test_applicant_without_usable_contacts_gets_no_message(db: None) -> None:
    d = make_dossier(applicant_email="", applicant_phone="0261 3544 000")  # a landline
    assert dossier_notify(d, Kind.RECEIVED) == []
    assert not Message.objects.exists()


def test_duplicate_recipients_get_one_message(db: None) -> None:
    messages = notification_enqueue(
        kind=Kind.GENERIC,
        recipients=[("sms", "+84 912 345 678"), ("sms", "0912345678")],
        context={"body": "x"},
    )
    assert len(messages) == 1


@pytest.mark.parametrize(
    "recipient",
    [("email", "not-an-address"), ("sms", "0261 3544 000"), ("fax", "0912345678")],
)
def test_invalid_recipient_is_refused_and_nothing_is_written(
    db: None, recipient: tuple[str, str]
) -> None:
    with pytest.raises(InvalidRecipient):
        notification_enqueue(
            kind=Kind.GENERIC,
            recipients=[("email", "ok@example.vn"), recipient],
            context={"body": "x"},
        )
    assert not Message.objects.exists()


def test_unknown_kind_is_refused(db: None) -> None:
    with pytest.raises(ValueError, match="loại thông báo"):
        notification_enqueue(kind="party", recipients=[])


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "091.234.5678",
        "+84 912 345 678",
        "84912345678",
        "0084912345678",
        "(+84) 912-345-678",
    ],
)
def test_phone_forms_normalise_to_national(raw: str) -> None:
    assert phone_normalise(raw) == "0912345678"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "091234567",
        "09123456789",
        "0212345678",
        "02613544000",
        "+1 912 345 678",
        "09a2345678",
        "1912345678",
    ],
)
def test_non_mobile_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        phone_normalise(raw)


@given(prefix=st.sampled_from("35789"), rest=st.text("0123456789", min_size=8, max_size=8))
def test_every_mobile_number_survives_the_international_form(prefix: str, rest: str) -> None:
    national = f"0{prefix}{rest}"
    assert phone_normalise(national) == national
    assert phone_normalise(f"+84{national[1:]}") == national
