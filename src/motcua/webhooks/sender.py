"""Sending webhook deliveries: claimed like the notify outbox, signed, retried with back-off.

Order: a subscription's deliveries go out one at a time, oldest first. Only the oldest
pending delivery of each subscription (its head) can be claimed, so two deliveries of one
subscription are never in flight at once, and a receiver that is down holds its queue back
until the head is delivered or has failed for good. (Two events written by concurrent
transactions may commit in the other order than their ids: the later one can then go first.)

The claim is a lease, as in ``notify.worker``: a worker that dies mid-send leaves its
delivery to be taken over once ``LEASE`` has run out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from motcua.notify.worker import SendReport, Stop, worker_id
from motcua.webhooks.addresses import webhook_address_check
from motcua.webhooks.models import Delivery, DeliveryStatus

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, … failed attempt; after the last, the delivery has failed.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# Longer than any POST may take (the timeout setting is seconds).
LEASE = dt.timedelta(minutes=5)
BATCH = 50
USER_AGENT = "motcua-webhooks/1"
# How much of a refusing receiver's answer the log keeps.
ERROR_BODY = 500
# ``last_error`` of a delivery dropped because its subscription was switched off.
INACTIVE_ERROR = "subscription inactive: not sent"


def retry_delay(attempts: int) -> dt.timedelta | None:
    """How long to wait after the ``attempts``-th failed attempt; None when it was the last."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`` (docs/api.md, Webhooks)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def timeout_seconds() -> float:
    return float(settings.MOTCUA["WEBHOOK_TIMEOUT"])


# --- claiming -----------------------------------------------------------------------------


def _head_ids() -> list[int]:
    """The oldest pending delivery of each subscription."""
    heads = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .values("subscription")
        .annotate(first=Min("id"))
        .values_list("first", flat=True)
    )
    return list(heads)


def deliveries_of_inactive_fail(*, now: dt.datetime | None = None) -> int:
    """Fail, with a reason, the pending deliveries of switched-off subscriptions, except one
    a worker is sending right now (its lease runs): a deactivated receiver must not go on
    getting queued personal data. Replaying one after reactivation sends it. How many."""
    now = now or timezone.now()
    count = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING, subscription__active=False)
        .filter(Q(claimed_by="") | Q(next_attempt_at__lte=now))
        .update(status=DeliveryStatus.FAILED, claimed_by="", last_error=INACTIVE_ERROR)
    )
    if count:
        logger.warning("webhook: %s deliveries of inactive subscriptions not sent", count)
    return count


def deliveries_claim(*, limit: int = BATCH, claimer: str | None = None) -> list[Delivery]:
    """Take up to ``limit`` due deliveries, at most one per subscription (its head), of
    active subscriptions only (an inactive one's queue is failed first)."""
    claimer = claimer or worker_id()
    now = timezone.now()
    with transaction.atomic():
        deliveries_of_inactive_fail(now=now)
        heads = _head_ids()
        if not heads:
            return []
        due = Delivery.objects.filter(
            id__in=heads,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            subscription__active=True,
        )
        qs = due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        ids = list(qs)
        if not ids:
            return []
        # Re-checked: a row another worker claimed since our SELECT is not taken twice.
        Delivery.objects.filter(
            id__in=ids,
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            subscription__active=True,
        ).update(claimed_by=claimer, next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    return list(
        Delivery.objects.filter(id__in=ids, claimed_by=claimer)
        .select_related("subscription")
        .order_by("id")
    )


# --- sending ------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect is an answer that is not 2xx: retried, never followed (a POST followed
    # as a GET would lose the body, and the signed URL is the subscription's).
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int


def delivery_post(delivery: Delivery) -> Outcome:
    """POST the delivery's event to its subscription's URL, signed; never raises."""
    sub = delivery.subscription
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        sub.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Motcua-Event": str(delivery.payload.get("type", "")),
            "X-Motcua-Delivery": str(delivery.pk),
            "X-Motcua-Timestamp": timestamp,
            "X-Motcua-Signature": signature(sub.secret, timestamp, body),
        },
    )
    started = time.monotonic()
    status: int | None = None
    error = ""
    try:
        # Again at each send: the host may resolve elsewhere than when it was subscribed.
        webhook_address_check(sub.url)
        with _opener.open(request, timeout=timeout_seconds()) as response:
            status = response.status
            response.read(ERROR_BODY)
    except urllib.error.HTTPError as exc:
        status = exc.code
        try:
            answer = exc.read(ERROR_BODY).decode("utf-8", "replace")
        except OSError:  # the receiver hung up mid-answer: its status is enough
            answer = ""
        error = f"HTTP {exc.code}: {answer}".rstrip(": ")
    except Exception as exc:  # refused, timed out, DNS, TLS: all retried alike
        error = f"{type(exc).__name__}: {exc}"
    duration = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    if not ok and not error:
        error = f"HTTP {status}"
    return Outcome(ok=ok, status_code=status, error=error[:2000], duration_ms=duration)


def _finish(delivery: Delivery, claimer: str, **fields: object) -> None:
    # Only the holder of the claim records the outcome (a lease taken over wins).
    Delivery.objects.filter(id=delivery.pk, claimed_by=claimer).update(claimed_by="", **fields)


def deliveries_send_due(*, limit: int = BATCH, stop: Stop | None = None) -> SendReport:
    """Claim and send due deliveries until ``limit`` have been tried or none is due. A
    delivered head lets its subscription's next delivery be claimed in the next round."""
    claimer = worker_id()
    report = SendReport()
    tried = 0
    while tried < limit and not (stop is not None and stop.requested):
        batch = deliveries_claim(limit=limit - tried, claimer=claimer)
        if not batch:
            break
        for delivery in batch:
            tried += 1
            if stop is not None and stop.requested:
                _finish(
                    delivery, claimer, next_attempt_at=timezone.now(), attempts=F("attempts") - 1
                )
                continue
            outcome = delivery_post(delivery)
            common = {
                "last_status_code": outcome.status_code,
                "last_duration_ms": outcome.duration_ms,
                "last_error": outcome.error,
            }
            now = timezone.now()
            if outcome.ok:
                _finish(
                    delivery, claimer, status=DeliveryStatus.DELIVERED, delivered_at=now, **common
                )
                report.sent += 1
                continue
            delay = retry_delay(delivery.attempts)
            if delay is None:
                logger.error("webhook delivery %s failed for good: %s", delivery.pk, outcome.error)
                _finish(delivery, claimer, status=DeliveryStatus.FAILED, **common)
                report.failed += 1
            else:
                logger.warning(
                    "webhook delivery %s failed, retry in %s: %s", delivery.pk, delay, outcome.error
                )
                _finish(delivery, claimer, next_attempt_at=now + delay, **common)
                report.retrying += 1
    return report
