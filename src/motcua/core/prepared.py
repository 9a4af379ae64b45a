"""Statements of the hot paths, built once per process and, on PostgreSQL, prepared once per
connection.

Django builds a statement's SQL afresh at every call (an INSERT through the ORM resolves
its fields, quotes every name and compiles each value's placeholder), and its PostgreSQL
cursors bind the parameters on the client, so that the server parses and plans every
statement again. On the paths that run for every dossier (a receipt writes the dossier, its
parts, its event, the audit row, its notice and the rollup's rows) that was about a quarter
of the CPU of a receipt. Here:

- ``prepared_cursor(alias)`` is a cursor that binds parameters on the server and prepares
  each statement once per connection (PostgreSQL), wrapped as Django wraps its own
  (database errors, query logging and counting in tests). Behind PgBouncer in transaction
  mode (``MOTCUA_PGBOUNCER``, which sets ``DISABLE_SERVER_SIDE_CURSORS``) and on SQLite it
  is Django's own cursor: the next transaction may get another server connection, where the
  statement does not exist.
- ``row_insert(obj)`` does what ``obj.save(force_insert=True)`` does for a new row, and
  ``rows_insert(objs)`` what ``bulk_create(objs)`` does, with the INSERT's SQL kept per
  model, columns and number of rows. The values go through the same field methods as in
  the ORM (``pre_save``, ``get_db_prep_save``): the same row is written. Whatever this does
  not cover is handed to the ORM unchanged: more than ``PREPARED_ROWS`` objects (a bulk
  write), a model with a database default or a generated
  column, a value that is an expression, a primary key given for an automatic one, a
  database that cannot return the new keys, and (for ``row_insert``) a model with its own
  ``save`` or with a ``pre_save``/``post_save`` receiver, which ``save`` would have called.

If a migration run meanwhile changes what a prepared statement returns (PostgreSQL: "cached
plan must not change result type"), a write inside a transaction fails once: its rollback
makes psycopg forget the connection's prepared statements. A read in autocommit (the public
lookup, ``portal.queries``) fails until its connection is recycled (``CONN_MAX_AGE``): keep
prepared statements out of other autocommit paths.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from django.db import connections, router, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.db.models import NOT_PROVIDED, Field, Model
from django.db.models.fields import AutoFieldMixin
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=Model)

_NUMBERED = re.compile(r"\$\d+")

# An INSERT of more rows than this is the ORM's: a bulk write (an import, a rebuild) is rare,
# and its one-off statements would fill each connection's prepared ones (psycopg keeps 100).
PREPARED_ROWS = 64

# No statement is prepared for being run this many times: only on request.
_NEVER_BY_COUNT = 2**31 - 1


class _PreparedCursor(psycopg.Cursor[Any]):
    """A psycopg cursor that binds parameters on the server and prepares each statement
    once per connection."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True)


class _PreparedRawCursor(psycopg.RawCursor[Any]):
    """``_PreparedCursor`` for statements written with PostgreSQL's own placeholders
    (``$1``, ``$2``…), which psycopg sends as they are. A statement with ``%s`` placeholders
    is parsed by psycopg at every call once it has more than 50 parameters or 4 kB (it keeps
    only shorter ones parsed): the dossier's INSERT has more, and that parse cost a tenth of
    a millisecond each time."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True)


def prepares(alias: str) -> bool:
    """Whether ``prepared_cursor(alias)`` prepares its statements (PostgreSQL, not behind
    PgBouncer in transaction mode)."""
    connection = connections[alias]
    return connection.vendor == "postgresql" and not connection.settings_dict.get(
        "DISABLE_SERVER_SIDE_CURSORS"
    )


class _PreparedDebugCursor(CursorDebugWrapper):
    """Django's query logging (tests, DEBUG) of a prepared cursor: the statement with its
    values, as Django logs them with server-side binding (``last_executed_query`` reads
    only a client-side cursor's)."""

    def debug_sql(
        self,
        sql: Any = None,
        params: Any = None,
        use_last_executed_query: bool = False,
        many: bool = False,
    ) -> Any:
        if use_last_executed_query and not many:
            if isinstance(self.cursor, psycopg.RawCursor):
                sql = _NUMBERED.sub("%s", sql)  # $1, $2… are in order: each is the next value
            sql = self.db.ops.compose_sql(sql, params)
        return super().debug_sql(sql, params, use_last_executed_query=False, many=many)


@contextmanager
def prepared_cursor(alias: str, *, numbered: bool = False) -> Iterator[Any]:
    """A cursor on ``alias`` whose statements are prepared once per connection (see the
    module); Django's own cursor where they cannot be (``prepares``). ``numbered``: the
    statements are written with ``$1``, ``$2``… (only where ``prepares(alias)``; Django's
    cursors take ``%s``)."""
    connection = connections[alias]
    if not prepares(alias):
        assert not numbered, "numbered placeholders only where statements are prepared"
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    database = connection.connection
    if database.prepare_threshold is None:
        # Django's "no prepared statements" (None) also refuses explicit ones; its own
        # cursors never prepare whatever the threshold (client-side binding), so a number
        # here only lets this cursor's ``prepare=True`` through.
        database.prepare_threshold = _NEVER_BY_COUNT
    with connection.wrap_database_errors:
        raw: Any = (_PreparedRawCursor if numbered else _PreparedCursor)(database)
    wrapped = (
        _PreparedDebugCursor(raw, connection)
        if connection.queries_logged
        else connection.make_cursor(raw)
    )
    with wrapped:
        yield wrapped


@dataclass(frozen=True)
class _Insert:
    fields: tuple[Field[Any, Any], ...]
    # The automatic primary key, given by the database and read back (None: given by us).
    returned: Field[Any, Any] | None


@functools.cache
def _insert_shape(model: type[Model]) -> _Insert | None:
    """The columns an INSERT of ``model`` writes, or None when the ORM must write it."""
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not getattr(f, "generated", False)]
    if (
        meta.parents
        or len(fields) != len(meta.concrete_fields)
        or any(getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED for f in fields)
    ):
        return None
    pk = meta.pk
    assert pk is not None
    if isinstance(pk, AutoFieldMixin):
        return _Insert(tuple(f for f in fields if f is not pk), pk)
    return _Insert(tuple(fields), None)


