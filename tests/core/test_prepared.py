"""The hot paths' INSERTs (``core.prepared``): the same rows as the ORM writes, for every model
written that way; what they do not cover handed to the ORM; on PostgreSQL prepared once per
connection, and not behind PgBouncer in transaction mode."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from typing import Any, TypeVar

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.db.models.functions import Now
from django.db.models.signals import post_save
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.core.models import AuditEvent
from motcua.core.prepared import PREPARED_ROWS, prepares, row_insert, rows_insert
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Dossier, DossierEvent, DossierPart
from motcua.notify.models import Message
from motcua.rollup.models import DayCount, MonthCount
from tests.world import MONDAY, World, counter_receipt, local

pytestmark = pytest.mark.django_db

# Every model the services write through ``row_insert``/``rows_insert``.
HOT_MODELS: list[type[Model]] = [
    Dossier,
    DossierPart,
    DossierEvent,
    AuditEvent,
    Message,
    DayCount,
    MonthCount,
]


@pytest.fixture
def received(world: World) -> Iterator[Dossier]:
    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossier = counter_receipt(
            world,
            Applicant(
                kind="citizen", name="Hoàng Văn Bình", id_number="066090001234", phone="0912345678"
            ),
        )
        DossierPart.objects.create(
            dossier=dossier, name="Tờ khai", copies=2, not_digitised_reason="Máy quét hỏng"
        )
        yield dossier


M = TypeVar("M", bound=Model)


def _twin(source: M, suffix: str) -> M:
    """A new, unsaved object with ``source``'s values (its unique ones made unique)."""
    values: dict[str, Any] = {}
    for field in type(source)._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(source, field.attname)
        values[field.attname] = value + suffix if field.unique else value
    return type(source)(**values)


def _row(model: type[Model], pk: Any) -> dict[str, Any]:
    meta = model._meta
    unique = {f.attname for f in meta.concrete_fields if f.unique}
    return {
        k: v
        for k, v in model._default_manager.filter(pk=pk).values().get().items()
        if k not in unique
    }


@pytest.mark.parametrize("model", HOT_MODELS, ids=lambda m: m.__name__)
def test_the_same_row_as_the_orm(model: type[Model], received: Dossier) -> None:
    source = model._default_manager.order_by("-pk").first()
    assert source is not None, f"the receipt wrote no {model.__name__}"
    with time_machine.travel(local(MONDAY, 10), tick=False):
        by_orm = model._default_manager.bulk_create([_twin(source, "-orm")])[0]
        saved = _twin(source, "-save")
        saved.save(force_insert=True)
        inserted = rows_insert([_twin(source, "-fast")])[0]
        one = row_insert(_twin(source, "-one"))
    assert by_orm.pk is not None and saved.pk is not None
    assert len({by_orm.pk, saved.pk, inserted.pk, one.pk}) == 4
    for obj in (inserted, one):
        assert obj._state.adding is False and obj._state.db == "default"
        assert _row(model, obj.pk) == _row(model, by_orm.pk) == _row(model, saved.pk)


def test_as_many_rows_as_kept_in_batches_the_database_allows(received: Dossier) -> None:
    # PREPARED_ROWS dossiers of some fifty columns: more parameters than SQLite takes in one
    # statement (999), in one on PostgreSQL.
    rows = rows_insert([_twin(received, f"-{i}") for i in range(PREPARED_ROWS)])
    assert len({r.pk for r in rows}) == PREPARED_ROWS
    assert Dossier.objects.filter(pk__in=[r.pk for r in rows]).count() == PREPARED_ROWS
    assert {r.code for r in rows} == {f"{received.code}-{i}" for i in range(PREPARED_ROWS)}


def test_more_rows_are_the_orms_in_its_batches(received: Dossier) -> None:
    # A rebuild's rows: more parameters than PostgreSQL binds in one statement (65,535).
    source = DayCount.objects.order_by("-pk").first()
    assert source is not None
    with CaptureQueriesContext(connection) as queries:
        rows = rows_insert([_twin(source, "") for _ in range(5000)], batch_size=2000)
    inserts = [q for q in queries if q["sql"].startswith("INSERT")]
    # In batches of 2,000 rows; on SQLite of fewer, the parameters it takes.
    assert len(inserts) == 3 if connection.vendor == "postgresql" else len(inserts) > 3
    assert len({r.pk for r in rows}) == 5000
    assert DayCount.objects.filter(pk__in=[r.pk for r in rows]).count() == 5000


