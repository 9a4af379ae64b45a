"""Login throttling, at three levels, so that guessing is slow and a colleague cannot be
locked out for good:

- one username from one address: after ``MAX_FAILURES`` failures within ``WINDOW`` the pair
  is locked for ``LOCKOUT`` (a mistyped password on one's own computer);
- one address, any usernames: after ``ADDRESS_MAX_FAILURES`` failures within ``WINDOW`` the
  address is locked (password spraying: one guess for each of many accounts);
- one username, any addresses: after ``ACCOUNT_MAX_FAILURES`` failures within ``WINDOW`` the
  account is locked (guessing one account from many machines) — but not on the addresses
  from which that account logged in successfully within ``KNOWN_FOR``: an attacker elsewhere
  cannot keep the owner out of their own office computer.

Address and account locks last ``LOCKOUT`` the first time and double with each further lock
within ``BACKOFF_MEMORY``, up to ``MAX_LOCKOUT``: they always end by themselves. A
successful login lifts the account's lock and restarts its counts; an administrator lifts
any lock in the admin ("Đăng nhập không thành công", action "Mở khóa"), through ``login_unlock``.

Citizens and staff are counted apart (``LoginRealm``): failures on the portal's login
never lock the staff login, nor the other way round. And for staff an address from which the
account logged in successfully within ``KNOWN_FOR`` is exempt from the address lock too, not
only from the account lock: a crowd of failures behind the office's NAT (or from every client,
when ``MOTCUA_TRUSTED_PROXIES`` is wrong and all requests seem to come from the proxy) cannot
keep a department out of its own computers. Citizens get no such exemption: the public
address lock is what stops spraying, and a citizen has the password recovery.

Failures that led to a lock are spent: counting starts again after the lock was set. Rows
live in one table (``LoginFailure``, shared by every server process) and are pruned on each
successful login.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from motcua.core.audit import Actor, audit_log
from motcua.core.models import LoginFailure, LoginRealm, LoginScope

MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 20
ACCOUNT_MAX_FAILURES = 10
WINDOW = dt.timedelta(minutes=15)
LOCKOUT = dt.timedelta(minutes=15)
MAX_LOCKOUT = dt.timedelta(hours=4)
BACKOFF_MEMORY = dt.timedelta(hours=24)
KNOWN_FOR = dt.timedelta(days=30)


@dataclass(frozen=True)
class LoginLock:
    scope: LoginScope
    until: dt.datetime


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def _known_address(key: str, ip: str, now: dt.datetime, realm: str) -> bool:
    return LoginFailure.objects.filter(
        realm=realm, scope=LoginScope.KNOWN, username=key, ip=ip, at__gt=now - KNOWN_FOR
    ).exists()


def login_lock(*, username: str, ip: str, realm: str = LoginRealm.STAFF) -> LoginLock | None:
    """The lock that refuses a login of ``username`` from ``ip`` on the ``realm``'s login
    now (the one ending last), or None."""
    now = timezone.now()
    key = _key(username)
    applies = (
        Q(scope=LoginScope.PAIR, username=key, ip=ip)
        | Q(scope=LoginScope.ADDRESS, ip=ip)
        | Q(scope=LoginScope.ACCOUNT, username=key)
    )
    locks = list(LoginFailure.objects.filter(applies, realm=realm, locked_until__gt=now))
    exempt = {LoginScope.ACCOUNT}
    if realm == LoginRealm.STAFF:
        exempt.add(LoginScope.ADDRESS)
    if any(lock.scope in exempt for lock in locks) and _known_address(key, ip, now, realm):
        locks = [lock for lock in locks if lock.scope not in exempt]
    if not locks:
        return None
    last = max(locks, key=lambda lock: lock.locked_until or now)
    assert last.locked_until is not None
    return LoginLock(scope=LoginScope(last.scope), until=last.locked_until)


def login_locked_until(
    *, username: str, ip: str, realm: str = LoginRealm.STAFF
) -> dt.datetime | None:
    """When the lock on this username and address ends, or None if not locked."""
    lock = login_lock(username=username, ip=ip, realm=realm)
    return lock.until if lock else None


def _lock_if_reached(
    *, scope: LoginScope, limit: int, username: str, ip: str, now: dt.datetime, realm: str
) -> bool:
    """Lock ``scope`` if its failures since the window began (or since its last lock)
    reached ``limit``; True if a lock was set."""
    same = {
        LoginScope.PAIR: Q(username=username, ip=ip),
        LoginScope.ADDRESS: Q(ip=ip),
        LoginScope.ACCOUNT: Q(username=username),
    }[scope]
    lock_key = {
        LoginScope.PAIR: {"username": username, "ip": ip},
        LoginScope.ADDRESS: {"username": "", "ip": ip},
        LoginScope.ACCOUNT: {"username": username, "ip": ""},
    }[scope]
    locks = LoginFailure.objects.filter(realm=realm, scope=scope, **lock_key)
    # Failures count from the last lock of this scope or the last successful login that
    # concerns it, whichever came later (by row id: several rows may share an instant).
    markers = [locks.order_by("-id").values_list("id", flat=True).first()]
    if scope != LoginScope.ADDRESS:
        successes = LoginFailure.objects.filter(
            realm=realm, scope=LoginScope.KNOWN, username=username
        )
        if scope == LoginScope.PAIR:
            successes = successes.filter(ip=ip)
        markers.append(successes.order_by("-id").values_list("id", flat=True).first())
    after = max((m for m in markers if m is not None), default=0)
    failures = LoginFailure.objects.filter(
        same, realm=realm, scope=LoginScope.FAILURE, at__gt=now - WINDOW, id__gt=after
    ).count()
    if failures < limit:
        return False
    if scope == LoginScope.PAIR:
        length = LOCKOUT
    else:
        earlier = locks.filter(at__gt=now - BACKOFF_MEMORY).count()
        length = min(LOCKOUT * 2**earlier, MAX_LOCKOUT)
    LoginFailure.objects.create(
        realm=realm, scope=scope, at=now, locked_until=now + length, **lock_key
    )
    audit_log(
        actor=username or "anonymous",
        action="login.locked",
        object_type="user",
        object_id=username or ip,
        data={
            "scope": str(scope),
            "realm": str(realm),
            "minutes": int(length.total_seconds() // 60),
        },
        ip=ip,
    )
    return True


def login_failure_record(
    *, username: str, ip: str, realm: str = LoginRealm.STAFF
) -> LoginLock | None:
    """Record a failed login (or a wrong second-factor code) on the ``realm``'s login;
    returns the lock now refusing this username and address, if this failure reached a
    limit (or one was already set)."""
    now = timezone.now()
    key = _key(username)
    LoginFailure.objects.create(realm=realm, scope=LoginScope.FAILURE, username=key, ip=ip, at=now)
    locked = False
    for scope, limit in (
        (LoginScope.PAIR, MAX_FAILURES),
        (LoginScope.ADDRESS, ADDRESS_MAX_FAILURES),
        (LoginScope.ACCOUNT, ACCOUNT_MAX_FAILURES),
    ):
        locked = (
            _lock_if_reached(scope=scope, limit=limit, username=key, ip=ip, now=now, realm=realm)
            or locked
        )
    if not locked:
        audit_log(
            actor=key or "anonymous",
            action="login.failed",
            object_type="user",
            object_id=key,
            data={"realm": str(realm)},
            ip=ip,
        )
    return login_lock(username=key, ip=ip, realm=realm)


def login_record_failure(
    *, username: str, ip: str, realm: str = LoginRealm.STAFF
) -> dt.datetime | None:
    """``login_failure_record``, returning only when the lock ends."""
    lock = login_failure_record(username=username, ip=ip, realm=realm)
    return lock.until if lock else None


def login_record_success(*, username: str, ip: str, realm: str = LoginRealm.STAFF) -> None:
    """A successful login: the account's lock and this address's lock on the username are
    lifted, their failures no longer count, and the address is remembered as one the
    account uses (exempt from account locks)."""
    now = timezone.now()
    key = _key(username)
    # Locks are lifted, not deleted: they stay as the history that doubles the next one.
    LoginFailure.objects.filter(
        Q(scope=LoginScope.PAIR, ip=ip) | Q(scope=LoginScope.ACCOUNT),
        realm=realm,
        username=key,
        locked_until__gt=now,
    ).update(locked_until=now)
    # A new row each time: its id marks where counting starts again (see _lock_if_reached).
    LoginFailure.objects.filter(realm=realm, scope=LoginScope.KNOWN, username=key, ip=ip).delete()
    LoginFailure.objects.create(realm=realm, scope=LoginScope.KNOWN, username=key, ip=ip, at=now)
    # Old rows of everyone else are pruned here too, so the table stays small without a job.
    LoginFailure.objects.filter(
        Q(scope=LoginScope.KNOWN, at__lt=now - KNOWN_FOR)
        | (
            ~Q(scope=LoginScope.KNOWN)
            & Q(at__lt=now - BACKOFF_MEMORY - MAX_LOCKOUT)
            & (Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        )
    ).delete()


def login_unlock(*, actor: Actor, username: str = "", ip: str = "") -> int:
    """An administrator lifts the locks (and spent failures) on a username and/or an
    address; returns how many locks were lifted. Audited as ``login.unlocked``."""
    key = _key(username)
    match = Q()
    if key:
        match &= Q(username=key)
    if ip:
        match &= Q(ip=ip)
    if not match:
        return 0
    rows = LoginFailure.objects.filter(match).exclude(scope=LoginScope.KNOWN)
    lifted = rows.filter(locked_until__gt=timezone.now()).count()
    rows.delete()
    audit_log(
        actor=actor,
        action="login.unlocked",
        object_type="user",
        object_id=key or ip,
        data={"username": key, "ip": ip, "locks": lifted},
    )
    return lifted
