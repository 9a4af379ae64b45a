"""The QĐ 766 ranking is kept per period (``reports.ranking``): the kept scores are the
direct computation's, a later change shows up once the hourly job refreshes them (not
before), and a closed period is computed once and kept."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.dossiers.classify import LOCAL
from motcua.dossiers.models import Dossier
from motcua.reports.models import RankingScore
from tests.rollup.test_executive import history  # noqa: F401
from tests.rollup.test_rollup_follows_services import _step
from tests.world import MONDAY, World, local, staff_create

DAY = MONDAY + dt.timedelta(days=25)


def _scores(rows: list[dict[str, Any]]) -> dict[int, float]:
    return {r["agency_id"]: r["score"] for r in rows}


def _direct_quarter(day: dt.date) -> dict[int, float]:
    from motcua.reports.indicators import indicators_for_agencies
    from motcua.reports.ranking import ranked_agencies

    agencies = ranked_agencies(dt.date(2026, 10, 1), day)
    results = indicators_for_agencies(
        year=day.year, date_from=dt.date(2026, 10, 1), date_to=day, agencies=agencies
    )
    return {pk: r["qd766"]["score"] for pk, r in results.items()}


@pytest.mark.django_db
def test_the_kept_ranking_is_the_direct_computation(
    world: World,
    history: list[Dossier],  # noqa: F811
) -> None:
    from motcua.reports.executive import ranking
    from motcua.reports.ranking import RankingPeriod, ranking_snapshot

    with time_machine.travel(local(DAY, 9), tick=False):
        year = ranking_snapshot(RankingPeriod(2026))
        quarter = ranking_snapshot(RankingPeriod(2026, 4))
        direct = ranking(2026, DAY)
        assert year["rows"] == direct  # the same agencies, scores and order
        assert any(r["score"] > 0 for r in direct)
        assert _scores(quarter["rows"]) == _direct_quarter(DAY)
    assert year["date_to"] == DAY and quarter["date_from"] == dt.date(2026, 10, 1)
    assert RankingScore.objects.filter(year=2026, quarter=0).count() == len(direct)


@pytest.mark.django_db
def test_a_later_change_shows_after_the_refresh_not_before(
    world: World,
    history: list[Dossier],  # noqa: F811
) -> None:
    from motcua.reports.executive import ranking
    from motcua.reports.jobs import ranking_tick
    from motcua.reports.ranking import RankingPeriod, ranking_snapshot

    office = staff_create("vanphong", "Đỗ Văn Tâm", world.province, "provincial_office")
    client = Client()
    client.force_login(office)
    period = {"date_from": "2026-10-01", "date_to": "2026-11-30"}
    with time_machine.travel(local(DAY, 9), tick=False):
        first = ranking_snapshot(RankingPeriod(2026))
    # More dossiers received and resolved until the direct scores differ.
    rng = random.Random(11)
    now = local(DAY, 10)
    changed = False
    with time_machine.travel(now, tick=False) as traveller:
        for _ in range(12):
            for _ in range(10):
                now += dt.timedelta(hours=rng.choice([1, 2, 5, 16]))
                traveller.move_to(now)
                _step(rng, world, history)
            if _scores(ranking(2026, now.date())) != _scores(first["rows"]):
                changed = True
                break
        assert changed
        day = now.date()
        before = ranking_snapshot(RankingPeriod(2026))
        html = client.get("/dieu-hanh/", period).content.decode()
        assert before == first  # not before the refresh
        stamp = f"{first['computed_at'].astimezone(LOCAL):%H:%M %d/%m/%Y}"
        assert f"Tính lúc {stamp}" in html
        traveller.move_to(now + dt.timedelta(minutes=1))
        ranking_tick()  # the worker's hourly job
        after = ranking_snapshot(RankingPeriod(2026))
        assert after["rows"] == ranking(2026, day)
        assert _scores(after["rows"]) != _scores(first["rows"])
        assert after["computed_at"] > first["computed_at"]
        page = Client().get("/bang-xep-hang/").content.decode()
    for row in after["rows"]:
        shown = re.search(rf'data-agency="{row["code"]}".*?data-score="([\d.]+)"', page, re.S)
        assert shown and float(shown.group(1)) == pytest.approx(row["score"], abs=0.005)


@pytest.mark.django_db
def test_a_closed_period_is_computed_once_and_kept(
    world: World,
    history: list[Dossier],  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    from motcua.reports.jobs import ranking_tick
    from motcua.reports.ranking import RankingPeriod, ranking_snapshot

    with time_machine.travel(local(DAY, 9), tick=False):
        ranking_tick()  # Q4 2026 while it is open: to DAY
        assert RankingScore.objects.filter(year=2026, quarter=4, date_to=DAY).exists()
    with time_machine.travel(local(dt.date(2027, 1, 4), 0, 30), tick=False):
        ranking_tick()  # the first hour of 2027: the final snapshot of 2026 and its Q4
        kept = {q: ranking_snapshot(RankingPeriod(2026, q))["computed_at"] for q in (0, 4)}
        final = RankingScore.objects.filter(year=2026, quarter=4).first()
        assert final is not None
        assert final.date_to == dt.date(2026, 12, 31)
    with time_machine.travel(local(dt.date(2027, 3, 2), 9), tick=False):
        ranking_tick()
        capsys.readouterr()
        assert main(["report", "ranking", "--period", "2026-Q4"]) == 0
        assert "kept" in capsys.readouterr().out
        for q in (0, 4):
            assert ranking_snapshot(RankingPeriod(2026, q))["computed_at"] == kept[q]
        assert not AuditEvent.objects.filter(action="ranking.compute").exists()
        assert main(["report", "ranking", "--period", "2026-Q4", "--force"]) == 0
        assert ranking_snapshot(RankingPeriod(2026, 4))["computed_at"] > kept[4]
        assert AuditEvent.objects.filter(action="ranking.compute", object_id="2026-Q4").exists()
        assert main(["report", "ranking", "--period", "2026-Q5"]) == 2
        # The spelling of ``report send --period`` is accepted too; a period not yet begun is
        # refused, not stored as zeros.
        assert main(["report", "ranking", "--period", "2026Q4"]) == 0
        capsys.readouterr()
        assert main(["report", "ranking", "--period", "2027-Q2"]) == 2
        assert "has not begun" in capsys.readouterr().err
        assert not RankingScore.objects.filter(year=2027, quarter=2).exists()


@pytest.mark.django_db
def test_a_period_without_a_snapshot_is_computed_on_the_first_read(
    world: World,
    history: list[Dossier],  # noqa: F811
) -> None:
    with time_machine.travel(local(DAY, 9), tick=False):
        assert not RankingScore.objects.exists()
        html = Client().get("/bang-xep-hang/").content.decode()
        assert "Tính lúc 09:00" in html
        assert RankingScore.objects.filter(year=2026, quarter=0).exists()
