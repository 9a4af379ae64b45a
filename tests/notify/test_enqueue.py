"""Queuing messages: in the caller's transaction, rendered in Vietnamese at once, to
clean addresses only; the outbox takes any app's template and reference."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import Settings

from motcua.notify.models import Channel, Message, MessageStatus
from motcua.notify.services import (
    InvalidRecipient,
    Recipient,
    notification_enqueue,
    outbox_wakeup,
    recipient_clean,
)
from motcua.notify.transports import InvalidPhone, phone_normalise

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
PAIR = [(Channel.EMAIL, "hoa@example.vn"), (Channel.SMS, "0912 345 678")]


class Boom(Exception):
    pass


def test_rolled_back_transaction_drops_its_messages(db: None) -> None:
    with pytest.raises(Boom), transaction.atomic():
        notification_enqueue(kind="generic", recipients=PAIR, context={"body": "x"})
        assert Message.objects.count() == 2
        raise Boom

    assert not Message.objects.exists()


def test_committed_messages_wait_pending_with_their_kind_and_reference(
    db: None, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    outbox_wakeup.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            notification_enqueue(
                kind="answered", recipients=PAIR, context={"body": "x"}, reference="pakn:7"
            )
        assert not outbox_wakeup.is_set()  # the nudge waits for the commit

    rows = {m.channel: m for m in Message.objects.all()}
    assert set(rows) == {Channel.EMAIL, Channel.SMS}
    assert rows[Channel.EMAIL].recipient == "hoa@example.vn"
    assert rows[Channel.SMS].recipient == "0912345678"
    for m in rows.values():
        assert (m.status, m.attempts, m.kind, m.reference) == (
            MessageStatus.PENDING,
            0,
            "answered",
            "pakn:7",
        )
    assert outbox_wakeup.is_set()


def test_generic_message_is_not_html_escaped_and_says_it_is_automatic(db: None) -> None:
    (m,) = notification_enqueue(
        kind="generic",
        recipients=[Recipient(Channel.EMAIL, "a@example.vn")],
        context={"subject": "Lịch nghỉ Tết & trực", "body": "Ngày 2/1 <nghỉ>."},
    )
    assert m.subject == "Lịch nghỉ Tết & trực"
    assert m.body.startswith("Ngày 2/1 <nghỉ>.\n")
    assert "Đây là thư tự động" in m.body
    assert m.reference == ""


def test_generic_sms_is_the_body_unaccented_on_one_line(db: None) -> None:
    (sms,) = notification_enqueue(
        kind="generic",
        recipients=[(Channel.SMS, "0912345678")],
        context={"subject": "Bỏ qua", "body": "Đã trả lời\nphản ánh của Ông/Bà."},
    )
    assert (sms.subject, sms.body) == ("", "Da tra loi phan anh cua Ong/Ba.")


def test_an_apps_own_template_is_rendered(db: None, settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "hello.subject").write_text("Xin chào {{ name }}", encoding="utf-8")
    (folder / "hello.txt").write_text("Thư cho {{ name }}.", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    mail, sms = notification_enqueue(
        kind="hello",
        recipients=PAIR,
        context={"name": "Hoà"},
        template="mine/hello",
    )
    assert (mail.subject, mail.body) == ("Xin chào Hoà", "Thư cho Hoà.\n")
    assert sms.body == "Thu cho Hoa."  # no .sms template: the text, unaccented


def test_duplicate_recipients_get_one_message(db: None) -> None:
    messages = notification_enqueue(
        kind="generic",
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
            kind="generic",
            recipients=[("email", "ok@example.vn"), recipient],
            context={"body": "x"},
        )
    assert not Message.objects.exists()
    with pytest.raises(InvalidRecipient):
        recipient_clean(recipient)


@pytest.mark.parametrize("kind", ["", "  ", "x" * 33])
def test_a_kind_is_required_and_fits(db: None, kind: str) -> None:
    with pytest.raises(ValueError, match="loại thông báo"):
        notification_enqueue(kind=kind, recipients=[("email", "ok@example.vn")])
    assert not Message.objects.exists()


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
