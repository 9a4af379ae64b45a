"""The health check of a kept PostgreSQL connection (``core.postgresql``): no query while the
server has said nothing; a connection the server closed is replaced before the request's
first query."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.db.backends.postgresql import base as django_postgresql

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
    pytest.mark.django_db(transaction=True),
]


def _as_a_new_request() -> None:
    # What Django does at the start and end of every request (``request_started`` and
    # ``request_finished``): the next query checks the kept connection first.
    close_old_connections()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _terminate(pid: int) -> None:
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            if not other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} still there")


def test_the_setting_names_this_backend() -> None:
    assert connection.settings_dict["ENGINE"] == "motcua.core.postgresql"
    assert connection.health_check_enabled


def test_a_quiet_kept_connection_is_taken_without_a_query(monkeypatch: pytest.MonkeyPatch) -> None:
    pid = _backend_pid()
    asked: list[Any] = []
    monkeypatch.setattr(
        django_postgresql.DatabaseWrapper, "is_usable", lambda self: asked.append(self) or True
    )
    _as_a_new_request()
    assert _backend_pid() == pid
    assert asked == []  # Django's SELECT 1 was not sent


def test_a_connection_the_server_closed_is_replaced_before_the_first_query() -> None:
    pid = _backend_pid()
    _terminate(pid)
    _as_a_new_request()
    assert _backend_pid() != pid  # no error: reconnected by the check, not by a failure
