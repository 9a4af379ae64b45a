"""Yearly partitions of the tables that grow for ever (PostgreSQL only).

Dossier events, audit events, the notification outbox and the webhook deliveries are only
ever appended, read by their object and a time range, and never needed again once a few
years old: each is a PostgreSQL table partitioned by range on its time column, one
partition a year (``<table>_y2026``) and a default partition for rows outside every year
(``<table>_default``) so that an insert never fails for want of a partition. An old year is
then detached or dropped whole (``docs/operations.md``), and vacuum and index upkeep work
on one year at a time.

Django keeps ``id`` as its primary key; in the database the primary key is ``(id, <time
column>)``, since a partitioned table's key must hold the partition key. ``id`` stays unique
in practice: every partition takes it from the one sequence of the parent. No foreign key
points into these tables (``webhooks.Delivery.event`` and ``integrations.PortalPush.event``
are declared without a database constraint; Django still cascades their deletion).

Not partitioned, by decision:
- ``dossiers.Handover`` (control-slip rows): its integrity rests on ``UNIQUE (dossier,
  position)``, which a partitioned table cannot enforce without the time column, and it is
  only ever read by dossier (no query would skip a partition). It grows like the dossiers.
- ``dossiers.Dossier``: the code must stay unique across all years, and the lookup by code,
  the inboxes and the reports read it by agency and status, not by one year
  (``bench/partitions.py`` measures it).

The migrations convert the tables with ``table_partition``; ``partitions_ensure`` adds the
coming years' partitions (``motcua db partitions``, and the worker's daily job). On SQLite
every function here does nothing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

# Table → the time column it is partitioned by.
PARTITIONED: dict[str, str] = {
    "dossiers_dossierevent": "at",
    "core_auditevent": "at",
    "notify_message": "created_at",
    "webhooks_delivery": "created_at",
}
# The first year the migrations make a partition for (older rows, if any, make their own
# years too; rows of a year without a partition go to the default one).
FIRST_YEAR = 2020


@dataclass(frozen=True)
class PartitionInfo:
    table: str
    name: str
    bounds: str
    rows: int


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """A calendar year in the local time of the province (``TIME_ZONE``): 1 January 00:00
    in Hà Nội is 31 December 17:00 UTC, and a report of the year reads one partition."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def partition_name(table: str, year: int) -> str:
    return f"{table}_y{year}"


def is_partitioned(table: str, conn: BaseDatabaseWrapper | None = None) -> bool:
    conn = conn or connection
    if conn.vendor != "postgresql":
        return False
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [table],
        )
        return cursor.fetchone() is not None


