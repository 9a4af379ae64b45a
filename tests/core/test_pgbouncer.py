"""Through PgBouncer in transaction mode (``pool_mode = transaction``), live.

``.ci/run`` starts PgBouncer (Debian's package) on loopback in front of its throwaway
PostgreSQL and names it in ``MOTCUA_TEST_PGBOUNCER`` (``host:port``; any database name is
passed through to that server). Each test here points the ``default`` connection at
PgBouncer, with what ``MOTCUA_PGBOUNCER=1`` changes (``settings.pgbouncer_options``), and
shows a receipt at the counter, the API's list with paging, the public lookup, two workers
claiming the outbox with SKIP LOCKED, a report and a rolled-back transaction all correct.

Without ``MOTCUA_PGBOUNCER=1`` the failure is the documented one: PgBouncer lends a server
connection for one transaction, and when the next transaction gets another (another client
took the first; forced here by holding it), the lookup's prepared statement and a
``QuerySet.iterator()``'s server-side cursor are not there."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import DatabaseError, connections, transaction
from django.test import Client
from django.utils import timezone

from motcua.api.tokens import api_token_create
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from motcua.notify.models import Message
from motcua.notify.services import notification_enqueue
from motcua.notify.worker import messages_claim
from motcua.portal.queries import dossier_public_lookup
from motcua.reports.queries import period_figures
from motcua.settings import pgbouncer_options
from tests.world import World, world  # noqa: F401

ADDRESS = os.environ.get("MOTCUA_TEST_PGBOUNCER", "")
ON_POSTGRES = connections["default"].vendor == "postgresql"

pytestmark = [
    pytest.mark.postgres,
    # Committed transactions, one at a time, as PgBouncer lends its connections.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not ON_POSTGRES, reason="PgBouncer fronts PostgreSQL"),
    pytest.mark.skipif(
        not ADDRESS, reason="needs a PgBouncer: MOTCUA_TEST_PGBOUNCER=host:port (.ci/run)"
    ),
]


def _connect(dbname: str, **options: Any) -> psycopg.Connection[Any]:
    host, port = ADDRESS.rsplit(":", 1)
    user = connections["default"].settings_dict["USER"] or "postgres"
    return psycopg.connect(host=host, port=int(port), dbname=dbname, user=user, **options)


@pytest.fixture(scope="module")
def _pool_emptied_at_end() -> Iterator[None]:
    """PgBouncer keeps server connections to the test database in its pool; the test
    database is dropped at the end of the run, which PostgreSQL refuses while any is open."""
    yield
    name = connections["default"].settings_dict["NAME"]
    with _connect("pgbouncer", autocommit=True) as admin:
        admin.execute(f"KILL {name}")
        admin.execute(f"RESUME {name}")


@pytest.fixture
def bouncer(_pool_emptied_at_end: None) -> Iterator[dict[str, Any]]:
    """``default`` (and every thread's connection, which share its settings) through
    PgBouncer, with MOTCUA_PGBOUNCER's options; the settings dict is yielded for the tests
    that take them away again."""
    database = connections["default"].settings_dict
    saved = dict(database)
    host, port = ADDRESS.rsplit(":", 1)
    connections.close_all()  # the numbers connection shares these settings (a test mirror)
    database.update(HOST=host, PORT=port)
    pgbouncer_options(database)
    try:
        yield database
    finally:
        connections.close_all()
        database.clear()
        database.update(saved)


@contextmanager
def server_taken() -> Iterator[None]:
    """Another client in a transaction on the server connection Django used last.

    PgBouncer hands out idle server connections last in, first out, so this client gets
    the one Django's last statement ran on, and Django's next statement gets another."""
    with _connect(connections["default"].settings_dict["NAME"]) as other:
        other.execute("SELECT 1")  # BEGIN: the server connection is this client's now
        try:
            yield
        finally:
            other.rollback()


def receive(world: World, name: str = "Hoàng Văn Bình") -> Dossier:  # noqa: F811
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=Applicant(
            kind="citizen",
            name=name,
            id_number="066090001234",
            phone="0912345678",
            address="Gia Nghĩa, Đắk Nông",
        ),
        actor=world.clerk,
        receiving_unit=world.center,
    )


def backend_pid() -> int:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def test_a_receipt_the_api_list_the_lookup_and_a_report(
    bouncer: dict[str, Any],
    world: World,  # noqa: F811
) -> None:
    # One Django connection, two PostgreSQL backends: the pool lends per transaction.
    first = backend_pid()
    with server_taken():
        assert backend_pid() != first
    received = [receive(world, f"Người nộp {i}") for i in range(3)]
    assert len({d.code for d in received}) == 3
    assert Dossier.objects.count() == 3

    token = api_token_create(user=world.clerk, name="Quầy", actor="test")[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    pages = []
    with server_taken():
        for offset in (0, 2):
            answer = api.get("/api/dossiers", {"limit": 2, "offset": offset})
            assert answer.status_code == 200, answer.content
            pages.append([item["code"] for item in answer.json()["items"]])
    assert answer.json()["count"] == 3
    assert [len(page) for page in pages] == [2, 1]
    assert sorted(pages[0] + pages[1]) == sorted(d.code for d in received)

    dossier = received[0]
    for _attempt in range(2):  # a second lookup on another server connection
        with server_taken():
            page = Client().get("/tra-cuu/", {"ma": dossier.code, "bi-mat": dossier.secret})
        assert page.status_code == 200
        assert dossier.code in page.content.decode()

    today = timezone.localdate()
    figures = period_figures(date_from=today - dt.timedelta(days=31), date_to=today)
    assert figures["received"]["total"] == 3


def test_two_workers_claim_the_outbox_with_skip_locked(
    bouncer: dict[str, Any],
    world: World,  # noqa: F811
) -> None:
    notification_enqueue(
        kind="test",
        recipients=[("email", f"nguoi{i}@example.vn") for i in range(5)],
        context={"subject": "Thử", "body": "Thử"},
    )
    due = list(Message.objects.order_by("next_attempt_at", "id").values_list("id", flat=True))
    claimed: dict[str, list[int]] = {}

    def claim(name: str) -> None:
        try:
            claimed[name] = [m.pk for m in messages_claim(limit=10, claimer=name)]
        finally:
            connections.close_all()  # this thread's own connection

    # The first worker's claim is under way (its rows locked, its transaction open) on a
    # connection of its own when the second one claims: the second skips those rows.
    with transaction.atomic():
        locked = list(
            Message.objects.select_for_update()
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:2]
        )
        second = threading.Thread(target=claim, args=("worker-2",))
        second.start()
        second.join(timeout=30)
        assert not second.is_alive(), "the second worker waited for the first one's rows"
    first = threading.Thread(target=claim, args=("worker-1",))
    first.start()
    first.join(timeout=30)
    assert claimed["worker-2"] == due[2:]
    assert claimed["worker-1"] == locked == due[:2]
    assert Message.objects.filter(claimed_by="worker-1").count() == 2
    assert Message.objects.filter(claimed_by="worker-2").count() == 3


def test_a_transaction_that_fails_leaves_nothing_and_the_connection_works(
    bouncer: dict[str, Any],
    world: World,  # noqa: F811
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        receive(world)
        assert Dossier.objects.count() == 1
        raise RuntimeError("the page failed after the receipt")
    assert Dossier.objects.count() == 0
    # Another client of the pool (another server connection, as the holder gets the one
    # just used) sees nothing either: the rollback reached PostgreSQL.
    with server_taken():
        assert Dossier.objects.count() == 0
    assert receive(world).code


def test_without_the_setting_the_lookup_prepares_on_one_server_and_fails_on_another(
    bouncer: dict[str, Any],
    world: World,  # noqa: F811
) -> None:
    dossier = receive(world)
    connections["default"].close()
    bouncer["DISABLE_SERVER_SIDE_CURSORS"] = False  # as without MOTCUA_PGBOUNCER=1
    assert dossier_public_lookup(dossier.code, dossier.secret) is not None  # prepared here
    with (
        server_taken(),
        pytest.raises(DatabaseError, match=r"prepared statement .* does not exist"),
    ):
        dossier_public_lookup(dossier.code, dossier.secret)

    connections["default"].close()
    pgbouncer_options(bouncer)  # MOTCUA_PGBOUNCER=1: nothing is prepared
    assert dossier_public_lookup(dossier.code, dossier.secret) is not None
    with server_taken():
        found = dossier_public_lookup(dossier.code, dossier.secret)
    assert found is not None and found.code == dossier.code


def test_without_the_setting_an_iterator_loses_its_cursor_on_another_server(
    bouncer: dict[str, Any],
    world: World,  # noqa: F811
) -> None:
    codes = [receive(world, f"Người nộp {i}").code for i in range(3)]
    connections["default"].close()
    bouncer["DISABLE_SERVER_SIDE_CURSORS"] = False  # as without MOTCUA_PGBOUNCER=1
    rows = Dossier.objects.order_by("id").values_list("code", flat=True).iterator(chunk_size=1)
    assert next(rows) == codes[0]  # DECLARE … WITH HOLD and the first FETCH on one server
    # Django's error, or psycopg's own from closing the cursor that is not there either.
    lost = pytest.raises((DatabaseError, psycopg.Error), match=r"cursor .* does not exist")
    with server_taken(), lost:
        next(rows)

    connections["default"].close()
    pgbouncer_options(bouncer)  # MOTCUA_PGBOUNCER=1: the rows come with the query
    rows = Dossier.objects.order_by("id").values_list("code", flat=True).iterator(chunk_size=1)
    assert next(rows) == codes[0]
    with server_taken():
        assert list(rows) == codes[1:]
