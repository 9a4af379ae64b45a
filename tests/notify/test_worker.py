"""`motcua worker`: sending, retries with back-off, claims that never send twice, jobs."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import smtplib
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, connections, transaction
from pytest_django import Settings

from motcua.cli import main
from motcua.notify import worker
from motcua.notify.models import Channel, Message, MessageStatus, PeriodicJob
from motcua.notify.services import Recipient, messages_retry, notification_enqueue
from motcua.notify.transports import PermanentError
from motcua.notify.worker import (
    BACKOFF,
    LEASE,
    MAX_ATTEMPTS,
    messages_claim,
    outbox_drain,
    register_job,
    worker_run,
)
from tests.notify.conftest import VN

T0 = dt.datetime(2026, 11, 26, 9, 0, tzinfo=VN)
ON_POSTGRES = "postgresql" in django_settings.DATABASES["default"]["ENGINE"]

sent_sms: list[tuple[str, str]] = []


class BrokenSMS:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


class RejectingSMS:
    def send(self, phone: str, text: str) -> None:
        raise PermanentError("number blocked")


class RecordingSMS:
    def send(self, phone: str, text: str) -> None:
        sent_sms.append((phone, text))


class RefusingMailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPRecipientsRefused({"a@example.vn": (550, b"no such user")})


def use_sms(settings: Settings, cls: type) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "SMS_BACKEND": f"{__name__}.{cls.__name__}"}


def queue(n: int) -> list[Message]:
    return notification_enqueue(
        kind="generic",
        recipients=[Recipient(Channel.EMAIL, f"person{i}@example.vn") for i in range(n)],
        context={"subject": "Thông báo", "body": "Nội dung"},
    )


def queue_mail_and_sms() -> list[Message]:
    """One notice to one person by e-mail and SMS, as an app sends it."""
    return notification_enqueue(
        kind="received",
        recipients=[(Channel.EMAIL, "hoa@example.vn"), (Channel.SMS, "0912 345 678")],
        context={"subject": "Hồ sơ 0001 đã được tiếp nhận", "body": "Hẹn trả 17:00 ngày 5/9/2022"},
        reference="dossier:0001",
    )


@pytest.fixture(autouse=True)
def _no_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test registers the jobs it needs; app `jobs` modules are not discovered.
    monkeypatch.setattr(worker, "JOBS", {})
    monkeypatch.setattr(worker, "jobs_discover", lambda: None)


def test_worker_once_sends_mail_and_sms_and_marks_them_sent(
    db: None, sms_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel(T0, tick=False):
        queue_mail_and_sms()
        assert main(["worker", "--once"]) == 0

    assert "đã gửi 2, chờ gửi lại 0, gửi không thành công 0" in capsys.readouterr().out
    (email,) = mail.outbox
    assert email.to == ["hoa@example.vn"]
    assert email.subject == "Hồ sơ 0001 đã được tiếp nhận"
    assert "Hẹn trả 17:00 ngày 5/9/2022" in email.body
    (line,) = sms_file.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["to"] == "+84912345678"
    assert record["text"] == "Hen tra 17:00 ngay 5/9/2022"
    for m in Message.objects.all():
        assert (m.status, m.attempts, m.sent_at, m.claimed_by) == (MessageStatus.SENT, 1, T0, "")

    # Nothing is sent twice.
    assert main(["worker", "--once"]) == 0
    assert len(mail.outbox) == 1
    assert len(sms_file.read_text(encoding="utf-8").splitlines()) == 1


def test_failures_back_off_then_fail_for_good_and_the_row_stays(
    db: None, settings: Settings
) -> None:
    use_sms(settings, BrokenSMS)
    with time_machine.travel(T0, tick=False) as clock:
        queue_mail_and_sms()
        worker_run(once=True)
        sms = Message.objects.get(channel=Channel.SMS)
        assert Message.objects.get(channel=Channel.EMAIL).status == MessageStatus.SENT

        expected_at = T0
        for attempt, delay in enumerate(BACKOFF, start=1):
            sms.refresh_from_db()
            expected_at += delay
            assert (sms.status, sms.attempts) == (MessageStatus.PENDING, attempt)
            assert sms.next_attempt_at == expected_at
            assert sms.last_error == "ConnectionError: gateway down"
            # Not before its time...
            clock.move_to(expected_at - dt.timedelta(seconds=1))
            worker_run(once=True)
            sms.refresh_from_db()
            assert sms.attempts == attempt
            # ...and on time.
            clock.move_to(expected_at)
            worker_run(once=True)

        sms.refresh_from_db()
        assert (sms.status, sms.attempts) == (MessageStatus.FAILED, MAX_ATTEMPTS)
        clock.shift(dt.timedelta(days=30))
        worker_run(once=True)
        sms.refresh_from_db()
        assert (sms.status, sms.attempts) == (MessageStatus.FAILED, MAX_ATTEMPTS)

        # The admin's retry queues it again; with the gateway back it goes out.
        use_sms(settings, RecordingSMS)
        sent_sms.clear()
        assert messages_retry(messages=Message.objects.all()) == 1  # the sent e-mail stays
        worker_run(once=True)
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (MessageStatus.SENT, 1)
    assert sent_sms == [("0912345678", sms.body)]
    assert len(mail.outbox) == 1


def test_a_permanent_error_fails_at_once(db: None, settings: Settings) -> None:
    use_sms(settings, RejectingSMS)
    queue_mail_and_sms()
    report = worker_run(once=True)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 1)
    sms = Message.objects.get(channel=Channel.SMS)
    assert (sms.status, sms.attempts) == (MessageStatus.FAILED, 1)
    assert sms.last_error == "PermanentError: number blocked"


def test_an_address_the_mail_server_refuses_fails_at_once(db: None, settings: Settings) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailBackend"
    queue(1)
    assert worker_run(once=True).failed == 1
    m = Message.objects.get()
    assert (m.status, m.attempts) == (MessageStatus.FAILED, 1)
    assert m.last_error == "PermanentError: máy chủ thư từ chối địa chỉ person0@example.vn"


def test_a_claimed_message_is_left_to_its_worker_until_the_lease_runs_out(db: None) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        queue(3)
        (taken,) = messages_claim(limit=1, claimer="other-host:1")
        worker_run(once=True)
        assert len(mail.outbox) == 2
        assert taken.recipient not in {m.to[0] for m in mail.outbox}

        # The other worker died: once its lease is over the message is taken over.
        clock.shift(LEASE)
        worker_run(once=True)
    assert len(mail.outbox) == 3
    taken.refresh_from_db()
    assert (taken.status, taken.attempts) == (MessageStatus.SENT, 2)


def test_a_stale_read_does_not_claim_what_another_worker_took(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without row locks (SQLite) two workers may both read the same due ids; the claim's
    # conditional UPDATE must then give each message to one of them only.
    messages = queue(4)
    all_ids = [m.id for m in messages]
    other = messages_claim(limit=2, claimer="other-host:1")
    monkeypatch.setattr(worker, "_candidate_ids", lambda now, limit: all_ids)

    mine = messages_claim(claimer="me")

    assert {m.id for m in mine} == set(all_ids) - {m.id for m in other}
    assert len(mine) == 2


def test_a_worker_whose_lease_was_taken_over_does_not_record_its_outcome(db: None) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        queue(1)
        (slow,) = messages_claim(claimer="slow")
        clock.shift(LEASE)
        worker_run(once=True)  # takes over and sends
        # The slow worker finally fails and tries to reschedule: the row stays sent.
        worker._finish(slow, "slow", status=MessageStatus.FAILED, last_error="late")
    m = Message.objects.get()
    assert (m.status, m.last_error) == (MessageStatus.SENT, "")


@pytest.mark.skipif(not ON_POSTGRES, reason="row locks need PostgreSQL")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rows_locked_by_another_worker_are_skipped_not_waited_for() -> None:
    ids = [m.id for m in queue(6)]
    locked = threading.Event()
    release = threading.Event()

    def other_worker() -> None:
        with transaction.atomic():
            list(Message.objects.filter(id__in=ids[:3]).select_for_update())
            locked.set()
            release.wait(30)
        connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(30)
        with connection.cursor() as cursor:
            # Waiting for the lock would be the bug: fail instead of hanging.
            cursor.execute("SET lock_timeout = '5s'")
        report = outbox_drain()
        assert report.sent == 3
        assert {m.to[0] for m in mail.outbox} == {f"person{i}@example.vn" for i in (3, 4, 5)}
    finally:
        release.set()
        thread.join()
    assert outbox_drain().sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == [f"person{i}@example.vn" for i in range(6)]


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent connections need PostgreSQL")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_each_message_exactly_once() -> None:
    queue(60)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(30)
            outbox_drain(limit=5)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    recipients = [m.to[0] for m in mail.outbox]
    assert sorted(recipients) == sorted(f"person{i}@example.vn" for i in range(60))
    assert Message.objects.filter(status=MessageStatus.SENT, attempts=1).count() == 60


def test_periodic_jobs_run_when_due_once_per_period(db: None) -> None:
    calls: list[dt.datetime] = []
    register_job("overdue-scan", 600, lambda: calls.append(worker.timezone.now()))
    with time_machine.travel(T0, tick=False) as clock:
        worker_run(once=True)  # a new job runs at once
        clock.shift(dt.timedelta(minutes=9))
        worker_run(once=True)
        worker_run(once=True)
        clock.shift(dt.timedelta(minutes=1))
        worker_run(once=True)
    assert calls == [T0, T0 + dt.timedelta(minutes=10)]
    job = PeriodicJob.objects.get(name="overdue-scan")
    assert job.next_run_at == T0 + dt.timedelta(minutes=20)
    assert job.last_error == ""


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(db: None) -> None:
    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("no calendar for 2027")

    register_job("broken", 60, broken)
    register_job("fine", 60, lambda: calls.append("fine"))
    worker_run(once=True)
    assert calls == ["fine"]
    assert PeriodicJob.objects.get(name="broken").last_error == "RuntimeError: no calendar for 2027"


def test_messages_queued_by_a_job_go_out_in_the_same_round(db: None) -> None:
    register_job("announce", 3600, lambda: queue(1))
    report = worker_run(once=True)
    assert report.sent == 1
    assert len(mail.outbox) == 1


needs_main_thread = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signal handlers can only be installed in the main thread",
)


class StoppingSMS:
    """Sends, then the service manager stops the worker (SIGTERM to this very process)."""

    def send(self, phone: str, text: str) -> None:
        sent_sms.append((phone, text))
        os.kill(os.getpid(), signal.SIGTERM)


@needs_main_thread
def test_sigterm_mid_batch_finishes_the_message_and_hands_back_the_rest(
    db: None, settings: Settings
) -> None:
    use_sms(settings, StoppingSMS)
    sent_sms.clear()
    before = signal.getsignal(signal.SIGTERM)
    with time_machine.travel(T0, tick=False):
        notification_enqueue(
            kind="generic",
            recipients=[(Channel.SMS, f"091234567{i}") for i in range(3)],
            context={"body": "x"},
        )

        report = worker_run(once=False, interval=3600)  # returns only because it was stopped

    assert (report.sent, len(sent_sms)) == (1, 1)
    assert signal.getsignal(signal.SIGTERM) is before
    rest = Message.objects.exclude(status=MessageStatus.SENT)
    assert [(m.status, m.attempts, m.claimed_by, m.next_attempt_at) for m in rest] == [
        (MessageStatus.PENDING, 0, "", T0)
    ] * 2


@needs_main_thread
def test_sigterm_during_a_job_stops_before_sending(db: None) -> None:
    register_job("stop", 3600, lambda: os.kill(os.getpid(), signal.SIGTERM))
    queue(2)
    report = worker_run(once=False, interval=3600)
    assert report.sent == 0
    assert Message.objects.filter(status=MessageStatus.PENDING, attempts=0).count() == 2


def test_a_worker_started_by_serve_stops_when_serve_is_gone(db: None) -> None:
    queue(1)
    report = worker_run(once=False, interval=3600, parent_pid=os.getppid() + 1)
    assert report.sent == 0  # it did not even start a round


def test_interval_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--interval", "0"]) == 2
    assert "--interval" in capsys.readouterr().out


def test_register_job_refuses_a_non_positive_period() -> None:
    with pytest.raises(ValueError):
        register_job("x", 0, lambda: None)
