"""A request that cannot get the database answers 503 with Retry-After (JSON for the API,
a Vietnamese page otherwise), and /healthz reports the worker's last beat."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.db import OperationalError
from django.test import Client
from pytest_django import Settings

from motcua.core.heartbeat import heartbeat_write
from motcua.dossiers.models import Dossier
from tests.api.conftest import Api, clerk_api, received, traveller  # noqa: F401
from tests.world import World, world  # noqa: F401


def _locked(*args: Any, **kwargs: Any) -> None:
    raise OperationalError("database is locked")


def test_api_post_while_the_database_is_locked_is_a_json_503(
    clerk_api: Api,  # noqa: F811
    received: Dossier,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("motcua.dossiers.services.dossier_handover", _locked)
    version = received.version
    response = clerk_api.post(f"/dossiers/{received.code}/handover", {"expected_version": version})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == "unavailable" and "gửi lại sau 5 giây" in body["detail"]
    received.refresh_from_db()
    assert received.version == version


@pytest.mark.django_db
def test_a_page_while_the_database_is_locked_is_a_vietnamese_503(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("motcua.portal.queries.dossier_public_lookup", _locked)
    response = client.get("/tra-cuu/", {"ma": "000.00.19.H18-261005-0001", "bi-mat": "X"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Hệ thống đang bận" in page and "chưa được lưu" in page


@pytest.mark.django_db
def test_healthz_reports_the_workers_last_beat_and_when_it_is_stale(
    client: Client, settings: Settings, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    t0 = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(t0, tick=False):
        heartbeat_write("worker", interval=5)
    with time_machine.travel(t0 + dt.timedelta(seconds=30), tick=False):
        fresh = client.get("/healthz").json()
    with time_machine.travel(t0 + dt.timedelta(seconds=61), tick=False):
        late = client.get("/healthz")
    assert fresh["worker"]["status"] == "ok" and fresh["worker"]["age_seconds"] == 30
    assert fresh["worker"]["last_beat"] == t0.isoformat()
    # The web server itself is fine: 200, the worker's state in its own field.
    assert late.status_code == 200
    assert late.json()["status"] == "ok" and late.json()["worker"]["status"] == "stale"


@pytest.mark.django_db
def test_healthz_without_the_database_is_a_json_503(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("motcua.core.views.heartbeat_read", _locked)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["code"] == "unavailable"
