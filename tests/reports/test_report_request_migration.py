"""Moving ``ReportRequest`` from office to reports keeps the requests already made: the table
is renamed, not recreated (reports 0004, office 0002)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from motcua.reports.models import ReportRequest, ReportStatus

BEFORE = [("office", "0001_initial"), ("reports", "0003_report_text_block")]


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_the_rows() -> None:
    user = User.objects.create_user("lanhdao-cu")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    OldRequest = old_apps.get_model("office", "ReportRequest")
    made = OldRequest.objects.create(
        requested_by_id=user.pk,
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 3, 31),
        fmt="docx",
        status="done",
        file="reports/2026/04/bao-cao.docx",
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = ReportRequest.objects.get(pk=made.pk)
    assert (moved.requested_by_id, moved.status, moved.file.name) == (
        user.pk,
        ReportStatus.DONE,
        "reports/2026/04/bao-cao.docx",
    )
    assert ReportRequest._meta.db_table in connection.introspection.table_names()
    assert "office_reportrequest" not in connection.introspection.table_names()
