"""Bulk row writing for imports: the database's own fast path, not one ORM object per row.

A million dossiers with four million events through ``bulk_create`` spend most of their time
building model instances. Here rows are plain tuples in the models' column order, sent with
``executemany`` on SQLite and ``COPY … FROM STDIN`` on PostgreSQL, in the caller's
transaction. Column lists come from the models' metadata so they follow migrations.
"""

from __future__ import annotations

import datetime as dt
import json
import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

Converter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _sqlite_datetime(value: Any) -> Any:
    # As Django's SQLite backend stores aware datetimes: naive UTC, ISO with a space
    # ("2022-08-29 03:00:00"): str() of the UTC instant without its "+00:00".
    if value is None:
        return None
    return str(value.astimezone(dt.UTC))[:-6]


_IMPORTED = {"imported": True}
_IMPORTED_JSON = json.dumps(_IMPORTED)


def _json_text(value: Any) -> Any:
    # Most imported events carry only the import mark: skip the encoder for them.
    if value == _IMPORTED:
        return _IMPORTED_JSON
    return json.dumps(value)


def _decimal_text(value: Any) -> Any:
    return None if value is None else str(value)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


class RowFormat:
    """How a dict of attnames becomes one row of ``model``'s table: the columns in order,
    defaults filled, values converted for the database. Plain data and module functions only,
    so an import's worker processes can build rows with it (``dossiers.importing.dossiers``).
    """

    def __init__(self, model: type[models.Model], *, with_id: bool) -> None:
        self.table = model._meta.db_table
        fields = [
            f for f in model._meta.concrete_fields if with_id or not isinstance(f, models.AutoField)
        ]
        self.attnames = [f.attname for f in fields]
        self.columns = [str(f.column) for f in fields]
        now = timezone.now()
        self.defaults: dict[str, Any] = {}
        pg = is_postgresql()
        converters: list[Converter] = []
        for f in fields:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                self.defaults[f.attname] = now
            elif f.has_default():
                self.defaults[f.attname] = f.get_default()
            else:
                self.defaults[f.attname] = None
            if isinstance(f, models.JSONField):
                converters.append(_json_text)
            elif pg:
                converters.append(_identity)
            elif isinstance(f, models.DateTimeField):
                converters.append(_sqlite_datetime)
            elif isinstance(f, models.DecimalField):
                converters.append(_decimal_text)
            else:
                converters.append(_identity)
        self._get = operator.itemgetter(*self.attnames)
        self._convert = [(i, conv) for i, conv in enumerate(converters) if conv is not _identity]

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        row = list(self._get(self.defaults | values))
        for i, conv in self._convert:
            row[i] = conv(row[i])
        return tuple(row)


class TableWriter:
    """Buffers rows for one model and writes them in batches. ``stamp``: a datetime field set
    to the time each batch is written, whatever the rows held (the API's sync reads
    ``updated_at`` and ``recorded_at`` as the time of the write, ``api.sync``)."""

    def __init__(
        self,
        model: type[models.Model],
        *,
        with_id: bool,
        batch_size: int = 5000,
        stamp: str | None = None,
    ) -> None:
        self.model = model
        self.format = RowFormat(model, with_id=with_id)
        self.table = self.format.table
        self.columns = self.format.columns
        self.batch_size = batch_size
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self._stamp = self.format.attnames.index(stamp) if stamp else None

    def add(self, values: dict[str, Any]) -> None:
        self.rows.append(self.format.row(values))
        if len(self.rows) >= self.batch_size:
            self.flush()

    def extend(self, rows: list[tuple[Any, ...]]) -> None:
        """Rows already built with ``self.format``."""
        self.rows.extend(rows)
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if self._stamp is not None:
            i = self._stamp
            now = timezone.now()
            value = now if is_postgresql() else _sqlite_datetime(now)
            self.rows = [(*row[:i], value, *row[i + 1 :]) for row in self.rows]
        write_rows(self.table, self.columns, self.rows)
        self.written += len(self.rows)
        self.rows = []


def write_rows(table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (already converted) with the fastest path of the database."""
    quote = connection.ops.quote_name
    cols = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if is_postgresql():
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {quote(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({cols}) VALUES ({marks})", rows)


def refresh_statistics(*tables: type[models.Model]) -> None:
    """ANALYZE the tables a bulk load filled (PostgreSQL only).

    Foreign keys are checked at commit by triggers whose plans each connection caches. A
    plan made while a table was nearly empty scans it sequentially; kept for a load of
    thousands of rows, every check then reads the whole table (a test connection hung for
    many minutes that way). ANALYZE gives the planner the new size and invalidates the
    cached plans, and the next queries choose the index.
    """
    if not is_postgresql():
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``, safe against concurrent live inserts.

    PostgreSQL: taken from the table's sequence. SQLite: the import holds the write lock
    (IMMEDIATE transaction), so the keys after the current maximum are free; with
    AUTOINCREMENT, inserting them moves ``sqlite_sequence`` on.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        top = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        start = max(top, seq[0] if seq else 0) + 1
        return list(range(start, start + count))


class IdAllocator:
    """Primary keys handed out one by one, fetched in chunks (see ``allocate_ids``)."""

    def __init__(self, model: type[models.Model], chunk: int = 5000) -> None:
        self.model = model
        self.chunk = chunk
        self._ids: list[int] = []
        self._next_sqlite: int | None = None

    def next(self) -> int:
        if not is_postgresql():
            # One read of the maximum suffices: the write lock is held until commit.
            if self._next_sqlite is None:
                self._next_sqlite = allocate_ids(self.model, 1)[0]
            value = self._next_sqlite
            self._next_sqlite += 1
            return value
        if not self._ids:
            self._ids = allocate_ids(self.model, self.chunk)
            self._ids.reverse()
        return self._ids.pop()
