"""`motcua worker` outlives a database that is briefly unavailable, and beats."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import InterfaceError, OperationalError

from motcua.core.heartbeat import heartbeat_read
from motcua.notify import worker
from motcua.notify.models import MessageStatus
from motcua.notify.services import Recipient, notification_enqueue
from motcua.notify.worker import Stop, db_retry_delay, worker_run


def test_database_retry_backs_off_exponentially_to_a_cap() -> None:
    assert [db_retry_delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


@pytest.mark.django_db(transaction=True)
def test_worker_survives_database_errors_and_sends_afterwards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two rounds fail as they did under a held SQLite lock ("database is locked" from
    jobs_run_due) and on a dropped connection; the worker waits, retries, sends what is
    queued and beats. Before, the first error ended the worker for good."""
    messages = notification_enqueue(
        kind="generic",
        recipients=[Recipient("email", "hoa@example.vn"), Recipient("sms", "0912345678")],
        context={"subject": "Thông báo", "body": "Hồ sơ đã có kết quả."},
    )
    real_jobs_run_due = worker.jobs_run_due
    errors: list[Exception] = [
        OperationalError("database is locked"),
        InterfaceError("connection already closed"),
    ]
    waits: list[float] = []
    stop = Stop()

    def flaky_jobs() -> list[str]:
        if errors:
            raise errors.pop(0)
        return real_jobs_run_due()

    def no_wait(stop_: Stop, seconds: float) -> None:
        waits.append(seconds)

    def log(msg: str) -> None:
        if msg.startswith("đã gửi"):
            stop.requested = True

    monkeypatch.setattr(worker, "jobs_run_due", flaky_jobs)
    monkeypatch.setattr(worker, "_wait", no_wait)
    report = worker_run(interval=0.01, stop=stop, log=log)
    assert waits == [1, 2]
    assert report.sent == len(messages) == 2
    for message in messages:
        message.refresh_from_db()
        assert message.status == MessageStatus.SENT
    assert len(mail.outbox) == 1
    beat = heartbeat_read("worker")
    assert beat is not None and not beat.stale()


@pytest.mark.django_db(transaction=True)
def test_worker_does_not_swallow_programming_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Any:
        raise TypeError("a bug")

    monkeypatch.setattr(worker, "jobs_run_due", broken)
    with pytest.raises(TypeError):
        worker_run(interval=0.01, stop=Stop())
    assert heartbeat_read("worker") is None
