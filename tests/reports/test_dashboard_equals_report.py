"""For a past period, the leadership dashboard shows ``motcua report``'s numbers (domain.md §7)
for the scope of the one who looks at it, and a figure's drill-down list shows each dossier as
it stood at the period's end.

A small history of the named world (tests/world.py) over 2026 holds every case where "now"
and "then" differ: a dossier late at the end of March and resolved in April, one waiting for a
supplement at the end, one whose clock restarted after the end (the due date in force at the
end was the earlier one), one waiting now since a request made after the end, and dossiers
received by the service centre for another department.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from motcua.cli import main
from motcua.dossiers.models import Dossier, DossierEvent, EventType, Status
from motcua.rollup.services import rollup_rebuild
from tests.world import World, staff_create, world  # noqa: F401

from .builders import dossier, event, guidance, procedure, utc

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
PERIODS = [
    (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),  # Q1
    (dt.date(2026, 4, 1), dt.date(2026, 6, 30)),  # Q2
    (dt.date(2026, 6, 5), dt.date(2026, 8, 31)),  # the seed's "Quý III" bounds
]


def restart(d: Dossier, at: str, new_due: str) -> None:
    """A supplement received: the clock restarts, the replaced due date kept on the event
    (as ``dossiers.services`` records it)."""
    assert d.due_at is not None
    DossierEvent.objects.create(
        dossier=d,
        type=EventType.SUPPLEMENT_RECEIVED,
        at=utc(at),
        data={"due_at_before": d.due_at.isoformat()},
    )
    d.due_at = utc(new_due)
    d.save(update_fields=["due_at"])


@pytest.fixture
def history(world: World) -> dict[str, Any]:  # noqa: F811
    justice = world.procedure
    transport = procedure(world.transport, code="1.000777", field="Giao thông")
    # Late at the end of Q1 (due 15/1), resolved late on 10/4.
    late_then = dossier(
        justice,
        received="2026-01-10T02:00",
        due="2026-01-15T10:00",
        ended="2026-04-10T03:00",
        end_kind="result",
        cls="late",
        channel="online",
        receiving_unit=world.center,
    )
    # Waiting for a supplement at the end of Q1 (asked 10/2, received 5/4): within due then.
    waiting_then = dossier(
        justice,
        received="2026-02-01T02:00",
        due="2026-02-20T10:00",
        ended="2026-04-09T03:00",
        end_kind="result",
        cls="early",
        receiving_unit=world.center,
    )
    event(waiting_then, "supplement_requested", "2026-02-10T02:00")
    restart(waiting_then, "2026-04-05T02:00", "2026-04-10T10:00")
    # Due 5/3, so overdue at the end of Q1; a supplement asked and received in April moved
    # its due date to 1/5: still open, overdue at the end of Q2 too.
    restarted_after = dossier(justice, received="2026-03-01T02:00", due="2026-03-05T10:00")
    event(restarted_after, "supplement_requested", "2026-04-02T02:00")
    restart(restarted_after, "2026-04-20T02:00", "2026-05-01T10:00")
    # Due 10/3, waiting now since a request of 15/4: overdue at the end of Q1.
    waiting_now = dossier(
        justice,
        received="2026-03-02T02:00",
        due="2026-03-10T10:00",
        status=Status.SUPPLEMENT_REQUESTED,
    )
    event(waiting_now, "supplement_requested", "2026-04-15T02:00")
    # Carried over into Q1, withdrawn in it.
    dossier(justice, received="2025-12-20T02:00", ended="2026-02-02T02:00", end_kind="withdrawn")
    # Waiting since 25/6 with a due date of 24/6: within due at the end of Q2 and of "Q3".
    waiting_long = dossier(
        justice,
        received="2026-06-20T02:00",
        due="2026-06-24T10:00",
        status=Status.SUPPLEMENT_REQUESTED,
    )
    event(waiting_long, "supplement_requested", "2026-06-22T02:00")
    # Overdue at the end of "Q3" by three days.
    dossier(justice, received="2026-08-25T02:00", due="2026-08-28T10:00", channel="online")
    # Received by the centre for the transport department, refused in Q2.
    dossier(
        transport,
        received="2026-05-05T02:00",
        ended="2026-05-20T02:00",
        end_kind="refused",
        receiving_unit=world.center,
    )
    # The transport department's own, by post, result on time and returned by post.
    dossier(
        transport,
        received="2026-06-10T02:00",
        ended="2026-07-01T02:00",
        end_kind="result",
        cls="on_time",
        channel="postal",
        delivery_channel="postal",
        receiving_unit=world.transport,
    )
    guidance(world.center, "2026-02-03T02:00")
    guidance(world.center, "2026-05-03T02:00", kind="incoming_call")
    guidance(world.justice, "2026-02-04T02:00", kind="outgoing_call")
    # Written outside the services, as the history import writes: the rollup, which the
    # province's dashboard reads, is rebuilt as the import does.
    rollup_rebuild()
    manager = staff_create("giamdoc", "Võ Thị Hồng", world.center, "center_manager")
    provincial = staff_create("vanphong", "Đỗ Văn Tâm", world.province, "provincial_office")
    return {
        "world": world,
        "scopes": {
            "department leader": (world.leader, world.justice.code),
            "service-centre manager": (manager, world.center.code),
            "provincial office": (provincial, None),
        },
        "late_then": late_then,
        "restarted_after": restarted_after,
        "waiting_now": waiting_now,
        "waiting_then": waiting_then,
    }


def report(
    date_from: dt.date, date_to: dt.date, agency: str | None, capsys: pytest.CaptureFixture[str]
) -> Any:
    args = ["report", "--from", date_from.isoformat(), "--to", date_to.isoformat()]
    args += ["--format", "json"] + (["--agency", agency] if agency else [])
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def dashboard(client: Client, user: User, date_from: dt.date, date_to: dt.date) -> Any:
    client.force_login(user)
    response = client.get(
        "/can-bo/lanh-dao/",
        {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()},
    )
    assert response.status_code == 200
    return response.context["figures"]


def as_report(figures: Any) -> dict[str, Any]:
    """The dashboard's numbers under the names of the report's JSON."""
    c = figures["counts"]
    return {
        "received": [
            c["received"],
            c["received_online"],
            c["received_direct"],
            c["received_postal"],
        ],
        "carried_over": c["carried_over"],
        "resolved": [c["resolved"], c["early"], c["on_time"], c["late"], c["postal_return"]],
        "returned": c["refused"],
        "withdrawn": c["withdrawn"],
        "in_progress": [
            c["in_progress"],
            c["in_progress_within_due"],
            c["in_progress_overdue"],
        ],
        "guidance": figures["guidance"],
    }


def report_numbers(r: Any) -> dict[str, Any]:
    return {
        "received": [r["received"][k] for k in ("total", "online", "direct", "postal")],
        "carried_over": r["carried_over"],
        "resolved": [
            r["resolved"][k] for k in ("total", "early", "on_time", "late", "postal_return")
        ],
        "returned": r["returned"]["total"],
        "withdrawn": r["withdrawn"],
        "in_progress": [r["in_progress"][k] for k in ("total", "within_due", "overdue")],
        "guidance": r["guidance"],
    }


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("period", PERIODS, ids=["Q1", "Q2", "5/6-31/8"])
@pytest.mark.parametrize(
    "who", ["department leader", "service-centre manager", "provincial office"]
)
def test_the_dashboard_shows_the_reports_numbers_for_a_past_period(
    history: dict[str, Any],
    client: Client,
    capsys: pytest.CaptureFixture[str],
    period: tuple[dt.date, dt.date],
    who: str,
) -> None:
    user, agency = history["scopes"][who]
    expected = report_numbers(report(*period, agency, capsys))
    assert as_report(dashboard(client, user, *period)) == expected


@time_machine.travel(NOW, tick=False)
def test_the_numbers_are_the_ends_not_todays(
    history: dict[str, Any], client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """The comparison above means something: at the end of Q1 the department had four
    dossiers in progress, three of them overdue (none of which is overdue today), and the
    centre's numbers hold what it received for the transport department."""
    leader = history["scopes"]["department leader"][0]
    q1 = dashboard(Client(), leader, *PERIODS[0])["counts"]
    assert (q1["in_progress"], q1["in_progress_overdue"], q1["in_progress_within_due"]) == (
        4,
        3,
        1,
    )
    assert (q1["received"], q1["carried_over"], q1["withdrawn"]) == (4, 1, 1)
    manager = history["scopes"]["service-centre manager"][0]
    q2 = dashboard(client, manager, *PERIODS[1])["counts"]
    assert q2["refused"] == 1  # the transport department's, received by the centre
    assert q2["resolved"] == 2  # the two justice dossiers the centre received


