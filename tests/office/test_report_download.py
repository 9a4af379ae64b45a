"""The period report from the dashboard: asked for by a leader, the center's manager or the
provincial office for the period shown and their own scope, made by the worker, downloaded by
the one who asked, audited."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.http import FileResponse
from django.test import Client
from pytest_django import Settings

import motcua.notify.worker as worker
from motcua.core.models import AuditEvent
from motcua.reports.models import ReportRequest, ReportStatus

from .conftest import World, login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def jobs(monkeypatch: pytest.MonkeyPatch) -> dict[str, worker.Job]:
    """A registry of this test's own with the reports job in it: a module registers its jobs
    once, when first imported, possibly into another test's registry."""
    registry: dict[str, worker.Job] = {}
    monkeypatch.setattr(worker, "JOBS", registry)
    importlib.reload(importlib.import_module("motcua.reports.jobs"))
    return registry


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    """The made reports go to a temporary directory."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return root


NOW = dt.datetime(2026, 3, 20, 3, 0, tzinfo=dt.UTC)
PERIOD = {"date_from": "2026-01-01", "date_to": "2026-03-20"}


def ask(client: Client, fmt: str = "xlsx", **period: str) -> ReportRequest | None:
    response = client.post("/can-bo/lanh-dao/bao-cao/lap/", {**PERIOD, **period, "fmt": fmt})
    assert response.status_code == 302
    return ReportRequest.objects.order_by("-id").first()


@time_machine.travel(NOW, tick=False)
def test_a_leader_gets_the_report_of_the_department_through_the_worker(
    world: World, client: Client, media: Path
) -> None:
    world.dossier(received_at=NOW - dt.timedelta(days=3))
    login(client, world.leader)
    page = client.get("/can-bo/lanh-dao/?date_from=2026-01-01&date_to=2026-03-20")
    assert "Tải báo cáo kỳ này (Sở Xây dựng)" in page.content.decode()
    request = ask(client)
    assert request is not None
    assert request.agency == world.construction  # his department, whatever he could send
    assert (request.date_from, request.date_to) == (dt.date(2026, 1, 1), dt.date(2026, 3, 20))
    assert request.status == ReportStatus.PENDING
    waiting = client.get("/can-bo/lanh-dao/bao-cao/").content.decode()
    assert 'hx-trigger="every 5s"' in waiting  # the list refreshes itself meanwhile

    worker.jobs_discover()
    assert "reports_make" in worker.JOBS
    assert "reports_make" in worker.jobs_run_due()  # what `motcua worker` runs
    request.refresh_from_db()
    assert request.status == ReportStatus.DONE, request.error
    assert request.file.name is not None
    assert (media / request.file.name).exists()

    listing = client.get("/can-bo/lanh-dao/bao-cao/").content.decode()
    assert f"/can-bo/lanh-dao/bao-cao/{request.pk}/" in listing
    assert "every 5s" not in listing
    response = client.get(f"/can-bo/lanh-dao/bao-cao/{request.pk}/")
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    data = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist()  # an XLSX is a zip
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="report.download")
    assert event.object_id == str(request.pk)
    assert event.data["agency"] == world.construction.code
    assert AuditEvent.objects.filter(action="report.request").count() == 1


@time_machine.travel(NOW, tick=False)
def test_scopes_of_the_center_and_the_province(world: World, client: Client) -> None:
    # The centre's manager gets the centre's report: what it received, the numbers of the
    # manager's dashboard (not the province's, as before issue 11).
    login(client, world.manager)
    manager_request = ask(client, "docx")
    assert manager_request is not None and manager_request.agency == world.center
    login(client, world.provincial)
    provincial_request = ask(client, "docx")
    assert provincial_request is not None and provincial_request.agency is None


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["specialist", "clerk", "auditor"])
def test_other_roles_cannot_ask(world: World, client: Client, who: str) -> None:
    login(client, getattr(world, who))
    response = client.post("/can-bo/lanh-dao/bao-cao/lap/", {**PERIOD, "fmt": "pdf"})
    assert response.status_code == 403
    assert not ReportRequest.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_only_the_one_who_asked_downloads_and_only_when_made(world: World, client: Client) -> None:
    login(client, world.leader)
    request = ask(client)
    assert request is not None
    assert client.get(f"/can-bo/lanh-dao/bao-cao/{request.pk}/").status_code == 404  # not yet
    worker.jobs_discover()
    worker.jobs_run_due()
    assert client.get(f"/can-bo/lanh-dao/bao-cao/{request.pk}/").status_code == 200
    login(client, world.manager)
    assert client.get(f"/can-bo/lanh-dao/bao-cao/{request.pk}/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_reversed_period_or_format_is_refused(world: World, client: Client) -> None:
    login(client, world.leader)
    client.post(
        "/can-bo/lanh-dao/bao-cao/lap/",
        {"date_from": "2026-03-20", "date_to": "2026-01-01", "fmt": "pdf"},
    )
    client.post("/can-bo/lanh-dao/bao-cao/lap/", {**PERIOD, "fmt": "exe"})
    assert not ReportRequest.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_asking_twice_while_it_is_made_gives_one_request(world: World, client: Client) -> None:
    login(client, world.leader)
    ask(client)
    ask(client)
    assert ReportRequest.objects.count() == 1