def _exists(cursor: CursorWrapper, name: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    row = cursor.fetchone()
    return bool(row and row[0])


def _covered(cursor: CursorWrapper, table: str, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether a partition of ``table`` (ours or another tool's, such as pg_partman's monthly
    ones) already overlaps [start, end): then this year is left alone."""
    cursor.execute(
        "SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid, "
        "LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), "
        "$$FROM \\('([^']+)'\\) TO \\('([^']+)'\\)$$) AS m "
        "WHERE i.inhparent = %s::regclass AND m[1]::timestamptz < %s "
        "AND m[2]::timestamptz > %s LIMIT 1",
        [table, end, start],
    )
    return cursor.fetchone() is not None


def partition_add(cursor: CursorWrapper, table: str, column: str, year: int) -> bool:
    """Give ``table`` a partition for ``year``; False if it has one already.

    Rows of that year already in the default partition move into the new one (in the same
    transaction), since PostgreSQL refuses a partition that the default one overlaps.
    """
    name = partition_name(table, year)
    start, end = year_bounds(year)
    if _exists(cursor, name) or _covered(cursor, table, start, end):
        return False
    qt, qn, qc = (connection.ops.quote_name(x) for x in (table, name, column))
    default = connection.ops.quote_name(f"{table}_default")
    cursor.execute(f"CREATE TABLE {qn} (LIKE {qt} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    if _exists(cursor, f"{table}_default"):
        cursor.execute(
            f"WITH moved AS (DELETE FROM {default} WHERE {qc} >= %s AND {qc} < %s RETURNING *) "
            f"INSERT INTO {qn} SELECT * FROM moved",
            [start, end],
        )
    # ATTACH builds (or adopts) the parent's indexes on the new partition.
    cursor.execute(
        f"ALTER TABLE {qt} ATTACH PARTITION {qn} FOR VALUES FROM (%s) TO (%s)", [start, end]
    )
    return True


def table_partition(
    conn: BaseDatabaseWrapper, table: str, column: str, *, last_year: int | None = None
) -> None:
    """Turn ``table`` into a table partitioned by year on ``column``, keeping its rows, its
    indexes (same names), its check and outgoing foreign-key constraints, and its ids.

    Called by a migration (inside its transaction). Fails loudly if a foreign key still
    points into the table (DROP TABLE refuses) or if it has a unique index other than the
    primary key (a partitioned table cannot enforce it).
    """
    if conn.vendor != "postgresql" or is_partitioned(table, conn):
        return
    q = conn.ops.quote_name
    old = f"{table}__unpartitioned"
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'p', 'u')",
            [table],
        )
        constraints = cursor.fetchall()
        if any(kind == "u" for _, kind, _ in constraints):
            raise RuntimeError(f"{table} has a unique constraint: it cannot be partitioned")
        pk_name = next(name for name, kind, _ in constraints if kind == "p")
        foreign = [(name, definition) for name, kind, definition in constraints if kind == "f"]
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = %s AND indexname <> %s",
            [table, pk_name],
        )
        indexes = cursor.fetchall()
        if any(" UNIQUE " in definition for _, definition in indexes):
            raise RuntimeError(f"{table} has a unique index: it cannot be partitioned")
        cursor.execute(f"SELECT min({q(column)}), max(id) FROM {q(table)}")
        oldest, max_id = cursor.fetchone()

        cursor.execute(f"ALTER TABLE {q(table)} RENAME TO {q(old)}")
        cursor.execute(
            f"CREATE TABLE {q(table)} (LIKE {q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            f"PARTITION BY RANGE ({q(column)})"
        )
        local_now = timezone.localtime(timezone.now())
        first = min(FIRST_YEAR, timezone.localtime(oldest).year if oldest else FIRST_YEAR)
        for year in range(first, (last_year or local_now.year + 1) + 1):
            start, end = year_bounds(year)
            cursor.execute(
                f"CREATE TABLE {q(partition_name(table, year))} PARTITION OF {q(table)} "
                "FOR VALUES FROM (%s) TO (%s)",
                [start, end],
            )
        cursor.execute(f"CREATE TABLE {q(table + '_default')} PARTITION OF {q(table)} DEFAULT")
        cursor.execute(f"INSERT INTO {q(table)} SELECT * FROM {q(old)}")
        # Drops the old identity sequence and indexes with it, freeing their names.
        cursor.execute(f"DROP TABLE {q(old)}")
        seq = f"{table}_id_seq"
        cursor.execute(f"CREATE SEQUENCE {q(seq)} OWNED BY {q(table)}.id")
        if max_id is not None:
            cursor.execute("SELECT setval(%s, %s)", [seq, max_id])
        cursor.execute(
            f"ALTER TABLE {q(table)} ALTER COLUMN id SET DEFAULT nextval(%s::regclass)", [seq]
        )
        cursor.execute(
            f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(pk_name)} PRIMARY KEY (id, {q(column)})"
        )
        for _, definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign:
            cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")


def table_unpartition(conn: BaseDatabaseWrapper, table: str, column: str) -> None:
    """The reverse of ``table_partition``: one plain table again, same rows, ids, indexes and
    constraints, with ``id`` as its primary key (for ``migrate`` backwards)."""
    if conn.vendor != "postgresql" or not is_partitioned(table, conn):
        return
    q = conn.ops.quote_name
    old = f"{table}__partitioned"
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('f', 'p')",
            [table],
        )
        constraints = cursor.fetchall()
        pk_name = next(name for name, kind, _ in constraints if kind == "p")
        foreign = [(name, definition) for name, kind, definition in constraints if kind == "f"]
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = %s AND indexname <> %s",
            [table, pk_name],
        )
        indexes = [definition.replace(" ON ONLY ", " ON ") for _, definition in cursor]
        cursor.execute(f"SELECT max(id) FROM {q(table)}")
        (max_id,) = cursor.fetchone()
        cursor.execute(f"ALTER TABLE {q(table)} RENAME TO {q(old)}")
        cursor.execute(
            f"CREATE TABLE {q(table)} (LIKE {q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        # The copied default names the old sequence, which goes with the old table.
        cursor.execute(f"ALTER TABLE {q(table)} ALTER COLUMN id DROP DEFAULT")
        cursor.execute(f"INSERT INTO {q(table)} SELECT * FROM {q(old)}")
        cursor.execute(f"DROP TABLE {q(old)} CASCADE")
        cursor.execute(
            f"ALTER TABLE {q(table)} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY"
        )
        if max_id is not None:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, max_id])
        cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(pk_name)} PRIMARY KEY (id)")
        for definition in indexes:
            cursor.execute(definition)
        for name, definition in foreign:
            cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")


def partitioned_tables_drop() -> list[str]:
    """Drop every partitioned table of the database, partitions and all; return their
    names. ``motcua restore`` does it before ``pg_restore --clean``, which cannot drop a
    partition's primary key on its own (it belongs to the parent's)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
            "WHERE pg_table_is_visible(c.oid) AND NOT c.relispartition"
        )
        names = [row[0] for row in cursor.fetchall()]
        for name in names:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(name)} CASCADE")
    return names


def partitions_ensure(years_ahead: int = 1, *, now: dt.datetime | None = None) -> list[str]:
    """Make sure every partitioned table has a partition for this year and the next
    ``years_ahead`` ones; return the partitions created (none the second time)."""
    if connection.vendor != "postgresql":
        return []
    year = timezone.localtime(now or timezone.now()).year
    created = []
    for table, column in PARTITIONED.items():
        if not is_partitioned(table):
            continue
        for y in range(year, year + years_ahead + 1):
            with transaction.atomic(), connection.cursor() as cursor:
                if partition_add(cursor, table, column, y):
                    created.append(partition_name(table, y))
    return created


def partitions_list() -> list[PartitionInfo]:
    """The partitions of every partitioned table, with their bounds and (estimated) rows."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT parent.relname, child.relname, "
            "pg_get_expr(child.relpartbound, child.oid), greatest(child.reltuples, 0)::bigint "
            "FROM pg_inherits i JOIN pg_class parent ON parent.oid = i.inhparent "
            "JOIN pg_class child ON child.oid = i.inhrelid "
            "WHERE parent.relname = ANY(%s) AND pg_table_is_visible(parent.oid) "
            "ORDER BY parent.relname, child.relname",
            [list(PARTITIONED)],
        )
        return [PartitionInfo(*row) for row in cursor.fetchall()]
