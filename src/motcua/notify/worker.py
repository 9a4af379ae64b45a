"""The background worker: sends the outbox and runs the periodic jobs.

Several workers may run at once (one per host, or one beside each web server). A message is
claimed before it is sent — on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED``, on SQLite
(whose writers are serialised) with a conditional UPDATE — and the claim is a lease: it
pushes ``next_attempt_at`` forward by ``LEASE``, so that a message whose worker died is
taken over once the lease has run out. Sending happens after the claim is committed, outside
any transaction; a failure is retried with exponential back-off up to ``MAX_ATTEMPTS``.

The loop outlives the database being briefly unavailable (a SQLite file locked by a backup
or a long write, a PostgreSQL restart): ``OperationalError``/``InterfaceError`` is logged,
the connection closed and the round tried again after a capped back-off (``DB_RETRY``); the
worker never exits on them, since nothing would send the notifications or run the overdue
scans until someone noticed. Each completed round writes a heartbeat (``core.heartbeat``)
that ``/healthz`` reports.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any, Protocol

from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from motcua.core.heartbeat import heartbeat_write
from motcua.notify.models import Channel, Message, MessageStatus, PeriodicJob
from motcua.notify.services import outbox_wakeup
from motcua.notify.transports import PermanentError, SMSTransport, email_send, sms_transport

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, … failed attempt; the attempt after the last one is the final
# one (MAX_ATTEMPTS in all), then the message is marked failed and kept.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# Longer than any send may take (SMTP and SMS gateways time out well before).
LEASE = dt.timedelta(minutes=10)
BATCH = 50
# Seconds between tries while the database is unavailable: doubling from the first, capped.
DB_RETRY_FIRST = 1.0
DB_RETRY_CAP = 30.0
HEARTBEAT = "worker"
# Errors that say "the database cannot be used right now", not "this code is wrong".
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


def db_retry_delay(failures: int) -> float:
    """Seconds to wait after the ``failures``-th consecutive failed round (1, 2, 4, … 30)."""
    return min(DB_RETRY_CAP, DB_RETRY_FIRST * 2 ** max(0, failures - 1))


def retry_delay(attempts: int) -> dt.timedelta | None:
    """How long to wait after the ``attempts``-th failed attempt; None when it was the last."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


class Stop:
    """Set by SIGTERM/SIGINT: the worker finishes the message it is sending, then exits."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        logger.warning("worker: signal %s, stopping after the current message", signum)
        self.requested = True
        outbox_wakeup.set()


# --- claiming and sending ---------------------------------------------------------------


def worker_id() -> str:
    """A name for one claimer: host, process and a random part (one per batch)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _candidate_ids(now: dt.datetime, limit: int) -> list[int]:
    due = Message.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=now)
    qs = due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
    if connection.features.has_select_for_update_skip_locked:
        # Rows another worker is claiming right now are skipped, not waited for.
        qs = qs.select_for_update(skip_locked=True)
    return list(qs)


def messages_claim(*, limit: int = BATCH, claimer: str | None = None) -> list[Message]:
    """Take up to ``limit`` due messages for this worker and return them.

    The UPDATE re-checks that each row is still pending and due, so a row that another
    worker claimed between our SELECT and our UPDATE (possible on SQLite, which has no row
    locks) is not taken twice.
    """
    claimer = claimer or worker_id()
    now = timezone.now()
    with transaction.atomic():
        ids = _candidate_ids(now, limit)
        if not ids:
            return []
        Message.objects.filter(
            id__in=ids, status=MessageStatus.PENDING, next_attempt_at__lte=now
        ).update(
            claimed_by=claimer,
            next_attempt_at=now + LEASE,
            attempts=F("attempts") + 1,
        )
    return list(Message.objects.filter(id__in=ids, claimed_by=claimer).order_by("id"))


# Channels whose messages are machine orders to another system rather than words to a
# person: sent by the function the owning app registered (its ``jobs`` module, imported by
# ``jobs_discover``), with the outbox's claims, retries, back-off and log all the same.
CHANNEL_HANDLERS: dict[str, Callable[[Message], None]] = {}


def register_channel(channel: str, handler: Callable[[Message], None]) -> None:
    """Send the outbox's messages of ``channel`` with ``handler(message)``: it raises to have
    the message retried (``PermanentError``: failed at once), returns when it was sent.
    It runs outside any transaction and may be called again for a message already sent
    when the outcome could not be recorded: make the order idempotent on the message."""
    CHANNEL_HANDLERS[channel] = handler


