"""Reads that tolerate a little lag go to a streaming replica; everything else to the primary.

``DATABASE_REPLICA_URLS`` (settings) adds the aliases ``replica_0``, ``replica_1`` … Nothing
is sent to them unless a read is marked: ``with reads_from_replica():`` (or the decorator
``@reads_from_replica()``) around the public lookup, the reports, the dashboard, the API's
lists and the staff pages that list (the inbox, the counter's lists, the register; a
dossier's page with its action forms stays on the primary: docs/operations.md).
Marking is explicit because a read routed by accident to a replica that is a second behind
is a bug nobody sees in development (one database) and few see in production.

Inside a marked block the read still goes to the primary when:
- there is no replica (the setting unset: one database, as before);
- the primary's connection is inside a transaction (what it wrote must be read back);
- the person wrote a moment ago: a write request (POST, PUT, PATCH, DELETE) sets a cookie
  stamp, and for ``MOTCUA_READ_YOUR_WRITES_SECONDS`` after it that browser's reads all go to
  the primary (``ReadYourWritesMiddleware``), so a citizen who has just sent a supplement
  never sees the dossier as it was before;
- the person wrote less than ``POSITION_SECONDS`` ago and no replica has yet replayed the
  primary's WAL position at the end of that write (kept in the same cookie): a replica held
  back longer than the window (a long report query delaying replay, up to
  ``max_standby_streaming_delay``) is skipped for that person until it has their write;
- every replica is down: the connection is tried when the block starts, a failure is
  logged and that replica is left alone for ``MOTCUA_REPLICA_RETRY_SECONDS``.

Sessions, accounts, the second factor and the cache table always stay on the primary:
a session made a second ago must be found.

Migrations run on the primary only (``allow_migrate``); the replicas get them by streaming.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import random
import re
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

REPLICA_PREFIX = "replica_"
# The cookie stamped on a write request: the time of the write (seconds since the epoch),
# then ":" and the primary's WAL insert position after it on PostgreSQL ("16/B374D848").
WROTE_COOKIE = "motcua_wrote"
# How long after a write the writer's reads check that a replica has replayed it.
POSITION_SECONDS = 900
_POSITION = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")
# Apps whose rows are read right after they are written by the same request or the next one.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "contenttypes", "django_cache", "otp_totp", "otp_static", "django_otp"}
)

# The alias of the current marked block (None: outside any, or pinned to the primary).
_replica_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "motcua_replica_alias", default=None
)
# True for the duration of a request that must read from the primary (it writes, or the
# person wrote a moment ago).
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("motcua_pinned", default=False)
# The WAL position a replica must have replayed to serve this request's reads (the person's
# last write, past the time window), or None.
_min_position: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "motcua_min_position", default=None
)
# Replica alias -> the monotonic time before which it is not tried again.
_down_until: dict[str, float] = {}


def replica_aliases() -> list[str]:
    return [alias for alias in connections if alias.startswith(REPLICA_PREFIX)]


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, "MOTCUA", {}).get(name, default))


def _usable(alias: str) -> bool:
    """Whether ``alias`` answers now; a failure is logged and remembered for a while."""
    now = time.monotonic()
    if _down_until.get(alias, 0.0) > now:
        return False
    connection = connections[alias]
    try:
        # Django's own health check (CONN_HEALTH_CHECKS), once per request: a kept
        # connection to a replica that has since stopped is noticed here, not mid-page.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        _mark_down(alias, error)
        return False
    _down_until.pop(alias, None)
    return True


def _choose() -> str:
    """The alias the reads of a new marked block go to."""
    aliases = replica_aliases()
    if not aliases or _pinned.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    random.shuffle(aliases)
    position = _min_position.get()
    for alias in aliases:
        if _usable(alias) and (position is None or _replayed(alias, position)):
            return alias
    return DEFAULT_DB_ALIAS


def _replayed(alias: str, position: str) -> bool:
    """Whether the replica has replayed the primary's WAL up to ``position``."""
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            row = cursor.fetchone()
    except DatabaseError as error:
        _mark_down(alias, error)
        return False
    if not (row and row[0]):
        logger.info("Replica %s has not replayed %s yet: reading from the primary", alias, position)
        return False
    return True