def test_a_receiver_of_save_is_called_as_save_calls_it(received: Dossier) -> None:
    heard: list[tuple[int, bool]] = []

    def listen(sender: Any, instance: DossierEvent, created: bool, **kwargs: Any) -> None:
        heard.append((instance.pk, created))

    post_save.connect(listen, sender=DossierEvent)
    try:
        event = row_insert(_twin(received.events.get(), ""))
    finally:
        post_save.disconnect(listen, sender=DossierEvent)
    assert heard == [(event.pk, True)]


def test_a_models_own_save_is_called(received: Dossier, monkeypatch: pytest.MonkeyPatch) -> None:
    saved: list[int] = []

    def save(self: AuditEvent, *args: Any, **kwargs: Any) -> None:
        Model.save(self, *args, **kwargs)
        saved.append(self.pk)

    monkeypatch.setattr(AuditEvent, "save", save)
    source = AuditEvent.objects.order_by("-pk").first()
    assert source is not None
    event = row_insert(_twin(source, ""))
    assert saved == [event.pk]


def test_a_failed_insert_marks_its_atomic_block_for_rollback(received: Dossier) -> None:
    # As save() does: the block refuses further queries (Django's error on both databases)
    # instead of going on (SQLite) or failing on PostgreSQL's aborted transaction.
    with pytest.raises(TransactionManagementError), transaction.atomic():
        with suppress(IntegrityError):
            row_insert(_twin(received, ""))  # the same code: unique
        Dossier.objects.count()


def test_batches_of_the_callers_size(received: Dossier) -> None:
    source = DayCount.objects.order_by("-pk").first()
    assert source is not None
    with CaptureQueriesContext(connection) as queries:
        rows = rows_insert([_twin(source, "") for _ in range(30)], batch_size=10)
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 3
    assert len({r.pk for r in rows}) == 30


def test_an_expression_is_left_to_the_orm(world: World) -> None:
    message = Message(
        kind="test",
        channel="sms",
        recipient="0912345678",
        body="x",
        created_at=Now(),
        next_attempt_at=timezone.now(),
    )
    (kept,) = rows_insert([message])
    kept.refresh_from_db()
    assert (
        kept.created_at is not None and abs(kept.created_at - timezone.now()).total_seconds() < 60
    )


def test_an_unsaved_related_object_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="unsaved related object"):
        rows_insert([DossierPart(dossier=Dossier(), name="Tờ khai")])


def test_a_statement_is_logged_with_its_values(received: Dossier) -> None:
    source = AuditEvent.objects.order_by("-pk").first()
    assert source is not None
    with CaptureQueriesContext(connection) as queries:
        row_insert(_twin(source, ""))
    (query,) = queries.captured_queries
    assert query["sql"].startswith('INSERT INTO "core_auditevent"')
    assert source.object_id in query["sql"]


def _prepared_message_inserts() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ['INSERT INTO "notify_message"%'],
        )
        return [row[0] for row in cursor.fetchall()]


def _messages(n: int) -> list[Message]:
    now = timezone.now()
    return [
        Message(
            kind="test",
            channel="sms",
            recipient=f"09123456{i:02}",
            body="x",
            created_at=now,
            next_attempt_at=now,
        )
        for i in range(n)
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_prepared_once_per_connection(world: World) -> None:
    before = _prepared_message_inserts()
    for _ in range(3):
        rows_insert(_messages(7))  # seven rows: a statement of its own
    after = _prepared_message_inserts()
    assert len(after) == len(before) + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_nothing_prepared_behind_pgbouncer(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    # What MOTCUA_PGBOUNCER sets (settings.pgbouncer_options): the next transaction may get
    # another server connection, where a prepared statement does not exist.
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    assert not prepares("default")
    before = _prepared_message_inserts()
    rows = rows_insert(_messages(9))
    assert all(m.pk for m in rows)
    assert _prepared_message_inserts() == before


def test_several_rows_each_get_their_own_values_and_are_logged_in_order(world: World) -> None:
    """A statement of several rows (on PostgreSQL written with $1, $2…): each row gets its
    own values, each object its own row's key, and the logged SQL shows them in order."""
    messages = _messages(3)
    for i, message in enumerate(messages):
        message.body = f"nội dung {i}"
    with CaptureQueriesContext(connection) as queries:
        rows_insert(messages)
    (query,) = queries.captured_queries
    positions = [query["sql"].index(f"'09123456{i:02}'") for i in range(3)]
    assert positions == sorted(positions)
    for i, message in enumerate(messages):
        stored = Message.objects.get(pk=message.pk)
        assert (stored.recipient, stored.body) == (f"09123456{i:02}", f"nội dung {i}")
