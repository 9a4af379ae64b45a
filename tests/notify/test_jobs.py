"""The system's periodic jobs are found by the worker and do their work."""

from __future__ import annotations

import importlib

import pytest

import motcua.notify.worker as worker
from motcua.dossiers.models import Dossier, Flag, Status
from motcua.notify.models import PeriodicJob
from motcua.notify.services import dossier_notify
from tests.notify.conftest import make_dossier


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, worker.Job]:
    registry: dict[str, worker.Job] = {}
    monkeypatch.setattr(worker, "JOBS", registry)
    # The modules register at import; they may have been imported by an earlier test.
    for name in ("motcua.notify.jobs", "motcua.feedback.jobs", "motcua.reports.jobs"):
        importlib.reload(importlib.import_module(name))
    return registry


def test_the_dossier_scans_are_registered(jobs: dict[str, worker.Job]) -> None:
    worker.jobs_discover()
    assert {name: job.every.total_seconds() for name, job in jobs.items()} == {
        "dossiers_flag_overdue": 900,
        "dossiers_stop_expired_supplements": 3600,
        "feedback_flag_overdue": 900,
        "reports_make": 5,
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
        ("reports_make", ""),
    }


def test_completion_request_before_intake_does_not_mention_the_clock(db: None) -> None:
    before: Dossier = make_dossier(status=Status.NEEDS_COMPLETION, received_at=None, due_at=None)
    during: Dossier = make_dossier(2, status=Status.SUPPLEMENT_REQUESTED)
    (mail_before,) = dossier_notify(before, "supplement_requested")[:1]
    (mail_during,) = dossier_notify(during, "supplement_requested")[:1]
    assert "tính lại từ đầu" not in mail_before.body
    assert "Hồ sơ được tiếp nhận khi đã đầy đủ, hợp lệ." in mail_before.body
    assert "Thời gian giải quyết được tính lại từ đầu" in mail_during.body
