"""Reads of the configuration, kept per process between requests while it is unchanged.

Issue 15 (the speed of intake): a receipt read the catalogue (the procedure's version in
force, its parts and steps), the agency register (the intake point's committee, the agencies
that ended), the calendar overrides and the webhook subscriptions: eight queries that give the
same answer to every receipt of the day. They now cost one: the **config stamp**.

**The stamp** is one row (``core.ConfigStamp``). The database replaces its value with a new
random number whenever a row of a *watched* table is inserted, updated or deleted: by a trigger
(``config_triggers_install``, run after every ``migrate``), so that a bulk update, the admin, an
import, raw SQL or another process all count, and nothing that writes has to remember it. A
reader reads the stamp (``config_stamp``); a value kept under the same stamp is still true.
A second row, ``ACCESS``, does the same for the API's tokens, the accounts and the staff
profiles: a token's check (``api.tokens``) is kept under both, and a token revoked, an account
disabled or a profile moved to another agency is seen by the next call, in every process.

Why a random value rather than a counter: a transaction that changed the configuration and
rolled back leaves the row as it was, and a counter would give the next change the same value
as the abandoned one, whose reads (made inside it, of rows that never were) may have been kept.
A new random value is never met twice.

Why it is safe under concurrency: the stamp is read before what is kept, so what is kept is at
least as new as its stamp; a change committed meanwhile gives a new stamp, and the next reader
reads again. The stamp and the reads go to the same database (the primary, or the replica of
a marked block: ``core.dbrouter``), kept apart by alias.

**Within a request** the stamp is read once (``request_memo``). A request that changes the
configuration and reads it back must see its change: saving or deleting a watched model drops
that memo (signals, connected in ``core.apps``), and services that write in bulk call
``config_changed()``.

**What is kept** is pickled, and each read unpickles a new copy (15 µs against 1.3 ms for the
query it replaces): a caller may change what it gets, and no two threads share a model
instance. Plain values that no caller changes are kept and given as they are (``shared``).
At most ``MAX_ENTRIES`` values are kept; past that the process starts afresh.

A read kept here must read only watched tables: ``tests/core/test_config_cache.py`` runs each
and checks the tables it queried.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable, Hashable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.apps import apps
from django.conf import settings
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

T = TypeVar("T")


@dataclass(frozen=True)
class Watch:
    """A group of tables whose writes change one row of the stamp table (``row``), through
    the database function or triggers named ``trigger``."""

    row: int
    models: tuple[str, ...]
    trigger: str
    # Columns whose update alone changes nothing kept (a sign-in's ``last_login``).
    ignored: tuple[str, ...] = ()
    # Whether saving or deleting one of the models drops the request's stamps (signals). Off
    # for big tables deleted in bulk: a delete signal makes Django load every row it deletes;
    # their writers call ``config_changed()``.
    signals: bool = True


# The configuration: the models whose tables the kept reads read, by label (their
# many-to-many tables too).
CONFIG = Watch(
    1,
    (
        "agencies.Agency",
        "catalog.Field",
        "catalog.Procedure",
        "catalog.ProcedureVersion",
        "catalog.ProvinceWideListing",
        "catalog.WorkflowStep",
        "catalog.Part",
        "workdays.CalendarOverride",
        "webhooks.Subscription",
    ),
    "motcua_config_touch",
)
# Who may call: the API's tokens with their accounts and staff profiles. A row of its own:
# a token's use, recorded once a minute, and a sign-in (``last_login``) change it, and must
# neither wait for a long catalogue import holding the configuration's row nor make every
# process read the catalogue again.
ACCESS = Watch(
    2,
    ("api.ApiToken", settings.AUTH_USER_MODEL, "core.StaffProfile"),
    "motcua_access_touch",
    ignored=("last_login",),
)
# The rollup's balances at its checkpoints (``rollup``): written once a day and on the rare
# path of a change to an older month; every change asks when the latest is.
BALANCES = Watch(3, ("rollup.MonthBalance",), "motcua_balances_touch", signals=False)
WATCHES = (CONFIG, ACCESS, BALANCES)
MAX_ENTRIES = 4096

_MEMO = "core.config_stamp"
_VOLATILE = "volatile"
# (alias, key) -> (the stamps it was read under, its pickle or, ``shared``, itself)
_entries: dict[tuple[str, Hashable], tuple[tuple[int, ...], object]] = {}
_lock = threading.Lock()


def watched_models(watch: Watch = CONFIG) -> list[type[Model]]:
    return [apps.get_model(label) for label in watch.models]


def watched_tables(watch: Watch = CONFIG) -> list[str]:
    """The tables of ``watch``'s models and their many-to-many tables."""
    tables: list[str] = []
    for model in watched_models(watch):
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = cast(type[Model], field.remote_field.through)
            if through._meta.auto_created:
                tables.append(through._meta.db_table)
    return tables


