"""The dashboard's figures agree with the period report (motcua.reports) for a department."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from motcua.dossiers.models import EndKind, Status
from motcua.office.dashboard import dashboard_figures
from motcua.reports.queries import period_figures

from .conftest import World

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 9, 0, tzinfo=dt.UTC)


def at(days: int) -> dt.datetime:
    return NOW + dt.timedelta(days=days)


@time_machine.travel(NOW, tick=False)
def test_dashboard_matches_the_period_report(world: World) -> None:
    d = world.dossier
    d(received_at=at(-100), due_at=at(-80))  # carried over, overdue at the end
    d(
        received_at=at(-100),
        due_at=at(-80),
        ended_at=at(-90),
        end_kind=EndKind.RESULT,
        dossier_class="early",
        status=Status.RESULT_READY,
    )  # ended before the period
    d(
        received_at=at(-10),
        due_at=at(5),
        ended_at=at(-2),
        end_kind=EndKind.RESULT,
        dossier_class="on_time",
        status=Status.RESULT_READY,
    )
    d(
        received_at=at(-10),
        due_at=at(-5),
        ended_at=at(-1),
        end_kind=EndKind.RESULT,
        dossier_class="late",
        status=Status.DELIVERED,
    )
    d(
        received_at=at(-5),
        due_at=at(10),
        ended_at=at(-1),
        end_kind=EndKind.REFUSED,
        status=Status.REFUSED,
    )
    d(
        received_at=at(-3),
        due_at=at(10),
        ended_at=at(-1),
        end_kind=EndKind.WITHDRAWN,
        status=Status.WITHDRAWN,
    )
    d(
        received_at=at(-3),
        due_at=at(-1),
        status=Status.SUPPLEMENT_REQUESTED,
        supplement_requested_at=at(-2),
        supplement_count=1,
    )
    d(received_at=at(-1), due_at=at(10))
    d(version=world.justice_version, received_at=at(-1), due_at=at(10))  # another agency

    date_from, date_to = dt.date(2026, 1, 1), timezone.localdate()
    mine = dashboard_figures(
        world.leader, agency=world.construction, date_from=date_from, date_to=date_to
    )["counts"]
    report = period_figures(date_from=date_from, date_to=date_to, agency=world.construction)
    assert mine["received"] == report["received"]["total"] == 6
    assert mine["carried_over"] == report["carried_over"] == 1
    assert mine["resolved"] == report["resolved"]["total"] == 2
    assert (mine["early"], mine["on_time"], mine["late"]) == (
        report["resolved"]["early"],
        report["resolved"]["on_time"],
        report["resolved"]["late"],
    )
    assert mine["refused"] == report["returned"]["total"] == 1
    assert mine["withdrawn"] == report["withdrawn"] == 1
    assert mine["in_progress"] == report["in_progress"]["total"] == 3
    # The one waiting for a supplement is within its due date; the carried-over one is not.
    assert mine["in_progress_overdue"] == report["in_progress"]["overdue"] == 1
