"""The system's periodic jobs are found by the worker and do their work."""

from __future__ import annotations

import importlib

import pytest

import motcua.notify.worker as worker
from motcua.dossiers.models import Flag
from motcua.notify.models import PeriodicJob
from tests.dossiers.test_notices import make_dossier


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, worker.Job]:
    registry: dict[str, worker.Job] = {}
    monkeypatch.setattr(worker, "JOBS", registry)
    # The modules register at import; they may have been imported by an earlier test.
    for name in ("motcua.notify.jobs", "motcua.feedback.jobs", "motcua.office.jobs"):
        importlib.reload(importlib.import_module(name))
    return registry


def test_the_dossier_scans_are_registered(jobs: dict[str, worker.Job]) -> None:
    worker.jobs_discover()
    assert {name: job.every.total_seconds() for name, job in jobs.items()} == {
        "dossiers_flag_overdue": 900,
        "dossiers_stop_expired_supplements": 3600,
        "feedback_flag_overdue": 900,
        "office_reports_make": 5,
    }


def test_worker_once_runs_the_overdue_scan(jobs: dict[str, worker.Job], db: None) -> None:
    dossier = make_dossier()  # due 5/9/2022, still processing
    worker.worker_run(once=True)
    dossier.refresh_from_db()
    assert Flag.OVERDUE in dossier.flags
    assert set(PeriodicJob.objects.values_list("name", "last_error")) == {
        ("dossiers_flag_overdue", ""),
        ("dossiers_stop_expired_supplements", ""),
        ("feedback_flag_overdue", ""),
        ("office_reports_make", ""),
    }