@functools.cache
def _insert_sql(model: type[Model], alias: str, rows: int, numbered: bool) -> str:
    """``INSERT INTO t (c1, …) VALUES (%s, …), … [RETURNING pk]`` for ``rows`` rows; with
    ``$1``, ``$2``… for placeholders when ``numbered``."""
    shape = _insert_shape(model)
    assert shape is not None
    ops = connections[alias].ops

    def quote(name: str | None) -> str:
        assert name is not None
        return str(ops.quote_name(name))

    width = len(shape.fields)
    if numbered:
        values = ", ".join(
            "(" + ", ".join(f"${r * width + c}" for c in range(1, width + 1)) + ")"
            for r in range(rows)
        )
    else:
        values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * rows)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in shape.fields)}) "
        f"VALUES {values}"
    )
    if shape.returned is not None:
        sql += f" RETURNING {quote(shape.returned.column)}"
    return sql


def row_insert(obj: M) -> M:
    """``obj.save(force_insert=True)`` for a new ``obj`` (see the module)."""
    model = type(obj)
    if (
        model.save is not Model.save
        or pre_save.has_listeners(model)
        or post_save.has_listeners(model)
    ):
        obj.save(force_insert=True)
        return obj
    # As ``save`` does: a failure inside an ``atomic`` block marks it for rollback.
    with transaction.mark_for_rollback_on_error(using=router.db_for_write(model, instance=obj)):
        rows_insert([obj])
    return obj


def rows_insert(objs: Sequence[M], *, batch_size: int | None = None) -> list[M]:
    """``Model.objects.bulk_create(objs, batch_size=batch_size)`` for new objects of one
    model (see the module): up to ``PREPARED_ROWS`` objects, one statement per batch the
    database allows, each new key set on its object; more, the ORM's ``bulk_create``."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    shape = _insert_shape(model)
    alias = router.db_for_write(model, instance=objs[0]) or "default"
    connection = connections[alias]
    if (
        shape is None
        or len(objs) > PREPARED_ROWS
        or not connection.features.can_return_rows_from_bulk_insert
        or any(type(o) is not model for o in objs)
        or (shape.returned is not None and any(o.pk is not None for o in objs))
    ):
        return model._default_manager.db_manager(alias).bulk_create(objs, batch_size=batch_size)
    values = []
    for obj in objs:
        # As ``save`` and ``bulk_create`` do: a related object saved after it was assigned
        # gives its key now; an unsaved one is refused.
        obj._prepare_related_fields_for_save(operation_name="rows_insert")  # type: ignore[attr-defined]
        for field in shape.fields:
            value = field.get_db_prep_save(field.pre_save(obj, True), connection=connection)
            if hasattr(value, "resolve_expression") or hasattr(value, "as_sql"):
                manager = model._default_manager.db_manager(alias)
                return manager.bulk_create(objs, batch_size=batch_size)
            values.append(value)
    width = len(shape.fields)
    batch = max(connection.ops.bulk_batch_size(list(shape.fields), objs), 1)
    if batch_size:
        batch = min(batch, batch_size)
    # As ``bulk_create`` does: the batches in one transaction, and a failure inside an
    # ``atomic`` block marks it for rollback (no query inside one).
    numbered = prepares(alias)
    with (
        transaction.atomic(using=alias, savepoint=False),
        prepared_cursor(alias, numbered=numbered) as cursor,
    ):
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            cursor.execute(
                _insert_sql(model, alias, len(chunk), numbered),
                values[start * width : (start + len(chunk)) * width],
            )
            if shape.returned is not None:
                for obj, (key,) in zip(chunk, cursor.fetchall(), strict=True):
                    setattr(obj, shape.returned.attname, key)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return objs
