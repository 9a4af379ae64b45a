"""Fault tests against a real `motcua serve` (gunicorn and its supervised worker) on a local
SQLite file and a loopback port: the worker killed comes back; the worker outlives a held
write lock and then sends every queued message, while a web request that cannot get the lock
is answered 503 at once.

Each test is bounded (every wait is for a condition, with a deadline) and stops the server
it started. They need a real SQLite file that another process can lock, so they run on
SQLite only: on PostgreSQL the same supervision and retry code runs, and the lock fault is
SQLite's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="a SQLite file lock and process faults; the PostgreSQL run adds nothing here",
)
# The probe held the lock 26 s, beyond the web's and the worker's busy timeouts (then 20 s).
# Here both timeouts are 1 s and the lock is held LOCK_SECONDS, so the worker's rounds fail
# several times over, as they did; MOTCUA_FAULT_LOCK_SECONDS=26 replays the probe exactly.
LOCK_SECONDS = float(os.environ.get("MOTCUA_FAULT_LOCK_SECONDS", "4"))
BUSY_TIMEOUT = "1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Callable[[], Any], seconds: float, what: str) -> Any:
    """Poll ``condition`` until it returns something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, made once and copied for each test."""
    data = tmp_path_factory.mktemp("migrated")
    env = {**os.environ, "MOTCUA_DATA_DIR": str(data), "LOG_LEVEL": "ERROR"}
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "motcua.cli", "migrate", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    return data / "motcua.sqlite3"


@dataclass
class Server:
    port: int
    data: Path
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def db(self) -> Path:
        return self.data / "motcua.sqlite3"

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def worker(self) -> dict[str, Any]:
        status, _headers, body = self.request("GET", "/healthz")
        assert status == 200
        return dict(json.loads(body)["worker"])

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def server(migrated: Path, tmp_path: Path) -> Iterator[Server]:
    """`motcua serve` with its worker (one gunicorn process, the worker's round every 0.5 s),
    both SQLite busy timeouts 1 s."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(migrated, data / "motcua.sqlite3")
    port = _free_port()
    env = {
        **os.environ,
        "MOTCUA_DATA_DIR": str(data),
        "LOG_LEVEL": "WARNING",
        "MOTCUA_SQLITE_BUSY_TIMEOUT": BUSY_TIMEOUT,
        "MOTCUA_WORKER_SQLITE_BUSY_TIMEOUT": BUSY_TIMEOUT,
    }
    for name in ("DATABASE_URL", "EMAIL_HOST"):
        env.pop(name, None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "motcua.cli", "serve", "--insecure-dev-key"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-access-log"),
                *("--worker-interval", "0.5"),
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, to stop everything it started
        )
    server = Server(port, data, process, log)
    try:

        def up() -> bool:
            if process.poll() is not None:
                pytest.fail(f"motcua serve exited: {server.output()[-2000:]}")
            try:
                return server.worker()["status"] == "ok"
            except OSError:
                return False

        wait_for(up, 120, "the server and its worker's first beat")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        # Nothing it started may outlive the test (the worker exits with its parent too).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def test_a_killed_worker_is_started_again_by_serve(server: Server) -> None:
    first = server.worker()["pid"]
    os.kill(first, signal.SIGKILL)

    def beating_again() -> bool:
        worker = server.worker()
        return worker["status"] == "ok" and worker["pid"] != first

    wait_for(beating_again, 60, "a new worker's beat")
    assert re.search(rf"worker \(pid {first}\) stopped.*; restarting it", server.output())


def _queue(db: sqlite3.Connection, n: int) -> None:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    db.executemany(
        "INSERT INTO notify_message (kind, channel, recipient, subject, body, reference, status,"
        " attempts, next_attempt_at, claimed_by, last_error, created_at)"
        " VALUES ('generic', 'email', ?, 'Thông báo', 'Nội dung', '', 'pending', 0, ?, '', '', ?)",
        [(f"nguoi-nhan-{i}@example.vn", now, now) for i in range(n)],
    )


def _sent(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path, timeout=5) as db:
        rows = db.execute("SELECT status, count(*) FROM notify_message GROUP BY status").fetchall()
    return dict(rows)


def test_the_worker_outlives_a_held_lock_and_sends_every_queued_message(server: Server) -> None:
    """The probe's reproduction: ``BEGIN IMMEDIATE``, sleep, ``COMMIT`` on the SQLite file.
    Messages are queued before the lock and inside the locked transaction; a login attempt
    (a write) during the lock is answered 503 after the 1-s busy timeout, not a 500 after 20."""
    worker_before = server.worker()["pid"]
    with sqlite3.connect(server.db, timeout=5, isolation_level=None) as db:
        db.execute("BEGIN IMMEDIATE")
        _queue(db, 5)
        db.execute("COMMIT")
    wait_for(lambda: _sent(server.db).get("sent") == 5, 30, "the first messages sent")

    # A CSRF cookie and token for the login form, before the lock (a GET writes nothing).
    status, headers, page = server.request("GET", "/dang-nhap/")
    assert status == 200
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None

    locker = sqlite3.connect(server.db, timeout=5, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")
        _queue(locker, 7)
        locked_at = time.monotonic()
        status, headers, page = server.request(
            "POST",
            "/dang-nhap/",
            urlencode(
                {"csrfmiddlewaretoken": token.group(1).decode(), "username": "x", "password": "y"}
            ),
            {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        assert status == 503
        assert headers["Retry-After"] == "5"
        assert "Hệ thống đang bận" in page.decode()
        # Hold the lock until the worker has failed on it more than once.
        wait_for(
            lambda: server.output().count("worker: database unavailable") >= 2,
            LOCK_SECONDS + 30,
            "the worker to meet the lock",
        )
        time.sleep(max(0.0, LOCK_SECONDS - (time.monotonic() - locked_at)))
        locker.execute("COMMIT")
    finally:
        locker.close()

    wait_for(lambda: _sent(server.db) == {"sent": 12}, 60, "every queued message sent")
    assert "database is locked" in server.output()
    assert server.worker()["pid"] == worker_before  # survived, not restarted


# Run in the server's own database: the named world, an online procedure with two parts, a
# citizen and a signed-in session for them (the cookie printed as JSON).
_SUBMISSION_SETUP = """
import json
from decimal import Decimal
from django.test import Client
from motcua.catalog.models import DurationUnit, Field, OnlineLevel, Part
from motcua.portal.accounts import citizen_register
from tests.world import procedure_create, world_build
world = world_build()
version = procedure_create(
    code="1.009972", name="Cấp giấy phép xây dựng", agency=world.justice,
    field=Field.objects.create(name="Hoạt động xây dựng"), duration=Decimal(15),
    unit=DurationUnit.WORKING_DAYS,
)
version.online = OnlineLevel.FULL
version.save(update_fields=["online"])
parts = [Part.objects.create(version=version, position=i, name=f"Phần {i}").pk for i in (1, 2)]
citizen = citizen_register(
    identifier="an.nguyen@example.vn", password="Mat-khau-cong-dan-2026", full_name="Nguyễn Văn An"
)
client = Client()
client.force_login(citizen)
print(json.dumps({"session": client.cookies["sessionid"].value, "parts": parts}))
"""

_SWEEP = """
import datetime as dt, json
from motcua.dossiers.services import files_orphaned_set_aside
print(json.dumps(files_orphaned_set_aside(
    written_after=dt.datetime(2000, 1, 1, tzinfo=dt.UTC), grace=dt.timedelta(0)
)))
"""

APPLICANT = {
    "kind": "citizen",
    "name": "Nguyễn Văn An",
    "id_number": "066090001234",
    "phone": "0912345678",
    "email": "an.nguyen@example.vn",
    "address": "Số 5 đường Lê Duẩn, Gia Nghĩa",
}


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = f"motcua-{os.urandom(8).hex()}"
    out = bytearray()
    for name, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += value.encode() + b"\r\n"
    for name, (filename, content) in files.items():
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def _pdf(n: int, which: int) -> bytes:
    # Large enough that writing it takes a moment; unique, so its hash names its submission.
    return b"%PDF-1.4\n%" + f"ho-so-{n}-phan-{which}\n".encode() * 20000 + b"%%EOF\n"


def test_server_killed_during_20_submissions_leaves_no_half_written_dossier_or_orphan_file(
    server: Server,
) -> None:
    """20 online submissions (two uploaded parts each) in flight when the whole server is
    killed (SIGKILL, no clean-up): every dossier in the database has both parts with the very
    files that were sent, and every file on disk belongs to a row."""
    import hashlib
    import threading

    env = {**os.environ, "MOTCUA_DATA_DIR": str(server.data), "LOG_LEVEL": "ERROR"}
    env.pop("DATABASE_URL", None)
    setup = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "manage", "shell", "-c", _SUBMISSION_SETUP],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    given = json.loads(setup.stdout.strip().splitlines()[-1])
    first, second = given["parts"]
    session = f"sessionid={given['session']}"
    status, headers, page = server.request(
        "GET", "/thu-tuc/1.009972/nop/", None, {"Cookie": session}
    )
    assert status == 200, page[:500]
    csrf_cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None

    sent: dict[str, int] = {}  # sha256 of each part sent → submission number
    contents: list[tuple[bytes, int]] = []  # each part sent, with its submission number
    answered: list[int] = []
    done = threading.Event()

    def submit(n: int) -> None:
        files = {f"part-{first}": (f"don-{n}.pdf", _pdf(n, 1))}
        files[f"part-{second}"] = (f"cccd-{n}.pdf", _pdf(n, 2))
        for _name, content in files.values():
            sent[hashlib.sha256(content).hexdigest()] = n
            contents.append((content, n))
        body, content_type = _multipart(
            {**APPLICANT, "csrfmiddlewaretoken": token.group(1).decode()}, files
        )
        try:
            status, _h, _b = server.request(
                "POST",
                "/thu-tuc/1.009972/nop/",
                body.decode("latin-1"),
                {"Cookie": f"{session}; {csrf_cookie}", "Content-Type": content_type},
            )
            if status == 302:
                answered.append(n)
                if len(answered) >= 5:
                    done.set()
        except OSError:
            pass  # the server was killed under this request

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    assert done.wait(120), f"fewer than 5 submissions answered: {server.output()[-2000:]}"
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=60)

    # A kill between writing a part's file and the commit leaves that file with no row
    # (archive.files): the worker's hourly job moves such files aside once they
    # are an hour old; here it runs at once, with no server left to have a transaction open.
    sweep = subprocess.run(
        [*(sys.executable, "-m", "motcua.cli", "manage", "shell", "-c"), _SWEEP],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    set_aside = json.loads(sweep.stdout.strip().splitlines()[-1])

    media = server.data / "media"
    for name in set_aside:
        # What was moved aside is only ever a file of an unanswered submission: whole, or cut
        # short (even empty) when the kill fell while it was being written.
        content = (server.data / "orphans" / name).read_bytes()
        owners = {n for whole, n in contents if whole.startswith(content)}
        assert owners - set(answered), f"{name} ({len(content)} bytes) is no unanswered part"
    with sqlite3.connect(server.db) as db:
        dossiers = [row[0] for row in db.execute("SELECT id FROM dossiers_dossier")]
        parts = db.execute(
            "SELECT dossier_id, file FROM archive_document WHERE dossier_id IS NOT NULL"
        ).fetchall()
        stored = [row[0] for row in db.execute("SELECT file FROM archive_document WHERE in_store")]
    assert len(answered) <= len(dossiers) <= 20
    by_dossier: dict[int, list[str]] = {}
    for dossier_id, name in parts:
        by_dossier.setdefault(dossier_id, []).append(name)
    for dossier_id in dossiers:
        names = by_dossier.get(dossier_id, [])
        assert len(names) == 2, f"dossier {dossier_id} has parts {names}"
        numbers = {
            sent.get(hashlib.sha256((media / name).read_bytes()).hexdigest()) for name in names
        }
        assert len(numbers) == 1 and None not in numbers, f"dossier {dossier_id}: {names}"
    on_disk = {p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()}
    assert on_disk == {name for _id, name in parts} | set(stored)