def _primary_position() -> str | None:
    """The primary's WAL insert position now (after a request's writes), PostgreSQL only. The
    insert position, not the write position: with ``synchronous_commit = off`` a commit
    returns before its WAL is written."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            row = cursor.fetchone()
    except DatabaseError:
        return None
    value = str(row[0]) if row else ""
    return value if _POSITION.fullmatch(value) else None


def read_alias() -> str:
    """The alias of lag-tolerant reads here: a replica inside a marked block, else the
    primary. For raw cursors (``connections[read_alias()]``) and ``QuerySet.using`` of a
    queryset evaluated after the block ends (a paginated API list)."""
    return _replica_alias.get() or DEFAULT_DB_ALIAS


def _mark_down(alias: str, error: BaseException) -> None:
    retry = _setting("REPLICA_RETRY_SECONDS", 30)
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    logger.warning(
        "Replica %s unavailable, reading from the primary for %s s: %s",
        alias,
        retry,
        first_line or type(error).__name__,
    )
    _down_until[alias] = time.monotonic() + retry
    with suppress(DatabaseError):
        connections[alias].close()


class reads_from_replica:
    """Mark the reads inside as tolerant of a replica's lag (a few seconds at most).

    As a context manager it yields the alias chosen; nested blocks keep the outer one's.
    As a decorator, a function whose read fails on the replica (stopped since the check,
    a query cancelled by recovery) is run once more on the primary: decorate only
    functions that only read."""

    def __init__(self) -> None:
        self._tokens: list[contextvars.Token[str | None]] = []

    def __enter__(self) -> str:
        alias = _replica_alias.get() or _choose()
        self._tokens.append(_replica_alias.set(alias))
        return alias

    def __exit__(self, *exc: object) -> None:
        _replica_alias.reset(self._tokens.pop())

    def __call__(self, function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def reading(*args: P.args, **kwargs: P.kwargs) -> R:
            if _replica_alias.get() is not None:  # inside a block already: its choice
                return function(*args, **kwargs)
            alias = _choose()
            token = _replica_alias.set(alias)
            try:
                return function(*args, **kwargs)
            except DatabaseError as error:
                if alias == DEFAULT_DB_ALIAS:
                    raise
                _mark_down(alias, error)
            finally:
                _replica_alias.reset(token)
            return function(*args, **kwargs)

        return reading


class ReplicaRouter:
    """Django's database router (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        alias = _replica_alias.get()
        if alias is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replicas hold the primary's very rows.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS


def _stamp(request: HttpRequest) -> tuple[bool, str | None]:
    """From the write cookie: whether the sender wrote within the time window, and the WAL
    position a replica must have replayed (past the window, within ``POSITION_SECONDS``).
    A malformed or forged cookie counts as none (its position is never sent to a server
    unchecked)."""
    wrote_at, _sep, position = request.COOKIES.get(WROTE_COOKIE, "").partition(":")
    try:
        age = time.time() - float(wrote_at)
    except ValueError:
        return False, None
    if age < 0:
        return False, None
    if age < _setting("READ_YOUR_WRITES_SECONDS", 10):
        return True, None
    if age < POSITION_SECONDS and _POSITION.fullmatch(position):
        return False, position
    return False, None


class ReadYourWritesMiddleware:
    """Pins a request to the primary when it writes or its sender wrote a moment ago, and
    stamps the answer to a write with the cookie that pins the next ones.

    Only with replicas configured: without them nothing is read or set. The cookie holds
    nothing but a time; a forged one only sends its bearer's reads to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        writes = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        recent, position = _stamp(request)
        token = _pinned.set(writes or recent)
        position_token = _min_position.set(position)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
            _min_position.reset(position_token)
        if writes:
            written = _primary_position()
            window = _setting("READ_YOUR_WRITES_SECONDS", 10)
            response.set_cookie(
                WROTE_COOKIE,
                f"{time.time():.3f}" + (f":{written}" if written else ""),
                max_age=max(window, POSITION_SECONDS) if written else window,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
