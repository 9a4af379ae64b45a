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
instance. At most ``MAX_ENTRIES`` values are kept; past that the process starts afresh.

A read kept here must read only watched tables: ``tests/core/test_config_cache.py`` runs each
and checks the tables it queried.
"""

from __future__ import annotations

import pickle
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from django.apps import apps
from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper

T = TypeVar("T")

# The models whose tables the kept reads read, by label; their many-to-many tables too.
WATCHED_MODELS = (
    "agencies.Agency",
    "catalog.Field",
    "catalog.Procedure",
    "catalog.ProcedureVersion",
    "catalog.ProvinceWideListing",
    "catalog.WorkflowStep",
    "catalog.Part",
    "workdays.CalendarOverride",
    "webhooks.Subscription",
)
MAX_ENTRIES = 4096
TRIGGER = "motcua_config_touch"

_MEMO = "core.config_stamp"
_entries: dict[tuple[str, Hashable], tuple[int, bytes]] = {}
_lock = threading.Lock()


def watched_tables() -> list[str]:
    """The tables of ``WATCHED_MODELS`` and their many-to-many tables."""
    tables: list[str] = []
    for label in WATCHED_MODELS:
        model = apps.get_model(label)
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                tables.append(through._meta.db_table)
    return tables


def _stamp_table() -> str:
    return cast(str, apps.get_model("core.ConfigStamp")._meta.db_table)


def _read_stamp(alias: str) -> int | None:
    connection = connections[alias]
    table = connection.ops.quote_name(_stamp_table())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def config_stamp(alias: str) -> int | None:
    """The configuration's stamp on database ``alias``, read once per request; None when the
    row is missing (a database flushed by a test), and then nothing is kept."""
    from motcua.core.access import request_memo

    stamps: dict[str, int | None] = request_memo(_MEMO, 0, dict)
    if alias not in stamps:
        stamps[alias] = _read_stamp(alias)
    return stamps[alias]


def config_cached(key: Hashable, load: Callable[[], T]) -> T:
    """``load()``'s answer, kept under ``key`` while the configuration is unchanged: a new
    copy each time. ``load`` must read only watched tables (the module's docstring)."""
    model = apps.get_model("core.ConfigStamp")
    alias = router.db_for_read(model) or "default"
    stamp = config_stamp(alias)
    if stamp is None:
        return load()
    entry_key = (alias, key)
    entry = _entries.get(entry_key)
    if entry is not None and entry[0] == stamp:
        return cast(T, pickle.loads(entry[1]))
    value = load()
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[entry_key] = (stamp, blob)
    return value


def config_changed(*_args: Any, **_kwargs: Any) -> None:
    """This request changed the configuration: read the stamp again at its next read (the
    database has already changed it). A signal receiver, too."""
    from motcua.core.access import request_memo_forget

    request_memo_forget(_MEMO)


def config_cache_clear() -> None:
    """Forget every kept value of this process (tests; never needed for correctness)."""
    with _lock:
        _entries.clear()
    config_changed()


# --- the triggers ---------------------------------------------------------------------------


def config_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Make every watched table change the stamp, and make the stamp's row exist. Idempotent:
    run after every ``migrate`` (``core.apps``), so that a migration that rebuilds a table
    (SQLite does, to alter a column), and with it drops its triggers, gets them back."""
    existing = set(connection.introspection.table_names())
    stamp = _stamp_table()
    if stamp not in existing:
        return
    quote = connection.ops.quote_name
    tables = [t for t in watched_tables() if t in existing]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(stamp)} (id, value) SELECT 1, 0 "
            f"WHERE NOT EXISTS (SELECT 1 FROM {quote(stamp)} WHERE id = 1)"
        )
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN UPDATE {quote(stamp)} "
                "SET value = floor(random() * 9007199254740991)::bigint WHERE id = 1; "
                "RETURN NULL; END $$"
            )
            for table in tables:
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {TRIGGER} "
                    f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}()"
                )
        elif connection.vendor == "sqlite":
            for table in tables:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    name = quote(f"{TRIGGER}_{table}_{operation.lower()}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {operation} ON {quote(table)} "
                        f"BEGIN UPDATE {quote(stamp)} SET value = random() WHERE id = 1; END"
                    )


def config_triggers_missing(connection: BaseDatabaseWrapper) -> list[str]:
    """The watched tables without their trigger (none after ``migrate``)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s",
                [TRIGGER],
            )
            have = {row[0] for row in cursor.fetchall()}
            return [t for t in watched_tables() if t not in have]
        cursor.execute(
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
            [f"{TRIGGER}_%"],
        )
        found = {(table, name) for table, name in cursor.fetchall()}
    return [
        t
        for t in watched_tables()
        if any((t, f"{TRIGGER}_{t}_{op}") not in found for op in ("insert", "update", "delete"))
    ]
