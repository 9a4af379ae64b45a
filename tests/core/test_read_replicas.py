"""Read replicas (core.dbrouter) against a real PostgreSQL streaming replica.

A session fixture copies the test run's PostgreSQL server (DATABASE_URL) with
``pg_basebackup`` into a temporary folder and starts it as a hot standby on a free loopback
port; each test adds it as ``replica_0``. What is shown: the public lookup, the reports and
the API's list read from the replica; a person who has just written reads from the primary;
a replica that stops does not break the lookup (the primary answers, the fall-back is
logged).

Copying the server is cheap for CI's throwaway one and not for a shared development
server, so it runs only with MOTCUA_TEST_REPLICA=1 (set by .ci/run)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import DjangoDbBlocker, Settings

from motcua.api.tokens import api_token_create
from motcua.core.dbrouter import WROTE_COOKIE
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from motcua.reports.queries import period_figures
from tests.world import World, world  # noqa: F401

ON_POSTGRES = connections["default"].vendor == "postgresql"
ALIAS = "replica_0"

pytestmark = [
    pytest.mark.postgres,
    # Data must be committed to reach the standby.
    pytest.mark.django_db(transaction=True, databases=["default", ALIAS]),
    pytest.mark.skipif(not ON_POSTGRES, reason="streaming replication needs PostgreSQL"),
    pytest.mark.skipif(
        os.environ.get("MOTCUA_TEST_REPLICA") != "1",
        reason="copies the whole PostgreSQL server: MOTCUA_TEST_REPLICA=1 (.ci/run sets it)",
    ),
]


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"))
    if not found:
        pytest.fail("pg_basebackup not found under /usr/lib/postgresql/*/bin")
    return found[-1].parent


def _as_postgres(*command: str) -> subprocess.CompletedProcess[str]:
    # initdb and postgres refuse to run as root: run the server as .ci/run does.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, *command], capture_output=True, text=True, timeout=300, check=False
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Replica:
    pg_bin: Path
    data: Path
    port: int

    def _ctl(self, *args: str) -> None:
        done = _as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(self.data), *args)
        if done.returncode != 0:
            log = (self.data / "server.log").read_text(errors="replace")[-3000:]
            pytest.fail(f"pg_ctl {args[-1]}: {done.stderr}\n{log}")

    def start(self, settings: dict[str, str]) -> None:
        options = " ".join(
            [f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data}"]
            + [f"-c {name}={value}" for name, value in settings.items()]
        )
        self._ctl("-l", str(self.data / "server.log"), "-w", "-o", options, "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")


# A hot standby refuses to start with less of these than its primary has.
_MATCHED = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


@pytest.fixture(scope="session")
def streaming_replica(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[tuple[Replica, dict[str, str]]]:
    primary = connections["default"].settings_dict
    with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
        matched = {}
        for name in _MATCHED:
            cursor.execute(f"SHOW {name}")
            matched[name] = cursor.fetchone()[0]
    pg_bin = _pg_bin()
    data = Path(tempfile.mkdtemp(prefix="motcua-replica-"))
    shutil.chown(data, "postgres", "postgres") if os.geteuid() == 0 else None
    data.chmod(0o700)
    copied = _as_postgres(
        str(pg_bin / "pg_basebackup"),
        *("-h", str(primary["HOST"] or "127.0.0.1"), "-p", str(primary["PORT"] or 5432)),
        *("-U", str(primary["USER"] or "postgres"), "-D", str(data)),
        *("-R", "-X", "stream", "-c", "fast"),
    )
    if copied.returncode != 0:
        shutil.rmtree(data, ignore_errors=True)
        pytest.fail(f"pg_basebackup: {copied.stderr}")
    replica = Replica(pg_bin=pg_bin, data=data, port=_free_port())
    replica.start(matched)
    try:
        yield replica, matched
    finally:
        _as_postgres(str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(streaming_replica: tuple[Replica, dict[str, str]]) -> Iterator[None]:
    """``replica_0`` for this module's tests: the standby, holding the test database as it
    streams. Added before each test's database access is set up (module scope), so the
    tests can name it in ``databases``; a mirror of ``default`` for the test machinery, so
    that it is never flushed (the standby is read-only; the primary's flush reaches it)."""
    server, _matched = streaming_replica
    connections.settings[ALIAS] = {
        **connections["default"].settings_dict,
        "HOST": "127.0.0.1",
        "PORT": str(server.port),
        "TEST": {**connections["default"].settings_dict["TEST"], "MIRROR": "default"},
    }
    try:
        yield
    finally:
        connections[ALIAS].close()
        del connections.settings[ALIAS]


@pytest.fixture
def replica(streaming_replica: tuple[Replica, dict[str, str]], settings: Settings) -> Replica:
    # Each test decides alone whether the replica answers.
    settings.MOTCUA = {**settings.MOTCUA, "REPLICA_RETRY_SECONDS": "0"}
    return streaming_replica[0]


def caught_up() -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    # The insert position, not the write position: with synchronous_commit=off (as CI runs
    # PostgreSQL) a commit returns before its WAL is written, and pg_current_wal_lsn() can
    # stand before it, so the wait would end before the replica has the commit.
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        position = cursor.fetchone()[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    pytest.fail("the replica did not catch up within 30 s")


class Reads:
    """The queries each database ran in the block (the replica's only while it runs)."""

    def __init__(self, *, replica: bool = True) -> None:
        self.primary = CaptureQueriesContext(connections["default"])
        self.replica = CaptureQueriesContext(connections[ALIAS])
        self.watched = [self.primary, self.replica] if replica else [self.primary]

    def __enter__(self) -> Reads:
        for captured in self.watched:
            captured.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for captured in reversed(self.watched):
            captured.__exit__(exc_type, exc, traceback)

    @staticmethod
    def _touching(captured: CaptureQueriesContext, table: str) -> list[str]:
        return [q["sql"] for q in captured.captured_queries if f'"{table}"' in (q["sql"] or "")]

    def on_replica(self, table: str) -> list[str]:
        return self._touching(self.replica, table)

    def on_primary(self, table: str) -> list[str]:
        return self._touching(self.primary, table)


def in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return bool(cursor.fetchone()[0])


def receive(world: World) -> Dossier:  # noqa: F811
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=Applicant(
            kind="citizen",
            name="Hoàng Văn Bình",
            id_number="066090001234",
            phone="0912345678",
            address="Gia Nghĩa, Đắk Nông",
        ),
        actor=world.clerk,
        receiving_unit=world.center,
    )


def look_up(client: Client, dossier: Dossier) -> Any:
    return client.get("/tra-cuu/", {"ma": dossier.code, "bi-mat": dossier.secret})


def test_the_standby_is_a_replica_and_the_primary_is_not(replica: Replica) -> None:
    # What the other tests' "on the replica" means: the alias is the standby.
    assert in_recovery(ALIAS)
    assert not in_recovery("default")


def test_lookup_reads_from_the_replica(replica: Replica, world: World) -> None:  # noqa: F811
    dossier = receive(world)
    caught_up()
    look_up(Client(), dossier)  # the public header (province, hotline) is cached from here on
    with Reads() as reads:
        response = look_up(Client(), dossier)
    assert response.status_code == 200
    assert dossier.code in response.content.decode()
    # The dossier and its events, two prepared statements (logged without their SQL); an
    # anonymous lookup asks the primary nothing.
    assert len(reads.replica.captured_queries) == 2
    assert reads.primary.captured_queries == []


def test_report_reads_from_the_replica(replica: Replica, world: World) -> None:  # noqa: F811
    receive(world)
    caught_up()
    today = timezone.localdate()
    with Reads() as reads:
        figures = period_figures(date_from=today - dt.timedelta(days=31), date_to=today)
    assert figures["received"]["total"] == 1
    assert reads.on_replica("dossiers_dossier")
    assert not reads.on_primary("dossiers_dossier")


def test_a_person_who_wrote_reads_from_the_primary(
    replica: Replica,
    world: World,  # noqa: F811
) -> None:
    dossier = receive(world)
    caught_up()
    token = api_token_create(user=world.clerk, name="Quầy", actor="test")[1]
    clerk = Client(headers={"Authorization": f"Bearer {token}"})
    with Reads() as reads:
        listed = clerk.get("/api/dossiers")
    assert [d["code"] for d in listed.json()["items"]] == [dossier.code]
    assert reads.on_replica("dossiers_dossier") and not reads.on_primary("dossiers_dossier")

    version = clerk.get(f"/api/dossiers/{dossier.code}").json()["version"]
    moved = clerk.post(
        f"/api/dossiers/{dossier.code}/handover",
        {"expected_version": version},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    # At once, before the replica may have the change: the writer's reads go to the primary.
    with Reads() as reads:
        after_list = clerk.get("/api/dossiers")
        after_lookup = look_up(clerk, dossier)
    assert after_list.json()["items"][0]["status"] == moved.json()["status"]
    assert after_lookup.status_code == 200
    assert reads.on_primary("dossiers_dossier")
    assert reads.replica.captured_queries == []

    # Somebody else, who wrote nothing, still reads from the replica.
    with Reads() as reads:
        look_up(Client(), dossier)
    assert len(reads.replica.captured_queries) == 2
    assert reads.primary.captured_queries == []


def test_a_stopped_replica_does_not_break_the_lookup(
    replica: Replica,
    world: World,  # noqa: F811
    streaming_replica: tuple[Replica, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    dossier = receive(world)
    caught_up()
    look_up(Client(), dossier)  # a connection to the replica is kept open
    replica.stop()
    try:
        with caplog.at_level(logging.WARNING, logger="motcua.core.dbrouter"):
            # The kept connection breaks mid-read; then a new one is refused.
            for _attempt in range(2):
                caplog.clear()
                with Reads(replica=False) as reads:
                    response = look_up(Client(), dossier)
                assert response.status_code == 200
                assert dossier.code in response.content.decode()
                assert len(reads.primary.captured_queries) == 2
                assert any(
                    "Replica replica_0 unavailable" in r.getMessage() for r in caplog.records
                )
    finally:
        replica.start(streaming_replica[1])


def test_staff_lists_read_from_the_replica_until_the_staff_member_acts(
    replica: Replica,
    world: World,  # noqa: F811
) -> None:
    dossier = receive(world)
    caught_up()
    clerk = Client()
    clerk.force_login(world.clerk)  # no request, so no write stamp: a clerk at the start of a day
    with Reads() as reads:
        listed = clerk.get("/can-bo/", {"q": dossier.code})
    assert listed.status_code == 200
    assert dossier.code in listed.content.decode()
    assert reads.on_replica("dossiers_dossier") and not reads.on_primary("dossiers_dossier")

    # A detail page holds the action forms: always the primary (a version read from a replica
    # a second behind would refuse the clerk's action as a conflict).
    with Reads() as reads:
        detail = clerk.get(f"/can-bo/ho-so/{dossier.code}/")
    assert detail.status_code == 200
    assert reads.on_primary("dossiers_dossier") and not reads.on_replica("dossiers_dossier")

    # An action sent by HTMX, as the detail page sends it.
    note = "Chuyển phòng chuyên môn thẩm định ngay"
    moved = clerk.post(
        f"/can-bo/ho-so/{dossier.code}/chuyen-xu-ly/",
        {"version": dossier.version, "note": note},
        headers={"HX-Request": "true"},
    )
    assert moved.status_code in (200, 204, 302), moved.content
    dossier.refresh_from_db()
    assert dossier.events.filter(type="handover").exists()
    # At once, before the replica may have it: the clerk's list and the detail page come from
    # the primary, and the detail page shows the action.
    with Reads() as reads:
        after_list = clerk.get("/can-bo/", {"q": dossier.code})
        after_detail = clerk.get(f"/can-bo/ho-so/{dossier.code}/")
    assert after_list.status_code == 200 and after_detail.status_code == 200
    assert note in after_detail.content.decode()
    assert reads.on_primary("dossiers_dossier")
    assert not reads.on_replica("dossiers_dossier")

    # A colleague who wrote nothing still lists from the replica.
    leader = Client()
    leader.force_login(world.leader)
    with Reads() as reads:
        assert leader.get("/can-bo/").status_code == 200
    assert reads.on_replica("dossiers_dossier") and not reads.on_primary("dossiers_dossier")


def test_a_writer_past_the_window_reads_from_a_replica_only_once_it_has_the_write(
    replica: Replica,
    world: World,  # noqa: F811
) -> None:
    """A replica held back longer than the time window (replay paused here, as a long report
    query on the standby would hold it) is skipped for the person who wrote until it has
    replayed their write; everyone else goes on reading from it."""
    dossier = receive(world)
    caught_up()
    token = api_token_create(user=world.clerk, name="Quầy", actor="test")[1]
    clerk = Client(headers={"Authorization": f"Bearer {token}"})
    version = clerk.get(f"/api/dossiers/{dossier.code}").json()["version"]
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        moved = clerk.post(
            f"/api/dossiers/{dossier.code}/handover",
            {"expected_version": version},
            content_type="application/json",
        )
        assert moved.status_code == 200, moved.content
        stamp = moved.cookies[WROTE_COOKIE].value
        wrote_at, _sep, position = stamp.partition(":")
        assert position, stamp
        # The time window has passed; the position has not been replayed.
        clerk.cookies[WROTE_COOKIE] = f"{float(wrote_at) - 60:.3f}:{position}"
        with Reads() as reads:
            listed = clerk.get("/api/dossiers")
        assert listed.json()["items"][0]["status"] == moved.json()["status"]
        assert reads.on_primary("dossiers_dossier") and reads.replica.captured_queries != []
        assert not reads.on_replica("dossiers_dossier")
        # Someone who wrote nothing reads the replica, as it stands.
        look_up(Client(), dossier)  # the public header (province, hotline) is cached from here on
        with Reads() as reads:
            look_up(Client(), dossier)
        assert len(reads.replica.captured_queries) == 2
        # A forged position is ignored, never sent to a server as SQL.
        clerk.cookies[WROTE_COOKIE] = f"{float(wrote_at) - 60:.3f}:x'; SELECT 1"
        with Reads() as reads:
            clerk.get("/api/dossiers")
        assert reads.on_replica("dossiers_dossier")
    finally:
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    caught_up()
    clerk.cookies[WROTE_COOKIE] = f"{float(wrote_at) - 60:.3f}:{position}"
    with Reads() as reads:
        again = clerk.get("/api/dossiers")
    assert again.json()["items"][0]["status"] == moved.json()["status"]
    assert reads.on_replica("dossiers_dossier") and not reads.on_primary("dossiers_dossier")