def _stamp_table() -> str:
    return cast(str, apps.get_model("core.ConfigStamp")._meta.db_table)


def _read_stamps(alias: str) -> dict[int, int]:
    connection = connections[alias]
    table = connection.ops.quote_name(_stamp_table())
    with connection.cursor() as cursor:
        rows = ", ".join(str(int(w.row)) for w in WATCHES)
        cursor.execute(f"SELECT id, value FROM {table} WHERE id IN ({rows})")
        return {int(row): int(value) for row, value in cursor.fetchall()}


def _stamps(alias: str) -> dict[int, int]:
    """The stamps, read once per request: until the request changes a watched table
    (``config_changed``); from then on, read each time, for the change may yet be rolled
    back (a savepoint) and what was read inside it must not outlive it."""
    from motcua.core.access import request_memo

    by_alias: dict[str, dict[int, int]] = request_memo(_MEMO, 0, dict)
    if _VOLATILE in by_alias:
        return _read_stamps(alias)
    if alias not in by_alias:
        by_alias[alias] = _read_stamps(alias)
    return by_alias[alias]


def config_stamp(alias: str, watch: Watch = CONFIG) -> int | None:
    """The stamp of ``watch`` on database ``alias``, read once per request (every watch in
    one query); None when its row is missing (a database flushed by a test), and then
    nothing is kept."""
    return _stamps(alias).get(watch.row)


def config_cached(
    key: Hashable,
    load: Callable[[], T],
    *,
    watches: tuple[Watch, ...] = (CONFIG,),
    keep_none: bool = True,
    shared: bool = False,
) -> T:
    """``load()``'s answer, kept under ``key`` while the tables of ``watches`` (by default
    the configuration) are unchanged: a new copy each time. ``load`` must read only those
    tables (the module's docstring). ``keep_none``: False not to keep a None (a token nobody
    has: anyone may send those, and they must not fill the memory). ``shared``: the value
    itself, not a copy, to every caller and thread: only for plain values (numbers, dates,
    tuples, frozen dataclasses, and dicts and lists of them) that no caller changes."""
    model = apps.get_model("core.ConfigStamp")
    alias = router.db_for_read(model) or "default"
    stamps = _stamps(alias)
    stamp = tuple(stamps.get(w.row) for w in watches)
    if None in stamp:
        return load()
    entry_key = (alias, key)
    entry = _entries.get(entry_key)
    if entry is not None and entry[0] == stamp:
        return cast(T, entry[1] if shared else pickle.loads(cast(bytes, entry[1])))
    value = load()
    if value is None and not keep_none:
        return value
    blob = value if shared else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[entry_key] = (cast(tuple[int, ...], stamp), blob)
    return value


def config_changed(*_args: Any, **_kwargs: Any) -> None:
    """This request changed a watched table: read the stamps afresh at every later read of
    the request (the database has already changed them). A signal receiver, too."""
    from motcua.core.access import request_memo_put

    # Outside a request the stamps are read each time anyway.
    with suppress(RuntimeError):
        request_memo_put(_MEMO, 0, {_VOLATILE: {}})


def config_cache_clear() -> None:
    """Forget every kept value of this process (tests; never needed for correctness)."""
    with _lock:
        _entries.clear()
    config_changed()


# --- the triggers ---------------------------------------------------------------------------


def _columns(model: type[Model], watch: Watch) -> list[str]:
    """The columns of ``model`` whose update changes ``watch``'s stamp."""
    return [
        f.column
        for f in model._meta.concrete_fields
        if f.column is not None and f.column not in watch.ignored
    ]


