"""Period figures (domain.md §7) on small hand-built histories; instants written in UTC."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.agencies.models import Agency, Level
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier, EventType, Status
from motcua.reports.queries import PERIOD_REPORT_SCHEMA, ReportError, period_figures

from .builders import agency, dossier, event, guidance, procedure

pytestmark = pytest.mark.django_db

SCHEMA = json.loads(PERIOD_REPORT_SCHEMA.read_text(encoding="utf-8"))
FROM, TO = dt.date(2022, 6, 5), dt.date(2022, 8, 31)


def figures(agency: Agency | None = None, source: str = "dossiers") -> dict[str, Any]:
    result = period_figures(date_from=FROM, date_to=TO, agency=agency, source=source)
    jsonschema.validate(result, SCHEMA, format_checker=jsonschema.FormatChecker())
    return result


@pytest.fixture
def pv() -> ProcedureVersion:
    return procedure(agency("000.00.01.H18", "Sở Tư pháp"))


def test_period_edges_are_whole_local_days(pv: ProcedureVersion) -> None:
    dossier(pv, received="2022-06-04T17:30")  # 5/6 00:30 local: inside
    dossier(pv, received="2022-06-04T16:59")  # 4/6 23:59 local: before, so carried over
    dossier(pv, received="2022-08-31T16:59:59")  # 31/8 23:59:59 local: inside
    dossier(pv, received="2022-08-31T17:00")  # 1/9 00:00 local: after the period
    f = figures()
    assert f["received"]["total"] == 2
    assert f["carried_over"] == 1
    assert f["in_progress"]["total"] == 3
    assert f["identity"] == {"left": 3, "right": 3, "holds": True}


def test_carried_over_is_received_before_and_not_ended_before_the_start(
    pv: ProcedureVersion,
) -> None:
    # ended 4/6 23:59 local: closed before the period, not carried over
    dossier(
        pv, received="2022-05-10T02:00", ended="2022-06-04T16:59", end_kind="result", cls="early"
    )
    # ended 5/6 00:00 local exactly: carried over, and resolved in the period
    dossier(
        pv, received="2022-05-10T02:00", ended="2022-06-04T17:00", end_kind="result", cls="late"
    )
    # still open: carried over, in progress
    dossier(pv, received="2022-05-11T02:00", due="2022-09-30T10:00")
    f = figures()
    assert f["carried_over"] == 2
    assert f["received"]["total"] == 0
    assert f["resolved"]["total"] == 1 and f["resolved"]["late"] == 1
    assert f["in_progress"] == {"total": 1, "within_due": 1, "overdue": 0}
    assert f["identity"]["holds"]


def test_resolved_classes_postal_return_and_returned_share(pv: ProcedureVersion) -> None:
    dossier(
        pv,
        received="2022-06-06T02:00",
        ended="2022-06-07T02:00",
        end_kind="result",
        cls="early",
        delivery_channel="postal",
        delivered_at=dt.datetime(2022, 9, 20, tzinfo=dt.UTC),
    )
    dossier(
        pv,
        received="2022-06-06T02:00",
        ended="2022-06-08T02:00",
        end_kind="result",
        cls="on_time",
        delivery_channel="counter",
    )
    dossier(
        pv,
        received="2022-06-06T02:00",
        ended="2022-06-09T02:00",
        end_kind="result",
        cls="on_time",
        channel="online",
    )
    dossier(
        pv,
        received="2022-06-06T02:00",
        ended="2022-06-10T02:00",
        end_kind="refused",
        channel="postal",
    )
    f = figures()
    assert f["received"] == {
        "total": 4,
        "online": 1,
        "direct": 2,
        "postal": 1,
        "online_pct": 25.0,
        "postal_pct": 25.0,
    }
    r = f["resolved"]
    assert (r["total"], r["early"], r["on_time"], r["late"]) == (3, 1, 2, 0)
    # postal return counts the delivery by post even though it happened after the period
    assert r["postal_return"] == 1 and r["postal_return_pct"] == 33.33
    assert (r["early_pct"], r["on_time_pct"], r["late_pct"]) == (33.33, 66.67, 0.0)
    assert f["returned"]["total"] == 1 and f["returned"]["pct"] == 25.0
    assert f["returned"]["by_agency"] == [
        {"agency": "000.00.01.H18", "name": "Sở Tư pháp", "count": 1}
    ]


def test_percentages_round_half_up(pv: ProcedureVersion) -> None:
    # 1 late of 800 resolved = 0,125 % -> 0,13 (banker's rounding would give 0,12)
    base = dossier(
        pv, received="2022-06-06T02:00", ended="2022-06-07T02:00", end_kind="result", cls="late"
    )
    rows = []
    for i in range(799):
        base.pk = None
        base.code = f"B-{i}"
        base.dossier_class = "early"
        rows.append(
            Dossier(**{f.attname: getattr(base, f.attname) for f in Dossier._meta.concrete_fields})
        )
    Dossier.objects.bulk_create(rows)
    f = figures()
    assert f["resolved"]["total"] == 800
    assert f["resolved"]["late_pct"] == 0.13
    assert f["resolved"]["early_pct"] == 99.88  # 99,875 -> 99,88


def test_withdrawn_and_stopped_are_apart_from_resolved_and_returned(pv: ProcedureVersion) -> None:
    dossier(pv, received="2022-06-06T02:00", ended="2022-06-07T02:00", end_kind="withdrawn")
    dossier(pv, received="2022-06-06T02:00", ended="2022-06-07T02:00", end_kind="stopped")
    dossier(pv, received="2022-06-06T02:00", ended="2022-06-07T02:00", end_kind="refused")
    f = figures()
    assert f["withdrawn"] == 2
    assert f["withdrawn_detail"] == {"withdrawn": 1, "stopped": 1}
    assert f["returned"]["total"] == 1
    assert f["resolved"]["total"] == 0
    assert f["identity"]["holds"]


def test_never_received_dossiers_are_excluded_everywhere(pv: ProcedureVersion) -> None:
    dossier(pv, received=None, ended="2022-06-07T02:00", end_kind="refused")
    dossier(pv, received=None)
    f = figures()
    assert f["received"]["total"] == 0 and f["returned"]["total"] == 0
    assert f["in_progress"]["total"] == 0 and f["cumulative"]["received"] == 0


def test_in_progress_overdue_means_due_before_the_last_day(pv: ProcedureVersion) -> None:
    # due 31/8 17:00 local (the last day itself): within due
    dossier(pv, received="2022-08-01T02:00", due="2022-08-31T10:00")
    # due 30/8 17:00 local: overdue
    dossier(pv, received="2022-08-01T02:00", due="2022-08-30T10:00")
    # due 30/8 but waiting for a supplement at the end (event history): within due
    w = dossier(pv, received="2022-08-01T02:00", due="2022-08-30T10:00")
    event(w, EventType.SUPPLEMENT_REQUESTED, "2022-08-10T02:00")
    event(w, EventType.SUPPLEMENT_RECEIVED, "2022-09-05T02:00")  # after the end
    # supplement requested and received before the end: judged by its due date, overdue
    s = dossier(pv, received="2022-08-01T02:00", due="2022-08-29T10:00")
    event(s, EventType.SUPPLEMENT_REQUESTED, "2022-08-05T02:00")
    event(s, EventType.SUPPLEMENT_RECEIVED, "2022-08-08T02:00")
    # waiting now (live status) since before the end: within due
    dossier(
        pv,
        received="2022-08-01T02:00",
        due="2022-08-20T10:00",
        status=Status.SUPPLEMENT_REQUESTED,
        supplement_requested_at=dt.datetime(2022, 8, 15, tzinfo=dt.UTC),
    )
    # ended after the period: still in progress at the end, overdue by its due date
    dossier(
        pv,
        received="2022-08-01T02:00",
        due="2022-08-25T10:00",
        ended="2022-09-02T02:00",
        end_kind="result",
        cls="late",
    )
    f = figures()
    assert f["in_progress"] == {"total": 6, "within_due": 3, "overdue": 3}
    assert f["resolved"]["total"] == 0
    assert f["identity"]["holds"]


def test_cumulative_runs_from_first_january_of_the_last_days_year(pv: ProcedureVersion) -> None:
    center = agency("000.00.99.H18", "Trung tâm PVHCC", kind="service_center")
    dossier(pv, received="2021-12-31T16:59")  # 31/12/2021 23:59 local: before
    dossier(pv, received="2021-12-31T17:00", channel="online")  # 1/1/2022 00:00 local
    dossier(
        pv,
        received="2022-02-01T02:00",
        channel="postal",
        ended="2022-02-03T02:00",
        end_kind="result",
        cls="early",
    )
    dossier(
        pv,
        received="2022-07-01T02:00",
        channel="online",
        ended="2022-07-03T02:00",
        end_kind="result",
        cls="early",
    )
    dossier(
        pv, received="2022-07-01T02:00", ended="2022-09-03T02:00", end_kind="result", cls="early"
    )
    guidance(center, "2021-12-31T17:00")
    guidance(center, "2022-06-05T01:00", "outgoing_call")
    guidance(center, "2022-06-04T16:00", "incoming_call")  # 4/6 23:00 local: not in the period
    guidance(center, "2022-08-31T17:00", "incoming_call")  # 1/9 local: after
    f = figures()
    assert f["cumulative"] == {
        "from": "2022-01-01",
        "received": 4,
        "online": 2,
        "postal": 1,
        "resolved": 2,
        "guidance": 3,
    }
    assert f["guidance"] == {"total": 1, "direct": 0, "outgoing_call": 1, "incoming_call": 0}


def test_scope_is_the_competent_agency_and_everything_under_it() -> None:
    ubnd = agency("000.00.00.H18", "UBND tỉnh", kind="people_committee")
    so = agency("000.00.10.H18", "Sở A", parent=ubnd)
    phong = agency("000.10.10.H18", "Phòng thuộc Sở A", parent=so, kind="unit")
    other = agency("000.00.20.H18", "Sở B")
    huyen = agency("000.00.30.H18", "UBND huyện", level=Level.DISTRICT, parent=ubnd)
    for ag, code in ((so, "1.1"), (phong, "1.2"), (other, "1.3"), (huyen, "1.4")):
        dossier(procedure(ag, code=code), received="2022-06-06T02:00")
    guidance(so, "2022-06-06T02:00")
    guidance(other, "2022-06-06T02:00")
    assert figures()["received"]["total"] == 4
    assert figures(agency=ubnd)["received"]["total"] == 3
    by_so = figures(agency=so)
    assert by_so["received"]["total"] == 2
    assert by_so["scope"] == {"agency": "000.00.10.H18", "name": "Sở A"}
    assert by_so["guidance"]["total"] == 1
    assert figures(agency=phong)["received"]["total"] == 1
    levels = {row["level"]: row["received"] for row in figures(agency=ubnd)["by_level"]}
    assert levels == {"province": 2, "district": 1}


def test_late_by_agency_with_reasons_steps_and_apology(pv: ProcedureVersion) -> None:
    late = {
        "received": "2022-06-06T02:00",
        "ended": "2022-07-01T02:00",
        "end_kind": "result",
        "cls": "late",
    }
    for _ in range(2):
        dossier(
            pv, **late, late_reason="Chờ xác minh", late_steps="Trung tâm LLTPQG", has_apology=True
        )
    dossier(pv, **late, late_reason="Cán bộ xử lý muộn", late_steps="Phòng Hành chính")
    f = figures()
    [row] = f["late_by_agency"]
    assert row["count"] == 3 and row["with_apology"] == 2
    assert row["reasons"] == [
        {"reason": "Chờ xác minh", "count": 2},
        {"reason": "Cán bộ xử lý muộn", "count": 1},
    ]
    assert row["steps"][0] == {"step": "Trung tâm LLTPQG", "count": 2}


def test_table_ii06a_shows_refused_and_withdrawn_inside_resolved_on_time(
    pv: ProcedureVersion,
) -> None:
    dossier(
        pv,
        received="2022-06-06T02:00",
        ended="2022-06-07T02:00",
        end_kind="result",
        cls="early",
        channel="online",
    )
    dossier(pv, received="2022-06-06T02:00", ended="2022-06-07T02:00", end_kind="refused")
    dossier(pv, received="2022-06-06T02:00", ended="2022-06-07T02:00", end_kind="withdrawn")
    dossier(pv, received="2022-05-06T02:00", due="2022-06-01T10:00")
    t = figures()["table_ii06a"]
    assert len(t["columns"]) == 13
    total = t["by_field"]["total"]
    assert t["by_agency"]["total"] == total
    assert total["received_total"] == 4 and total["carried_over"] == 1
    assert total["received_online"] == 1 and total["received_direct_postal"] == 2
    assert total["resolved_total"] == 3 and total["resolved_on_time"] == 2
    assert total["in_progress_overdue"] == 1
    [level] = t["by_field"]["levels"]
    assert level["level"] == "province" and level["rows"][0]["name"] == "Tư pháp"
    assert t["by_agency"]["levels"][0]["rows"][0]["code"] == "000.00.01.H18"


def test_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ReportError):
        period_figures(date_from=TO, date_to=FROM)


# The identity and the partition, against a per-dossier oracle written from §7 directly.
LOCAL_OFFSET = dt.timedelta(hours=7)
START = dt.datetime(2022, 6, 5) - LOCAL_OFFSET  # naive UTC
END = dt.datetime(2022, 9, 1) - LOCAL_OFFSET

_examples = itertools.count()
instants = st.integers(min_value=-120, max_value=200).map(
    lambda h: START + dt.timedelta(hours=12 * h)
)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            instants,
            st.one_of(st.none(), st.integers(0, 120)),
            st.sampled_from(["result", "refused", "withdrawn", "stopped"]),
        ),
        max_size=12,
    )
)
def test_identity_holds_and_matches_an_oracle(
    rows: list[tuple[dt.datetime, int | None, str]],
) -> None:
    Dossier.objects.all().delete()
    n = next(_examples)
    pv = procedure(agency(f"P.{n}", "Sở"), code=f"9.{n}")
    expect = {"received": 0, "carried_over": 0, "ended": 0, "in_progress": 0}
    for received, ended_after, kind in rows:
        ended = None if ended_after is None else received + dt.timedelta(hours=12 * ended_after)
        dossier(
            pv,
            received=received.isoformat(),
            ended=ended.isoformat() if ended else None,
            end_kind=kind if ended else "",
            cls="early" if ended and kind == "result" else "",
        )
        if START <= received < END:
            expect["received"] += 1
        if received < START and (ended is None or ended >= START):
            expect["carried_over"] += 1
        if ended is not None and START <= ended < END:
            expect["ended"] += 1
        if received < END and (ended is None or ended >= END):
            expect["in_progress"] += 1
    f = figures()
    assert f["received"]["total"] == expect["received"]
    assert f["carried_over"] == expect["carried_over"]
    assert f["resolved"]["total"] + f["returned"]["total"] + f["withdrawn"] == expect["ended"]
    assert f["in_progress"]["total"] == expect["in_progress"]
    assert f["identity"]["holds"]


def test_overdue_uses_the_due_date_in_force_at_the_end(pv: ProcedureVersion) -> None:
    # Due 20/8, supplement asked and received after the period: the restart moved due_at to
    # October, but at 31/8 the dossier was overdue (imported history: explanation restarts).
    imported = dossier(
        pv,
        received="2022-08-01T02:00",
        due="2022-10-10T10:00",
        due_explanation={
            "computed": "2022-08-20T17:00:00+07:00",
            "restarts": [{"from": "2022-09-05T09:00:00+07:00", "due": "2022-10-10T17:00:00+07:00"}],
        },
    )
    event(imported, EventType.SUPPLEMENT_REQUESTED, "2022-09-02T02:00")
    event(imported, EventType.SUPPLEMENT_RECEIVED, "2022-09-05T02:00")
    # The same through the live services: the event keeps the replaced date.
    live = dossier(pv, received="2022-08-01T02:00", due="2022-10-10T10:00")
    event(live, EventType.SUPPLEMENT_REQUESTED, "2022-09-02T02:00")
    e = event(live, EventType.SUPPLEMENT_RECEIVED, "2022-09-05T02:00")
    e.data = {"due_at_before": "2022-08-20T17:00:00+07:00"}
    e.save()
    # Restarted after the period from a due date that was still ahead at the end.
    ahead = dossier(pv, received="2022-08-25T02:00", due="2022-10-10T10:00")
    e = event(ahead, EventType.SUPPLEMENT_RECEIVED, "2022-09-05T02:00")
    e.data = {"due_at_before": "2022-09-08T17:00:00+07:00"}
    e.save()
    f = figures()
    assert f["in_progress"] == {"total": 3, "within_due": 1, "overdue": 2}


@pytest.mark.parametrize("source", ["dossiers", "rollup"])
def test_dossiers_ended_after_the_end_are_judged_by_their_history(
    pv: ProcedureVersion, source: str
) -> None:
    """The history's exceptions among the dossiers ended since the period (read apart from
    the open ones, ``period.ended_after``), on the dossiers and from the rollup."""
    from motcua.rollup.services import rollup_rebuild

    done = {"ended": "2022-09-20T02:00", "end_kind": "result", "cls": "late"}
    # Due 30/8 by its columns, but waiting for a supplement at the end: within due.
    w = dossier(pv, received="2022-08-01T02:00", due="2022-08-30T10:00", **done)
    event(w, EventType.SUPPLEMENT_REQUESTED, "2022-08-10T02:00")
    event(w, EventType.SUPPLEMENT_RECEIVED, "2022-09-05T02:00")
    # Restarted after the period, twice: due 10/10 by its columns, overdue at 31/8 (due
    # 20/8).
    for _ in range(2):
        live = dossier(pv, received="2022-08-01T02:00", due="2022-10-10T10:00", **done)
        event(live, EventType.SUPPLEMENT_REQUESTED, "2022-09-02T02:00")
        e = event(live, EventType.SUPPLEMENT_RECEIVED, "2022-09-05T02:00")
        e.data = {"due_at_before": "2022-08-20T17:00:00+07:00"}
        e.save()
    # Ended after the period without any supplement: overdue by its columns.
    dossier(pv, received="2022-08-01T02:00", due="2022-08-25T10:00", **done)
    rollup_rebuild()
    f = figures(source=source)
    assert f["in_progress"] == {"total": 4, "within_due": 1, "overdue": 3}


SHARED_SCHEMA = Path("/work/shared/spec/period-report.schema.json")


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="shared spec not mounted")
def test_packaged_schema_is_the_shared_spec() -> None:
    assert json.loads(SHARED_SCHEMA.read_text(encoding="utf-8")) == SCHEMA


def test_late_dossier_without_a_known_step_lists_no_empty_step(pv: ProcedureVersion) -> None:
    from motcua.reports.documents.context import late_footnote

    late = {
        "received": "2022-06-06T02:00",
        "ended": "2022-07-01T02:00",
        "end_kind": "result",
        "cls": "late",
    }
    dossier(pv, **late, late_reason="Chờ xác minh", late_steps="")
    dossier(pv, **late, late_reason="Chờ xác minh", late_steps="  ")
    dossier(pv, **late, late_reason="Chờ xác minh", late_steps="Phòng Hành chính")
    [row] = figures()["late_by_agency"]
    assert row["count"] == 3
    assert row["steps"] == [{"step": "Phòng Hành chính", "count": 1}]
    [text] = late_footnote([row])
    assert "trễ ở bước Phòng Hành chính" in text and "bước ," not in text
