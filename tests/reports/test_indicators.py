"""Indicators of a year to date (domain.md §8, indicators.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from motcua.agencies.models import Agency, Level
from motcua.catalog.models import WorkflowStep
from motcua.cli import main
from motcua.reports.indicators import indicators_for_agencies, indicators_for_year
from motcua.reports.models import IndicatorWeight

from .builders import agency, dossier, procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Agency]:
    so = agency("000.00.01.H18", "Sở Tư pháp")
    xa = agency("000.01.01.H18", "UBND xã A", level=Level.COMMUNE)
    online = procedure(
        so,
        code="1.1",
        online="full",
        national_portal=True,
        linked=True,
        fee=50000,
        online_payment=True,
    )
    WorkflowStep.objects.create(version=online, position=1, name="Tiếp nhận", hours=4)
    WorkflowStep.objects.create(version=online, position=2, name="Xác nhận", unit=xa, hours=4)
    partial = procedure(so, code="1.2", online="partial", fee=10000, one_stop=False)
    procedure(so, code="1.3", valid_to=dt.date(2021, 12, 31))  # not in force
    commune = procedure(xa, code="2.1")
    ok = {"ended": "2022-03-02T02:00", "end_kind": "result"}
    dossier(online, received="2022-03-01T02:00", channel="online", cls="early", **ok)
    dossier(online, received="2022-03-01T02:00", cls="late", has_apology=True, **ok)
    dossier(partial, received="2022-03-01T02:00", cls="late", **ok)
    dossier(partial, received="2021-12-20T02:00", cls="on_time", **ok)  # received last year
    dossier(commune, received="2022-03-01T02:00", cls="on_time", **ok)
    dossier(commune, received="2022-03-01T02:00", due="2022-03-10T10:00")  # overdue at 31/8
    return {"so": so}


def test_seed_section_v_indicators(world: dict[str, Agency]) -> None:
    result = indicators_for_year(year=2022, date_to=dt.date(2022, 8, 31))
    s = result["seed"]
    assert s["1.3.1"]["numerator"] == 2 and s["1.3.1"]["denominator"] == 3
    assert s["1.3.1"]["by_level"]["province"]["rate"] == 50.0
    assert s["1.3.4"] == {"name": s["1.3.4"]["name"], "count": 1, "linked": 1}
    # received this year and resolved: province 1 on time of 3; commune 1 of 1
    assert (s["1.4.1"]["numerator"], s["1.4.1"]["denominator"]) == (1, 3)
    assert s["1.4.1"]["rate"] == 33.33
    assert s["1.4.3"]["rate"] == 100.0
    assert s["1.4.2"]["rate"] is None
    assert (s["1.4.4"]["numerator"], s["1.4.4"]["denominator"]) == (1, 2)
    assert s["1.5"]["rate"] is None and s["1.5"]["note"]
    assert (s["2.1.5"]["numerator"], s["2.1.5"]["denominator"]) == (1, 2)
    assert (s["2.2.1"]["numerator"], s["2.2.1"]["denominator"]) == (1, 2)
    # 2.2.2 as the seed reports it: procedures in force (3) of which an online dossier was
    # resolved in the year (1.1); beside it the dossier share: resolved in the year (5, one
    # received last year), one of them online.
    assert (s["2.2.2"]["numerator"], s["2.2.2"]["denominator"]) == (1, 3)
    assert s["2.2.2"]["by_level"]["commune"] == {"numerator": 0, "denominator": 1, "rate": 0.0}
    d = s["2.2.2"]["dossiers"]
    assert (d["numerator"], d["denominator"]) == (1, 5)


def test_qd766_scores_are_pro_rata_with_editable_weights(world: dict[str, Agency]) -> None:
    result = indicators_for_year(year=2022, date_to=dt.date(2022, 8, 31))
    items = {i["code"]: i for g in result["qd766"]["groups"] for i in g["indicators"]}
    # online filing: 1 of 5 received = 20 %, full marks at 50 % -> 0.4 × 6 points
    assert items["online.filed"]["rate"] == 20.0
    assert items["online.filed"]["score"] == 2.4
    # progress: (early/on time resolved 3 + within due 0) / (resolved 5 + in progress 1)
    assert (items["progress.on_time"]["numerator"], items["progress.on_time"]["denominator"]) == (
        3,
        6,
    )
    assert items["transparency.synced"]["score"] is None
    IndicatorWeight.objects.filter(code="online.filed").update(points=10, threshold=20)
    result = indicators_for_year(year=2022, date_to=dt.date(2022, 8, 31))
    items = {i["code"]: i for g in result["qd766"]["groups"] for i in g["indicators"]}
    assert items["online.filed"]["score"] == 10.0


def test_indicators_cli(world: dict[str, Agency], capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "report",
        "indicators",
        "--year",
        "2022",
        "--to",
        "2022-08-31",
        "--agency",
        "000.00.01.H18",
    ]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["scope"]["agency"] == "000.00.01.H18"
    assert out["seed"]["1.4.3"]["denominator"] == 0


def test_nothing_to_divide_gives_no_rate(world: dict[str, Agency]) -> None:
    s = indicators_for_year(year=2022, date_to=dt.date(2022, 8, 31), agency=world["so"])["seed"]
    assert s["1.4.3"]["denominator"] == 0
    assert s["1.4.3"]["rate"] is None and s["1.4.3"]["note"] == "denominator is 0"


def test_section_v_row_for_2_2_2_gives_the_procedure_share_and_the_dossier_share(
    world: dict[str, Agency],
) -> None:
    from motcua.reports.documents.context import indicator_rows

    rows = {
        r.no: r
        for r in indicator_rows(indicators_for_year(year=2022, date_to=dt.date(2022, 8, 31)))
    }
    text = rows["2.2.2"].result.replace("\xa0", " ")
    assert text.startswith("33,33 % (1/3 thủ tục)")
    assert "hồ sơ giải quyết trực tuyến: 20,00 % (1/5 hồ sơ)" in text


def test_the_indicators_of_all_agencies_at_once_are_each_agencys(world: dict[str, Agency]) -> None:
    agencies = list(Agency.objects.order_by("pk"))
    day = dt.date(2022, 8, 31)
    together = indicators_for_agencies(year=2022, date_to=day, agencies=agencies, source="dossiers")
    assert together[world["so"].pk]["seed"]["1.4.1"]["denominator"] == 3
    for one in agencies:
        assert together[one.pk] == indicators_for_year(year=2022, date_to=day, agency=one)
