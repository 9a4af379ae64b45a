"""The dossiers register their own periodic jobs, and the worker finds and runs them."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from pytest_django import Settings

import motcua.notify.worker as worker
from motcua.dossiers.models import Flag
from motcua.dossiers.services import (
    dossiers_flag_overdue,
    dossiers_stop_expired_supplements,
    files_orphaned_set_aside,
)
from motcua.notify.models import PeriodicJob
from tests.dossiers.test_notices import make_dossier


@pytest.fixture
def jobs(
    monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path
) -> dict[str, worker.Job]:
    # The worker's heartbeat and the orphan-file job work under MOTCUA_DATA_DIR and the
    # storage folder: this test's own, never the developer's var/.
    settings.DATA_DIR = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    registry: dict[str, worker.Job] = {}
    monkeypatch.setattr(worker, "JOBS", registry)
    # The worker discovers each installed app's ``jobs`` module by importing it; an earlier
    # test may have imported them already, so import them afresh into the empty registry.
    discover = worker.jobs_discover

    def rediscover() -> None:
        discover()
        for name in ("motcua.dossiers.jobs",):
            importlib.reload(importlib.import_module(name))

    monkeypatch.setattr(worker, "jobs_discover", rediscover)
    return registry


def test_the_dossier_scans_are_registered_by_the_dossiers_app(
    jobs: dict[str, worker.Job],
) -> None:
    worker.jobs_discover()
    assert jobs["dossiers_flag_overdue"].func is dossiers_flag_overdue
    assert jobs["dossiers_flag_overdue"].every.total_seconds() == 900
    assert jobs["dossiers_stop_expired_supplements"].func is dossiers_stop_expired_supplements
    assert jobs["dossiers_stop_expired_supplements"].every.total_seconds() == 3600
    assert jobs["files_orphaned_set_aside"].func is files_orphaned_set_aside
    assert jobs["files_orphaned_set_aside"].every.total_seconds() == 3600


def test_worker_once_runs_the_overdue_scan(jobs: dict[str, worker.Job], db: None) -> None:
    dossier = make_dossier()  # due 5/9/2022, still processing
    worker.worker_run(once=True)
    dossier.refresh_from_db()
    assert Flag.OVERDUE in dossier.flags
    ran = dict(PeriodicJob.objects.values_list("name", "last_error"))
    assert ran["dossiers_flag_overdue"] == ""
    assert ran["dossiers_stop_expired_supplements"] == ""
    assert ran["files_orphaned_set_aside"] == ""
