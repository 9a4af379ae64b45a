"""The dashboard's charts by month read from the rollup are the months counted on the
dossiers, and they add up to the period's report."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from typing import TypedDict

import pytest
import time_machine

from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import DeliveryChannel, Dossier
from motcua.dossiers.services import dossier_deliver, dossier_finish, dossier_handover
from motcua.office.dashboard import MonthFigures, figures_by_month
from motcua.reports.queries import period_figures
from tests.rollup.test_rollup_follows_services import _step
from tests.world import World, local, staff_create


# A history from mid-November to January, so that periods can span a year's end.
class Period(TypedDict):
    """A report's period, as ``period_figures`` and ``figures_by_month`` take it."""

    date_from: dt.date
    date_to: dt.date


START = dt.date(2026, 11, 16)
PERIODS = [
    (dt.date(2026, 11, 18), dt.date(2026, 11, 27)),  # within one month
    (dt.date(2026, 11, 20), dt.date(2026, 12, 9)),  # two partial months
    (dt.date(2026, 12, 1), dt.date(2026, 12, 31)),  # one whole month
    (dt.date(2026, 11, 1), dt.date(2026, 12, 31)),  # whole months
    (dt.date(2026, 11, 17), dt.date(2027, 1, 12)),  # partial, whole, partial, over a year end
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),  # a year
    (dt.date(2026, 12, 15), dt.date(2027, 2, 28)),  # a year end, whole months after
]


@pytest.fixture
def history(world: World) -> list[Dossier]:
    rng = random.Random(11)
    dossiers: list[Dossier] = []
    now = local(START, 8)
    with time_machine.travel(now, tick=False) as traveller:
        for _ in range(80):
            now += dt.timedelta(hours=rng.choice([0, 1, 2, 5, 16, 40]))
            traveller.move_to(now)
            _step(rng, world, dossiers)
            if dossiers and rng.random() < 0.3:
                _resolve(world, rng.choice(dossiers))
    return dossiers


def _resolve(world: World, d: Dossier) -> None:
    """Hand a dossier on, decide and deliver it where its state allows (random steps alone
    seldom carry one that far)."""
    for step in (
        lambda: dossier_handover(dossier=d, actor=world.clerk),
        lambda: dossier_finish(dossier=d, actor=world.leader),
        lambda: dossier_deliver(
            dossier=d, actor=world.clerk, channel=DeliveryChannel.COUNTER, reference=""
        ),
    ):
        d.refresh_from_db()
        with contextlib.suppress(DossierError):
            step()


def _totals(months: list[MonthFigures]) -> dict[str, int]:
    return {
        "online": sum(m.online for m in months),
        "direct": sum(m.direct for m in months),
        "postal": sum(m.postal for m in months),
        "resolved": sum(m.resolved for m in months),
        "on_time": sum(m.on_time for m in months),
    }


@pytest.mark.django_db
def test_the_rollups_months_are_the_dossiers_months(world: World, history: list[Dossier]) -> None:
    office = staff_create("vanphong", "Đỗ Văn Tâm", world.province, "provincial_office")
    seen = _totals([])
    with time_machine.travel(local(dt.date(2027, 3, 2), 9), tick=False):
        for date_from, date_to in PERIODS:
            period: Period = {"date_from": date_from, "date_to": date_to}
            rolled = figures_by_month(office, **period, source="rollup")
            counted = figures_by_month(office, **period, source="dossiers")
            assert rolled == counted, (date_from, date_to)
            # The province's dashboard reads the rollup by default.
            assert figures_by_month(office, **period) == rolled
            assert rolled[0].month == date_from.replace(day=1)
            assert rolled[-1].month == date_to.replace(day=1)
            report = period_figures(**period)
            totals = _totals(rolled)
            assert totals == {
                "online": report["received"]["online"],
                "direct": report["received"]["direct"],
                "postal": report["received"]["postal"],
                "resolved": report["resolved"]["total"],
                "on_time": report["resolved"]["early"] + report["resolved"]["on_time"],
            }
            seen = {k: seen[k] + v for k, v in totals.items()}
    # The history gave each figure something to count.
    assert seen["direct"] and seen["postal"] and seen["resolved"] and seen["on_time"]
    assert len(history) > 10


@pytest.mark.django_db
def test_an_agencys_months_are_counted_on_its_dossiers(
    world: World, history: list[Dossier]
) -> None:
    """A leader's scope is not the province: its months equal the rollup's read within the
    same scope."""
    date_from, date_to = dt.date(2026, 11, 17), dt.date(2027, 1, 12)
    with time_machine.travel(local(dt.date(2027, 3, 2), 9), tick=False):
        default = figures_by_month(world.leader, date_from=date_from, date_to=date_to)
        counted = figures_by_month(
            world.leader, date_from=date_from, date_to=date_to, source="dossiers"
        )
        rolled = figures_by_month(
            world.leader, date_from=date_from, date_to=date_to, source="rollup"
        )
    assert default == counted == rolled
    assert sum(m.received for m in counted) > 0
