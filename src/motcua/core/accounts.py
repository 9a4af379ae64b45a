"""Login throttling: after ``MAX_FAILURES`` failed logins for one username from one address
within ``WINDOW``, that pair is locked for ``LOCKOUT``.

Per username *and* address, so that an attacker cannot lock a colleague out from elsewhere
by guessing their username, and a shared office address does not lock everyone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.core.audit import audit_log
from motcua.core.models import LoginFailure

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def login_locked_until(*, username: str, ip: str) -> dt.datetime | None:
    """When the lock on this username and address ends, or None if not locked."""
    now = timezone.now()
    failure = (
        LoginFailure.objects.filter(username=_key(username), ip=ip, locked_until__gt=now)
        .order_by("-locked_until")
        .first()
    )
    return failure.locked_until if failure else None


def login_record_failure(*, username: str, ip: str) -> dt.datetime | None:
    """Record a failed login; returns the end of the lock if this failure reached the limit."""
    now = timezone.now()
    key = _key(username)
    recent = LoginFailure.objects.filter(
        username=key, ip=ip, at__gt=now - WINDOW, locked_until__isnull=True
    ).count()
    locked_until = now + LOCKOUT if recent + 1 >= MAX_FAILURES else None
    LoginFailure.objects.create(username=key, ip=ip, at=now, locked_until=locked_until)
    audit_log(
        actor=key or "anonymous",
        action="login.locked" if locked_until else "login.failed",
        object_type="user",
        object_id=key,
        ip=ip,
    )
    if locked_until:
        # The failures that led to the lock are spent: after it the count starts again.
        LoginFailure.objects.filter(username=key, ip=ip, locked_until__isnull=True).delete()
    return locked_until


def login_record_success(*, username: str, ip: str) -> None:
    LoginFailure.objects.filter(username=_key(username), ip=ip).delete()
    # Old rows of everyone else are pruned here too, so the table stays small without a job.
    LoginFailure.objects.filter(at__lt=timezone.now() - WINDOW - LOCKOUT).delete()