@time_machine.travel(NOW, tick=False)
def test_a_drill_down_shows_each_dossier_as_it_stood_at_the_end(
    history: dict[str, Any], client: Client
) -> None:
    client.force_login(history["scopes"]["department leader"][0])
    response = client.get(
        "/can-bo/",
        {"ky": "in_progress_overdue", "date_from": "2026-01-01", "date_to": "2026-03-31"},
    )
    assert response.status_code == 200
    rows = {d.code: d for d in response.context["page"]}
    late_then, restarted, waiting_now = (
        history["late_then"],
        history["restarted_after"],
        history["waiting_now"],
    )
    # The list is the number: the three overdue at the end of Q1.
    assert set(rows) == {late_then.code, restarted.code, waiting_now.code}
    # Resolved since (today "result ready"), it stood in progress and 75 days late (15/1-31/3).
    then = rows[late_then.code].at_end
    assert (then.state, then.overdue, then.days_late) == ("in_progress", True, 75)
    assert then.due_at == utc("2026-01-15T10:00")
    # Its due date then was 5/3, not today's 1/5.
    assert rows[restarted.code].at_end.due_at == utc("2026-03-05T10:00")
    assert rows[restarted.code].at_end.days_late == 26
    # Waiting today, not at the end of March.
    assert rows[waiting_now.code].at_end.state == "in_progress"
    page = response.content.decode()
    assert "Quá hạn 75 ngày" in page
    assert "Đã có kết quả" not in page  # today's status of the first is not shown

    within = client.get(
        "/can-bo/",
        {"ky": "in_progress_within_due", "date_from": "2026-01-01", "date_to": "2026-03-31"},
    )
    (waiting,) = within.context["page"]
    assert waiting.code == history["waiting_then"].code
    assert waiting.at_end.state == "waiting"
    assert "Tạm dừng, chờ bổ sung" in within.content.decode()