def _deliver(message: Message, sms: Callable[[], SMSTransport]) -> None:
    handler = CHANNEL_HANDLERS.get(message.channel)
    if handler is not None:
        handler(message)
    elif message.channel == Channel.EMAIL:
        email_send(to=message.recipient, subject=message.subject, body=message.body)
    elif message.channel == Channel.SMS:
        sms().send(message.recipient, message.body)
    else:
        raise PermanentError(f"kênh gửi không hỗ trợ: {message.channel}")


def _finish(message: Message, claimer: str, **fields: Any) -> None:
    # Only the holder of the claim records the outcome: if our lease ran out and another
    # worker took the message over, its outcome wins.
    failures = 0
    while True:
        try:
            Message.objects.filter(id=message.id, claimed_by=claimer).update(
                claimed_by="", **fields
            )
            return
        except TRANSIENT_DB_ERRORS as exc:
            # The message has been sent (or tried): losing its outcome would send it again
            # once the lease runs out, so wait for the database rather than give up — as
            # long as the lease, after which another worker may take the message over.
            failures += 1
            delay = db_retry_delay(failures)
            if connection.in_atomic_block or failures * DB_RETRY_CAP > LEASE.total_seconds():
                raise
            logger.warning(
                "message %s: outcome not recorded (%s), retry in %g s", message.id, exc, delay
            )
            connection.close()
            threading.Event().wait(delay)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __add__(self, other: SendReport) -> SendReport:
        return SendReport(
            self.sent + other.sent, self.retrying + other.retrying, self.failed + other.failed
        )


def messages_send_due(*, limit: int = BATCH, stop: Stop | None = None) -> SendReport:
    """Claim and send one batch of due messages; record each outcome. When ``stop`` is
    requested mid-batch, the messages not yet tried are handed back at once."""
    jobs_discover()  # the channel handlers (imported once; cheap after that)
    claimer = worker_id()
    report = SendReport()
    transport: SMSTransport | None = None

    def sms() -> SMSTransport:
        nonlocal transport
        if transport is None:
            transport = sms_transport()
        return transport

    for message in messages_claim(limit=limit, claimer=claimer):
        if stop is not None and stop.requested:
            _finish(message, claimer, next_attempt_at=timezone.now(), attempts=F("attempts") - 1)
            continue
        try:
            _deliver(message, sms)
        except Exception as exc:
            now = timezone.now()
            error = f"{type(exc).__name__}: {exc}"[:2000]
            delay = None if isinstance(exc, PermanentError) else retry_delay(message.attempts)
            if delay is None:
                logger.error("message %s failed for good: %s", message.id, error)
                _finish(message, claimer, status=MessageStatus.FAILED, last_error=error)
                report.failed += 1
            else:
                logger.warning("message %s failed, retry in %s: %s", message.id, delay, error)
                _finish(message, claimer, next_attempt_at=now + delay, last_error=error)
                report.retrying += 1
        else:
            _finish(message, claimer, status=MessageStatus.SENT, sent_at=timezone.now())
            report.sent += 1
    return report


class Sender(Protocol):
    def __call__(self, *, limit: int, stop: Stop | None) -> SendReport: ...


# Other outboxes the worker drains after the messages, by name: an app registers its own
# (``register_sender``) from its ``jobs`` module, so that this module names no other app.
SENDERS: dict[str, Sender] = {}


def register_sender(name: str, send_due: Sender) -> None:
    """Have the worker call ``send_due(limit=…, stop=…)`` in each round, as it sends the
    messages: claim and send up to ``limit`` due rows of another outbox, return the counts.
    Registering a name again replaces the sender."""
    SENDERS[name] = send_due


def outbox_drain(*, limit: int = BATCH, stop: Stop | None = None) -> SendReport:
    """Send everything due now, batch after batch (a failed message is rescheduled into
    the future, so this ends), or until ``stop`` is requested: the messages, then each
    registered sender's outbox."""
    total = SendReport()
    senders: list[Sender] = [messages_send_due, *SENDERS.values()]
    for send in senders:
        while stop is None or not stop.requested:
            report = send(limit=limit, stop=stop)
            total = total + report
            if report.sent + report.retrying + report.failed < limit:
                break
    return total