def _watched(watch: Watch, existing: set[str]) -> list[tuple[str, list[str]]]:
    """(table, the columns whose update counts) of ``watch``, for the tables that exist."""
    found: list[tuple[str, list[str]]] = []
    for model in watched_models(watch):
        found.append((model._meta.db_table, _columns(model, watch)))
        for field in model._meta.local_many_to_many:
            through = cast(type[Model], field.remote_field.through)
            if through._meta.auto_created:
                found.append((through._meta.db_table, _columns(through, watch)))
    return [(table, columns) for table, columns in found if table in existing]


def config_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Make every watched table change its watch's stamp, make the stamps' rows exist, and
    give every stamp a new value. Idempotent: run after every ``migrate`` (``core.apps``),
    so that a migration that rebuilds a table (SQLite does, to alter a column), and with it
    drops its triggers, gets them back, and whatever was written meanwhile is read again.

    PostgreSQL: one trigger per table, ``BEFORE`` each statement, so that a transaction
    takes the stamp's row lock before the rows its statement locks: two transactions that
    write the configuration wait for each other and never deadlock on it. SQLite has one
    writer at a time: a trigger per row and operation."""
    existing = set(connection.introspection.table_names())
    stamp = _stamp_table()
    if stamp not in existing:
        return
    quote = connection.ops.quote_name
    random_value = (
        "floor(random() * 9007199254740991)::bigint"
        if connection.vendor == "postgresql"
        else "random()"
    )
    with connection.cursor() as cursor:
        for watch in WATCHES:
            cursor.execute(
                f"INSERT INTO {quote(stamp)} (id, value) SELECT %s, {random_value} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {quote(stamp)} WHERE id = %s)",
                [watch.row, watch.row],
            )
            tables = _watched(watch, existing)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {watch.trigger}() RETURNS trigger "
                    # The schema of the tables, whatever the search path of who writes.
                    "LANGUAGE plpgsql SET search_path FROM CURRENT AS $$ BEGIN "
                    f"UPDATE {quote(stamp)} SET value = {random_value} "
                    f"WHERE id = {int(watch.row)}; RETURN NULL; END $$"
                )
                for table, columns in tables:
                    of = ", ".join(quote(c) for c in columns)
                    cursor.execute(f"DROP TRIGGER IF EXISTS {watch.trigger} ON {quote(table)}")
                    cursor.execute(
                        f"CREATE TRIGGER {watch.trigger} "
                        f"BEFORE INSERT OR UPDATE OF {of} OR DELETE OR TRUNCATE "
                        f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {watch.trigger}()"
                    )
            elif connection.vendor == "sqlite":
                for table, columns in tables:
                    for operation in ("INSERT", "UPDATE", "DELETE"):
                        name = quote(f"{watch.trigger}_{table}_{operation.lower()}")
                        when = operation
                        if operation == "UPDATE":
                            when += " OF " + ", ".join(quote(c) for c in columns)
                        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                        cursor.execute(
                            f"CREATE TRIGGER {name} AFTER {when} ON {quote(table)} BEGIN "
                            f"UPDATE {quote(stamp)} SET value = random() "
                            f"WHERE id = {int(watch.row)}; END"
                        )
            cursor.execute(
                f"UPDATE {quote(stamp)} SET value = {random_value} WHERE id = %s", [watch.row]
            )


def config_triggers_drop(connection: BaseDatabaseWrapper) -> None:
    """Remove every trigger of ``config_triggers_install`` (migration core 0009 undone: the
    triggers would write to a table that is gone)."""
    existing = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for watch in WATCHES:
            for table, _unused in _watched(watch, existing):
                if connection.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {watch.trigger} ON {quote(table)}")
                elif connection.vendor == "sqlite":
                    for operation in ("insert", "update", "delete"):
                        name = quote(f"{watch.trigger}_{table}_{operation}")
                        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP FUNCTION IF EXISTS {watch.trigger}()")


def config_triggers_missing(connection: BaseDatabaseWrapper) -> list[str]:
    """The watched tables without their trigger (none after ``migrate``)."""
    missing: list[str] = []
    with connection.cursor() as cursor:
        for watch in WATCHES:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname = %s",
                    [watch.trigger],
                )
                have = {row[0] for row in cursor.fetchall()}
                missing += [t for t in watched_tables(watch) if t not in have]
                continue
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            found = {(table, name) for table, name in cursor.fetchall()}
            missing += [
                t
                for t in watched_tables(watch)
                if any(
                    (t, f"{watch.trigger}_{t}_{op}") not in found
                    for op in ("insert", "update", "delete")
                )
            ]
    return missing
