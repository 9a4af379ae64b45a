"""The sync cursor under concurrent writes: real connections and transactions, PostgreSQL only
(as tests/dossiers/test_concurrency.py). The deterministic version of the late commit is in
test_sync.py and runs on both databases."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
import time_machine
from django.db import connection, connections, transaction
from pytest_django import Settings

from motcua.dossiers.applicants import Applicant
from motcua.dossiers.importing import import_dossier_records
from motcua.dossiers.listeners import _SAVE_LISTENERS, SaveListener, save_listener_register
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from tests.api.conftest import Api, applicant_json, token_for
from tests.dossiers.import_world import record
from tests.world import MONDAY, World, local, world_build

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]


@pytest.fixture
def pg_world() -> World:
    return world_build()


def _receive(world: World) -> str:
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=Applicant(**applicant_json()),
        actor=world.clerk,
        receiving_unit=world.center,
    ).code


def _page(api: Api, cursor: str) -> tuple[list[str], str]:
    response = api.get("/dossiers", cursor=cursor, limit=3)
    assert response.status_code == 200, response.content
    data = response.json()
    return [item["code"] for item in data["items"]], data["next"]


def test_a_transaction_committing_late_is_not_skipped(pg_world: World) -> None:
    api = Api(token_for(pg_world.clerk))
    t0 = local(MONDAY, 9)
    written = threading.Event()
    release = threading.Event()
    late: list[str] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                late.append(_receive(pg_world))  # updated_at = t0, not committed yet
                written.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    with time_machine.travel(t0, tick=False) as traveller:
        start = api.get("/dossiers", updated_since=t0.isoformat()).json()["next"]
        thread = threading.Thread(target=slow_writer)
        thread.start()
        assert written.wait(timeout=30)
        traveller.move_to(t0 + dt.timedelta(seconds=1))
        early = _receive(pg_world)  # committed first, with a later updated_at
        traveller.move_to(t0 + dt.timedelta(seconds=2))
        codes, cursor = _page(api, start)
        assert codes == [] and cursor == start  # neither is settled: the cursor stays
        release.set()
        thread.join(timeout=30)
        traveller.move_to(t0 + dt.timedelta(minutes=1))
        codes, cursor = _page(api, cursor)
    assert codes == [late[0], early]


def test_paging_during_concurrent_intake_sees_each_dossier_exactly_once(
    pg_world: World, settings: Settings
) -> None:
    # A short lag, so that the test waits for it in real time (writes here take milliseconds).
    settings.MOTCUA = {**settings.MOTCUA, "API_SYNC_SETTLE_SECONDS": "2"}
    api = Api(token_for(pg_world.clerk))
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    cursor = api.get("/dossiers", updated_since=since.isoformat()).json()["next"]
    done = threading.Event()

    def writer() -> None:
        try:
            for _ in range(5):
                _receive(pg_world)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=writer) for _ in range(4)]
    for thread in writers:
        thread.start()
    seen: list[str] = []
    while not done.is_set():
        codes, cursor = _page(api, cursor)
        seen += codes
        if not any(thread.is_alive() for thread in writers):
            done.set()
        time.sleep(0.05)
    time.sleep(2.2)  # let the last writes settle
    while True:
        codes, cursor = _page(api, cursor)
        if not codes:
            break
        seen += codes
    assert len(seen) == len(set(seen)) == 20
    assert set(seen) == set(Dossier.objects.values_list("code", flat=True))


def test_a_long_import_is_not_paged_past_by_live_events_committed_meanwhile(
    pg_world: World, settings: Settings
) -> None:
    # No settle lag: only the open import's start holds the feed back.
    settings.MOTCUA = {**settings.MOTCUA, "API_SYNC_SETTLE_SECONDS": "0"}
    api = Api(token_for(pg_world.specialist))
    written = threading.Event()
    release = threading.Event()

    def hold(since: dt.datetime) -> None:
        written.set()  # the import's rows are written, its transaction still open
        release.wait(timeout=30)

    # Held before the rollup follows the import: its rebuild of the imported days holds the
    # rollup's appends back until the import commits (rollup.services._rebuild_lock), and
    # the live receipt below must commit while the import is open.
    rollup = _SAVE_LISTENERS.pop("rollup")
    save_listener_register(
        "test-hold",
        SaveListener(
            touches=lambda f: False,
            state=lambda d: None,
            marks=lambda d, b: (),
            refresh=lambda marks: None,
            imported=hold,
        ),
    )
    save_listener_register("rollup", rollup)

    def importer() -> None:
        try:
            import_dossier_records(
                [record(1, procedure="1.001234", received_at="2026-09-01T10:00:00+07:00")],
                workers=1,
            )
        finally:
            connections.close_all()

    thread = threading.Thread(target=importer)
    try:
        thread.start()
        assert written.wait(timeout=30)
        live = _receive(pg_world)  # committed, with higher event ids than the import's
        page = api.get("/events").json()
        assert page == {"items": [], "next": 0}  # not past the import's uncommitted events
        release.set()
        thread.join(timeout=30)
        page = api.get("/events").json()
    finally:
        release.set()
        thread.join(timeout=30)
        _SAVE_LISTENERS.pop("test-hold", None)
    dossiers = [item["dossier"] for item in page["items"]]
    assert dossiers[0] == record(1)["code"] and dossiers[-1] == live
    assert [item["id"] for item in page["items"]] == sorted(item["id"] for item in page["items"])