# --- periodic jobs ---------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    func: Callable[[], object]


JOBS: dict[str, Job] = {}


def register_job(name: str, every_seconds: float, func: Callable[[], object]) -> None:
    """Run ``func()`` about every ``every_seconds`` in one of the running workers.

    Call it at import time of a module named ``jobs`` in an installed app (the worker
    imports them all, as the admin does with ``admin`` modules). Registering a name again
    replaces the job. ``func`` runs outside any transaction and must be idempotent: a
    worker that dies while running it leaves it to be run again at the next period.
    """
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    JOBS[name] = Job(name, dt.timedelta(seconds=every_seconds), func)


def jobs_discover() -> None:
    autodiscover_modules("jobs")


def jobs_run_due() -> list[str]:
    """Run every registered job whose time has come; return the names of those run here.

    The schedule lives in the database, so a job runs once per period across all workers
    and restarts: a worker runs a job only if its conditional UPDATE moved ``next_run_at``.
    A new job runs at the first opportunity.
    """
    ran = []
    for job in list(JOBS.values()):
        now = timezone.now()
        PeriodicJob.objects.bulk_create(
            [PeriodicJob(name=job.name, next_run_at=now)], ignore_conflicts=True
        )
        taken = PeriodicJob.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.every, last_started_at=now
        )
        if not taken:
            continue
        error = ""
        try:
            job.func()
        except Exception as exc:
            logger.exception("periodic job %s failed", job.name)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        PeriodicJob.objects.filter(name=job.name).update(
            last_finished_at=timezone.now(), last_error=error
        )
        ran.append(job.name)
    return ran


# --- the loop --------------------------------------------------------------------------


@contextmanager
def _signals_handled(stop: Stop) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _connections_refresh() -> None:
    # A long-running process must drop broken or expired connections itself, as Django
    # does around each request. Not inside an atomic block (tests run the worker in one).
    if not connection.in_atomic_block:
        close_old_connections()


def worker_run(
    *,
    once: bool = False,
    interval: float = 5.0,
    stop: Stop | None = None,
    parent_pid: int | None = None,
    log: Callable[[str], None] = lambda _msg: None,
) -> SendReport:
    """Send due messages and run due jobs; with ``once``, a single round, else until
    stopped, waking every ``interval`` seconds (or sooner when this process queues a
    message). With ``parent_pid``, also stop once that process is gone (`motcua serve`
    killed before it could stop its worker)."""
    stop = stop or Stop()
    jobs_discover()
    total = SendReport()
    failures = 0
    with _signals_handled(stop):
        while not stop.requested:
            if parent_pid is not None and os.getppid() != parent_pid:
                log("tiến trình cha đã dừng, dừng theo")
                break
            try:
                _connections_refresh()
                outbox_wakeup.clear()
                ran = jobs_run_due()
                report = outbox_drain(stop=stop)
            except TRANSIENT_DB_ERRORS as exc:
                if once or connection.in_atomic_block:
                    raise  # a single round (or a test's transaction) reports it as it is
                failures += 1
                delay = db_retry_delay(failures)
                logger.warning(
                    "worker: database unavailable (%s: %s), retry %d in %g s",
                    type(exc).__name__,
                    exc,
                    failures,
                    delay,
                )
                log(f"cơ sở dữ liệu tạm không dùng được ({exc}); thử lại sau {delay:g} giây")
                # A broken or locked connection is not reused: the next round opens a new one.
                connection.close()
                outbox_wakeup.clear()
                _wait(stop, delay)
                continue
            if failures:
                logger.warning("worker: database available again after %d failed rounds", failures)
                failures = 0
            heartbeat_write(HEARTBEAT, interval=interval)
            total = total + report
            if report.sent or report.retrying or report.failed or ran:
                log(
                    f"đã gửi {report.sent}, chờ gửi lại {report.retrying}, "
                    f"lỗi {report.failed}; công việc định kỳ: {', '.join(ran) or '-'}"
                )
            if once:
                break
            outbox_wakeup.wait(interval)
    _connections_refresh()
    return total


def _wait(stop: Stop, seconds: float) -> None:
    """Sleep ``seconds`` unless a stop is requested (the signal handler sets the wake-up)."""
    deadline = time.monotonic() + seconds
    while not stop.requested and (left := deadline - time.monotonic()) > 0:
        outbox_wakeup.wait(left)
        outbox_wakeup.clear()
