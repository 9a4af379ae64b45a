"""After a merger the successor takes over its predecessors' dossiers (domain.md §2, §7, §12).

Sở Tài nguyên và Môi trường ends on 28/02/2025 and Sở Nông nghiệp và Môi trường succeeds it
from 01/03/2025. A report for the successor over a period after the merger counts the
dossiers the predecessor left open as carried over (and its same-year work in the
cumulative); the predecessor's own report keeps its history; the successor's staff see and
process the inherited dossiers.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import pytest
import time_machine
from django.contrib.auth.models import User

from motcua.agencies.models import Agency, AgencyKind
from motcua.agencies.queries import agency_inherited_ids
from motcua.agencies.services import agency_update
from motcua.dossiers.models import Dossier
from motcua.dossiers.queries import DossierNotFound, dossier_for, dossiers_visible_to
from motcua.dossiers.scope import can_decide, can_write
from motcua.dossiers.services import dossier_finish
from motcua.reports.queries import period_figures
from tests.world import staff_create

from .builders import agency, dossier, procedure

pytestmark = pytest.mark.django_db

MERGED_ON = dt.date(2025, 3, 1)


class Merger(TypedDict):
    province: Agency
    old: Agency
    old_unit: Agency
    new: Agency
    other: Agency
    dossiers: dict[str, Dossier]


class Period(TypedDict):
    date_from: dt.date
    date_to: dt.date


@pytest.fixture
def merger() -> Merger:
    province = agency("000.00.00.H18", "UBND tỉnh", kind=AgencyKind.PEOPLE_COMMITTEE)
    old = agency("000.00.10.H18", "Sở Tài nguyên và Môi trường", parent=province)
    old_unit = agency(
        "000.01.10.H18", "Văn phòng Đăng ký đất đai", parent=old, kind=AgencyKind.UNIT
    )
    new = agency("000.00.12.H18", "Sở Nông nghiệp và Môi trường", parent=province)
    other = agency("000.00.19.H18", "Sở Tư pháp", parent=province)
    agency_update(agency=new, valid_from=MERGED_ON)
    for ended in (old, old_unit):
        # The land office ends with its department and has no successor of its own: its
        # dossiers go where the department's go.
        agency_update(agency=ended, valid_to=MERGED_ON - dt.timedelta(days=1))
    agency_update(agency=old, successor=new)
    pv_old = procedure(old, code="1.000100")
    pv_unit = procedure(old_unit, code="1.000101")
    pv_new = procedure(new, code="1.000102")
    pv_other = procedure(other, code="1.000103")
    d = {
        # Ended by the old department before the merger: its history.
        "history": dossier(
            pv_old,
            received="2025-02-03T02:00",
            ended="2025-02-20T02:00",
            end_kind="result",
            cls="early",
            due="2025-02-25T10:00",
        ),
        # Open at the merger, still open: carried over into every later period.
        "open": dossier(pv_old, received="2025-02-20T02:00", due="2025-03-20T10:00"),
        "open_unit": dossier(pv_unit, received="2025-02-21T02:00", due="2025-03-21T10:00"),
        # Open at the merger, finished by the successor in March.
        "finished": dossier(
            pv_old,
            received="2025-02-25T02:00",
            ended="2025-03-10T02:00",
            end_kind="result",
            cls="on_time",
            due="2025-03-10T10:00",
        ),
        "new": dossier(pv_new, received="2025-04-02T02:00", due="2025-04-20T10:00"),
        "other": dossier(pv_other, received="2025-02-20T02:00"),
    }
    return {
        "province": province,
        "old": old,
        "old_unit": old_unit,
        "new": new,
        "other": other,
        "dossiers": d,
    }


def test_successor_report_after_the_merger_carries_over_the_open_inherited_dossiers(
    merger: Merger,
) -> None:
    f = period_figures(
        date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 6, 30), agency=merger["new"]
    )
    assert f["carried_over"] == 2  # open, open_unit (finished ended before April)
    assert f["received"]["total"] == 1  # new
    assert f["in_progress"]["total"] == 3
    assert f["identity"]["holds"]
    # Lũy kế from 1/1/2025: the year's work of the department it replaced is its own now.
    assert f["cumulative"]["received"] == 5


def test_successor_report_over_the_merger_month_resolves_what_it_inherited(
    merger: Merger,
) -> None:
    f = period_figures(
        date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31), agency=merger["new"]
    )
    assert f["carried_over"] == 3
    assert f["resolved"]["total"] == 1
    assert f["in_progress"]["total"] == 2
    assert f["identity"]["holds"]


def test_predecessor_keeps_its_history_and_successor_has_none_before_it_existed(
    merger: Merger,
) -> None:
    before = Period(date_from=dt.date(2025, 2, 1), date_to=dt.date(2025, 2, 28))
    old = period_figures(**before, agency=merger["old"])
    assert old["received"]["total"] == 4 and old["resolved"]["total"] == 1
    assert period_figures(**before, agency=merger["new"])["received"]["total"] == 0
    # Another department is untouched by the merger; the province counts each dossier once.
    after = Period(date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 6, 30))
    assert period_figures(**after, agency=merger["other"])["carried_over"] == 1
    assert period_figures(**after, agency=merger["province"])["carried_over"] == 3


def test_successor_staff_see_and_process_the_inherited_dossiers(merger: Merger) -> None:
    d = merger["dossiers"]
    specialist = staff_create("cv_nnmt", "Đỗ Văn Hùng", merger["new"], "specialist")
    leader = staff_create("ld_nnmt", "Vũ Thị Mai", merger["new"], "leader")
    outsider = staff_create("cv_tp", "Ngô Văn Tư", merger["other"], "specialist")
    with time_machine.travel(dt.datetime(2025, 4, 15, 2, 0, tzinfo=dt.UTC), tick=False):
        codes = set(dossiers_visible_to(specialist).values_list("code", flat=True))
        assert {d["open"].code, d["open_unit"].code, d["new"].code} <= codes
        assert d["other"].code not in codes
        inherited = dossier_for(leader, d["open"].code, write=True)
        assert can_write(leader, inherited) and can_decide(leader, inherited)
        done = dossier_finish(dossier=inherited, actor=leader)
        assert done.status == "result_ready"
        with pytest.raises(DossierNotFound):
            dossier_for(outsider, d["open_unit"].code)
    # Before the merger the successor's staff had nothing of the old department's.
    # (A fresh user object, as each request has: the scope is cached on it.)
    feb = dt.datetime(2025, 2, 21, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(feb, tick=False), pytest.raises(DossierNotFound):
        dossier_for(User.objects.get(pk=specialist.pk), d["open_unit"].code)


def test_inheritance_follows_chains_and_stops_on_a_cycle() -> None:
    """Two mergers in a row pass the work on; a cycle of successor links (a data error) does
    not loop, and still gives each agency one heir only."""
    first = agency("000.00.31.H18", "Sở A")
    second = agency("000.00.32.H18", "Sở B")
    third = agency("000.00.33.H18", "Sở C")
    agency_update(agency=first, valid_to=dt.date(2024, 12, 31), successor=second)
    agency_update(agency=second, valid_to=dt.date(2025, 6, 30), successor=third)
    assert agency_inherited_ids([third.pk], dt.date(2025, 7, 1)) == {first.pk, second.pk}
    assert agency_inherited_ids([second.pk], dt.date(2025, 1, 1)) == {first.pk}
    assert agency_inherited_ids([third.pk], dt.date(2025, 1, 1)) == set()
    agency_update(agency=third, valid_to=dt.date(2025, 12, 31), successor=first)
    day = dt.date(2026, 1, 1)
    heirs = [agency_inherited_ids([a.pk], day) for a in (first, second, third)]
    assert sum(len(h) for h in heirs) == len(set().union(*heirs)) <= 3


def test_successor_indicators_and_charts_count_the_inherited_year(merger: Merger) -> None:
    """The year's indicators (seed section V) and the report's charts use the same scope as
    the figures: the successor's year holds the dossiers its predecessor resolved."""
    from motcua.reports.documents.series import series_for
    from motcua.reports.indicators import indicators_for_year

    new = merger["new"]
    on_time = indicators_for_year(year=2025, date_to=dt.date(2025, 6, 30), agency=new)["seed"][
        "1.4.1"
    ]
    # history (early) and finished (on time): both received in 2025 by the old department.
    assert (on_time["numerator"], on_time["denominator"]) == (2, 2)
    figures = period_figures(
        date_from=dt.date(2025, 4, 1), date_to=dt.date(2025, 6, 30), agency=new
    )
    months = {m.month.month: m.online + m.direct + m.postal for m in series_for(figures).months}
    assert months[2] == 4 and months[4] == 1
