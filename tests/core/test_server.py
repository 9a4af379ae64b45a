"""`motcua serve`: the options it hands gunicorn, and its worker, which gives threads only
to connections whose request has arrived."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from motcua.cli import main
from motcua.core.commands import default_workers


class FakeGunicorn:
    argv: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        FakeGunicorn.argv = list(sys.argv)

    def run(self) -> None:
        raise SystemExit(0)


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


@pytest.fixture
def fake_gunicorn(monkeypatch: pytest.MonkeyPatch) -> type[FakeGunicorn]:
    monkeypatch.setattr("gunicorn.app.wsgiapp.WSGIApplication", FakeGunicorn)
    monkeypatch.setattr("sys.argv", ["motcua"])
    return FakeGunicorn


def test_serve_defaults(fake_gunicorn: type[FakeGunicorn]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--insecure-dev-key", "--no-worker"])
    argv = fake_gunicorn.argv
    assert _option(argv, "--workers") == str(default_workers())
    assert _option(argv, "--worker-class") == "motcua.core.server.ThreadWorker"
    assert _option(argv, "--threads") == "2"
    assert _option(argv, "--keep-alive") == "5"
    assert _option(argv, "--access-logfile") == "-"
    assert _option(argv, "--logger-class") == "motcua.core.server.AccessLogger"


def test_serve_options(fake_gunicorn: type[FakeGunicorn]) -> None:
    with pytest.raises(SystemExit):
        main(
            [
                *("serve", "--insecure-dev-key", "--no-worker", "--workers", "3"),
                *("--threads", "8", "--keep-alive", "30", "--no-access-log"),
            ]
        )
    argv = fake_gunicorn.argv
    assert (_option(argv, "--workers"), _option(argv, "--threads")) == ("3", "8")
    assert _option(argv, "--keep-alive") == "30"
    assert "--access-logfile" not in argv


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def one_thread_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A real `motcua serve`: one worker process with one thread."""
    port = _free_port()
    data = tmp_path_factory.mktemp("serve")
    env = {
        **os.environ,
        "MOTCUA_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "motcua.cli", "serve", "--insecure-dev-key", "--no-worker"]
    options = ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "1"]
    server = subprocess.Popen(
        [*command, *options, "--no-access-log"],
        env=env,
        cwd=str(Path(__file__).resolve().parents[2]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        # Ready once it has answered a request: the first one also loads the URL map and
        # views, which the tests below must not wait for.
        deadline = time.monotonic() + 120
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    err = server.stderr.read().decode() if server.stderr else ""
                    pytest.fail(f"motcua serve did not start: {err[-2000:]}")
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_connections_that_send_nothing_do_not_hold_the_thread(one_thread_server: int) -> None:
    # gunicorn's own threaded worker gives each of these connections the only thread for
    # up to 5 s in turn while it waits for a request: the real request would wait 15 s.
    idle = [socket.create_connection(("127.0.0.1", one_thread_server)) for _i in range(3)]
    try:
        conn = http.client.HTTPConnection("127.0.0.1", one_thread_server, timeout=10)
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        assert response.status == 200
        assert json.loads(response.read())["status"] == "ok"
        conn.close()
    finally:
        for s in idle:
            s.close()


def test_a_kept_alive_connection_serves_several_requests(one_thread_server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", one_thread_server, timeout=5)
    try:
        for _i in range(3):
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            assert response.status == 200
            response.read()
            assert not response.will_close
    finally:
        conn.close()


class _Response:
    status = "200 OK"
    sent = 4080
    headers = [("Content-Type", "text/html; charset=utf-8")]


def _access_line(logger_class: type[Any], uri: str, access_format: str | None = None) -> str:
    """The access log line ``logger_class`` writes for a GET of ``uri``."""
    import datetime as dt
    import logging

    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    if access_format is not None:
        cfg.set("access_log_format", access_format)
    logger = logger_class(cfg)
    logger.now = lambda: "[26/Nov/2026:10:00:00 +0700]"
    lines: list[str] = []
    handler = logging.Handler()
    # The handler's output replaced on this instance (mypy refuses assigning to a method).
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logger.access_log.addHandler(handler)
    path, _, query = uri.partition("?")
    environ = {
        "REMOTE_ADDR": "10.0.0.7",
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": 'curl/8 "x"',
        "HTTP_REFERER": f"http://127.0.0.1:8000{uri}",
    }
    request = SimpleNamespace(
        headers=[
            ("HOST", "127.0.0.1:8000"),
            ("USER-AGENT", 'curl/8 "x"'),
            ("REFERER", environ["HTTP_REFERER"]),
        ]
    )
    logger.access(_Response(), request, environ, dt.timedelta(milliseconds=3))
    return lines[-1]


def test_the_access_log_line_is_gunicorns_own() -> None:
    from gunicorn.glogging import Logger

    from motcua.core.server import AccessLogger

    for uri in ("/healthz", "/thu-tuc/?q=khai+sinh&trang=2", "/tra-cuu/?ma=000.00.19.H18-1"):
        assert _access_line(AccessLogger, uri) == _access_line(Logger, uri)


@pytest.mark.parametrize("access_format", [None, '%(h)s "%(r)s" %(q)s %({referer}i)s %(f)s'])
def test_the_access_log_keeps_no_lookup_secret(access_format: str | None) -> None:
    from motcua.core.server import AccessLogger

    code = "000.00.19.H18-261127-0001"
    for uri in (
        f"/tra-cuu/?ma={code}&bi-mat=WGHPMVD6",
        f"/tra-cuu/?bi-mat=WGHPMVD6&ma={code}",
        f"/danh-gia/{code}/?bi-mat=WGHPMVD6&kenh=qr",
    ):
        line = _access_line(AccessLogger, uri, access_format)
        assert "WGHPMVD6" not in line, line
        assert code in line and "bi-mat=-" in line
