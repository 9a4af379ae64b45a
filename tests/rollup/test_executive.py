"""The executive view (/dieu-hanh/) shows the report's numbers (``motcua report``), and the
portal's scoreboard shows each agency's QĐ 766 score and no personal data."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from motcua.agencies.models import Agency
from motcua.cli import main
from motcua.dossiers.models import Dossier
from tests.rollup.test_rollup_follows_services import _step
from tests.world import MONDAY, World, local, staff_create

PERIODS = [
    (MONDAY, MONDAY + dt.timedelta(days=3)),
    (MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=20)),
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
]


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["report", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _figure(html: str, key: str) -> int:
    match = re.search(rf'data-figure="{key}"[^>]*>(\d+)<', html)
    assert match, key
    return int(match.group(1))


@pytest.fixture
def history(world: World) -> list[Dossier]:
    rng = random.Random(7)
    dossiers: list[Dossier] = []
    now = local(MONDAY, 8)
    with time_machine.travel(now, tick=False) as traveller:
        for _ in range(40):
            now += dt.timedelta(hours=rng.choice([0, 1, 2, 5, 16, 40]))
            traveller.move_to(now)
            _step(rng, world, dossiers)
    return dossiers


@pytest.mark.django_db
def test_every_number_of_the_executive_view_is_the_reports(
    world: World, history: list[Dossier], capsys: pytest.CaptureFixture[str]
) -> None:
    office = staff_create("vanphong", "Đỗ Văn Tâm", world.province, "provincial_office")
    client = Client()
    client.force_login(office)
    with time_machine.travel(local(MONDAY + dt.timedelta(days=25), 9), tick=False):
        for date_from, date_to in PERIODS:
            html = client.get(
                "/dieu-hanh/", {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
            ).content.decode()
            period = ["--from", date_from.isoformat(), "--to", date_to.isoformat()]
            report = _report(capsys, *period)
            assert _figure(html, "received") == report["received"]["total"]
            assert _figure(html, "received_online") == report["received"]["online"]
            assert _figure(html, "resolved") == report["resolved"]["total"]
            assert _figure(html, "early") == report["resolved"]["early"]
            assert _figure(html, "on_time") == report["resolved"]["on_time"]
            assert _figure(html, "late") == report["resolved"]["late"]
            assert _figure(html, "in_progress") == report["in_progress"]["total"]
            assert _figure(html, "overdue") == report["in_progress"]["overdue"]
            # The agency's row is the agency's own report.
            justice = _report(capsys, *period, "--agency", world.justice.code)
            row = re.search(rf'data-agency="{world.justice.code}">(.*?)</tr>', html, re.S)
            if justice["received"]["total"] + justice["carried_over"]:
                assert row
                cells = [int(n) for n in re.findall(r">(\d+)</a>", row.group(1))]
                assert cells[0] == justice["received"]["total"]
                assert cells[1] == justice["resolved"]["total"]
                assert cells[2] == justice["resolved"]["late"]
                assert cells[3] == justice["in_progress"]["total"]
    assert history


@pytest.mark.django_db
def test_the_monthly_trend_is_the_months_report(
    world: World, history: list[Dossier], capsys: pytest.CaptureFixture[str]
) -> None:
    from motcua.reports.executive import monthly_trend

    trend = monthly_trend(dt.date(2026, 11, 30))
    assert [r["month"] for r in trend][-2:] == [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    for row in trend[-2:]:
        last = (row["month"] + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1)
        report = _report(capsys, "--from", row["month"].isoformat(), "--to", last.isoformat())
        assert row["received"] == report["received"]["total"]
        assert row["resolved"] == report["resolved"]["total"]
        assert row["received_year_before"] == 0
    assert trend[-2]["received"] > 0


@pytest.mark.django_db
def test_the_executive_view_is_for_the_province_only(world: World) -> None:
    client = Client()
    client.force_login(world.leader)  # a department's leader, not the chairman
    assert client.get("/dieu-hanh/").status_code == 404
    client.force_login(world.clerk)
    assert client.get("/dieu-hanh/").status_code in (403, 404)


@pytest.mark.django_db
def test_the_public_scoreboard_lists_agencies_without_personal_data(
    world: World, history: list[Dossier]
) -> None:
    with time_machine.travel(local(MONDAY + dt.timedelta(days=25), 9), tick=False):
        html = Client().get("/bang-xep-hang/").content.decode()
    assert world.justice.name in html
    assert "Hoàng Văn Bình" not in html and "066090001234" not in html
    assert re.search(r'data-score="[\d.]+"', html)


@pytest.mark.django_db
def test_the_executive_view_alerts_on_dossiers_long_overdue(world: World) -> None:
    from motcua.dossiers.services import dossier_receive
    from tests.rollup.test_rollup_follows_services import APPLICANT

    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossier_receive(
            procedure_version=world.procedure,
            applicant=APPLICANT,
            actor=world.clerk,
            receiving_unit=world.center,
        )
    office = staff_create("vanphong", "Đỗ Văn Tâm", world.province, "provincial_office")
    client = Client()
    client.force_login(office)
    period = {"date_from": "2026-10-01", "date_to": "2026-10-31"}
    # Due Thursday 8/10: 5 days later it is overdue, but not by more than 10 days.
    with time_machine.travel(local(MONDAY + dt.timedelta(days=8), 9), tick=False):
        assert 'data-alert="overdue"' not in client.get("/dieu-hanh/", period).content.decode()
    with time_machine.travel(local(MONDAY + dt.timedelta(days=20), 9), tick=False):
        html = client.get("/dieu-hanh/", period).content.decode()
    alert = re.search(r'data-alert="overdue">(.*?)</li>', html, re.S)
    assert alert and world.justice.name in alert.group(1) and " 1 " in alert.group(1)


@pytest.mark.django_db
def test_the_falling_rate_alerts_compare_with_the_previous_periods_report(
    world: World, history: list[Dossier]
) -> None:
    """An agency is alerted when its on-time rate is below its rate of the period before,
    each as the report (on the dossiers) states it for that period, level and agency."""
    from motcua.reports.executive import executive_figures, previous_on_time_rates
    from motcua.reports.queries import period_figures

    def rates(date_from: dt.date, date_to: dt.date) -> dict[tuple[str, str], float]:
        report = period_figures(date_from=date_from, date_to=date_to)
        out = {}
        for level in report["table_ii06a"]["by_agency"]["levels"]:
            for row in level["rows"]:
                if row["resolved_total"]:
                    on_time = row["resolved_early"] + row["resolved_on_time"]
                    out[(level["level"], row["code"])] = round(
                        100 * on_time / row["resolved_total"], 2
                    )
        return out

    codes = dict(Agency.objects.values_list("pk", "code"))
    compared = 0
    with time_machine.travel(local(MONDAY + dt.timedelta(days=25), 9), tick=False):
        for length in (1, 3, 6):
            date_to = MONDAY + dt.timedelta(days=2 * length + 1)
            date_from = date_to - dt.timedelta(days=length)
            prev_to = date_from - dt.timedelta(days=1)
            before = rates(prev_to - dt.timedelta(days=length), prev_to)
            kept = {
                (level, codes[pk]): rate
                for (level, pk), rate in previous_on_time_rates(
                    prev_to - dt.timedelta(days=length), prev_to
                ).items()
            }
            assert kept == pytest.approx(before)
            now = rates(date_from, date_to)
            expected = sorted(
                name
                for (level, code), rate in now.items()
                if (level, code) in before and rate < before[(level, code)]
                for name in Agency.objects.filter(code=code).values_list("name", flat=True)
            )
            alerts = executive_figures(date_from, date_to, with_ranking=False)["alerts"]
            assert sorted(a["name"] for a in alerts) == expected
            compared += len(before)
    assert compared  # the history has resolved dossiers in the periods compared


@pytest.mark.django_db
def test_the_ranking_scores_are_the_indicators_on_the_dossiers(
    world: World, history: list[Dossier]
) -> None:
    from motcua.reports.executive import ranking
    from motcua.reports.indicators import indicators_for_year

    day = MONDAY + dt.timedelta(days=25)
    with time_machine.travel(local(day, 9), tick=False):
        rows = ranking(day.year, day)
        assert any(r["agency_id"] == world.justice.pk for r in rows)
        for row in rows:
            agency = Agency.objects.get(pk=row["agency_id"])
            counted = indicators_for_year(year=day.year, date_to=day, agency=agency)
            assert row["score"] == counted["qd766"]["score"], agency.code


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["rollup", "dossiers"])
def test_the_indicators_of_all_agencies_at_once_are_each_agencys(
    world: World, history: list[Dossier], source: str
) -> None:
    """The grouped pass gives every indicator of every agency as one at a time does: the
    province-level ones, the one-stop centre (whose scope counts what it received) and a
    commune."""
    from motcua.reports.indicators import indicators_for_agencies, indicators_for_year

    day = MONDAY + dt.timedelta(days=25)
    agencies = list(Agency.objects.order_by("pk"))
    with time_machine.travel(local(day, 9), tick=False):
        together = indicators_for_agencies(
            year=day.year, date_to=day, agencies=agencies, source=source
        )
        progress = [
            item["denominator"]
            for r in together.values()
            for g in r["qd766"]["groups"]
            for item in g["indicators"]
            if item["code"] == "progress.on_time"
        ]
        assert sum(progress) > 0  # the history's dossiers count
        for agency in agencies:
            alone = indicators_for_year(year=day.year, date_to=day, agency=agency, source=source)
            assert together[agency.pk] == alone, agency.code
