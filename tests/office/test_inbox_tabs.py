"""The inbox's tab counts: each is the length of the tab's own list, for every role's scope;
the live tabs hold every open dossier however old, the two history tabs ("ended", "late
without an apology letter") only what ended this quarter, as the dashboard's default period."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from motcua.dossiers.models import DossierClass, EndKind, Status
from motcua.office.queries import inbox_counts, quarter_start

from .conftest import World, login

pytestmark = pytest.mark.django_db

# Wednesday 18 November 2026, 10:00 in Vietnam: the quarter began on 1 October.
NOW = dt.datetime(2026, 11, 18, 3, 0, tzinfo=dt.UTC)
TABS: tuple[str, ...] = (
    "open",
    "overdue",
    "due_soon",
    "supplement",
    "submitted",
    "result_ready",
    "ended",
)
TABS += ("late_no_apology",)


def varied_dossiers(world: World) -> dict[str, str]:
    """One dossier of each shape that matters to a tab, old and recent; returns code → shape."""
    now = timezone.now()
    last_quarter = dt.datetime(2026, 9, 30, 16, 0, tzinfo=dt.UTC)  # 23:00 on 30/9 in Vietnam
    this_quarter = dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)  # 00:00 on 1/10 in Vietnam
    years_ago = now - dt.timedelta(days=900)
    shapes: dict[str, dict[str, object]] = {
        "open, due later": {},
        "open for years, overdue": {"received_at": years_ago, "due_at": years_ago},
        "due tomorrow": {"due_at": now + dt.timedelta(days=1)},
        "waiting for a supplement": {"status": Status.SUPPLEMENT_REQUESTED},
        "online, not yet received": {
            "status": Status.SUBMITTED,
            "received_at": None,
            "due_at": None,
            "receiving_unit": None,
        },
        "result ready for years": {
            "status": Status.RESULT_READY,
            "ended_at": years_ago,
            "end_kind": EndKind.RESULT,
            "dossier_class": DossierClass.EARLY,
        },
        "late, ended at the quarter's first minute": {
            "status": Status.DELIVERED,
            "ended_at": this_quarter,
            "end_kind": EndKind.RESULT,
            "dossier_class": DossierClass.LATE,
        },
        "late, ended a minute before the quarter": {
            "status": Status.DELIVERED,
            "ended_at": last_quarter,
            "end_kind": EndKind.RESULT,
            "dossier_class": DossierClass.LATE,
        },
        "late with an apology, ended this quarter": {
            "status": Status.DELIVERED,
            "ended_at": now,
            "end_kind": EndKind.RESULT,
            "dossier_class": DossierClass.LATE,
            "has_apology": True,
        },
        "refused this quarter": {
            "status": Status.REFUSED,
            "ended_at": now,
            "end_kind": EndKind.REFUSED,
        },
        "delivered years ago": {
            "status": Status.DELIVERED,
            "ended_at": years_ago,
            "end_kind": EndKind.RESULT,
            "dossier_class": DossierClass.LATE,
        },
    }
    out = {}
    for shape, values in shapes.items():
        for version in (world.version, world.justice_version):
            out[world.dossier(version=version, **values).code] = shape
    return out


def tab(client: Client, key: str) -> tuple[int, set[str]]:
    """The count the page shows for the tab's list, and the codes in that list."""
    response = client.get(f"/can-bo/?f={key}")
    assert response.status_code == 200
    page = response.context["page"]
    return page.paginator.count, {d.code for d in page.object_list}


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["clerk", "specialist", "leader", "manager", "provincial"])
def test_each_tab_count_is_the_length_of_its_list(world: World, client: Client, who: str) -> None:
    varied_dossiers(world)
    user: User = getattr(world, who)
    login(client, user)
    counts = inbox_counts(user, mine=False)
    response = client.get("/can-bo/")
    shown = {f.key: n for f, n in response.context["filters"]}
    # The tabs follow the role: the counter's work for counter roles, the own desk for those
    # who act, the signature for leaders (dossiers.rules' desks).
    counter = who in ("clerk", "manager")
    expected = {k for k in TABS if counter or k not in ("submitted", "result_ready")}
    expected |= {"mine"} if who != "provincial" else set()
    expected |= {"to_sign"} if who in ("leader", "manager") else set()
    assert set(shown) == expected
    for key in shown:
        count, codes = tab(client, key)
        assert counts[key] == shown[key] == count == len(codes), key


@time_machine.travel(NOW, tick=False)
def test_history_tabs_hold_this_quarter_and_live_tabs_all_of_history(
    world: World, client: Client
) -> None:
    shapes = varied_dossiers(world)
    login(client, world.leader)  # the construction department: one dossier of each shape

    def shapes_of(key: str) -> set[str]:
        return {shapes[code] for code in tab(client, key)[1]}

    assert quarter_start(timezone.now()) == dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert shapes_of("ended") == {
        "late, ended at the quarter's first minute",
        "late with an apology, ended this quarter",
        "refused this quarter",
    }
    assert shapes_of("late_no_apology") == {
        "open for years, overdue",
        "late, ended at the quarter's first minute",
    }
    assert shapes_of("overdue") == {"open for years, overdue"}
    assert "open for years, overdue" in shapes_of("open")
    # Results to return are the counter's tab (the centre received these dossiers).
    login(client, world.manager)
    assert shapes_of("result_ready") == {"result ready for years"}
    labels = [f.label for f, _n in client.get("/can-bo/").context["filters"]]
    assert "Đã kết thúc trong quý" in labels


@time_machine.travel(NOW, tick=False)
def test_my_desk_counts_only_my_dossiers(world: World, client: Client) -> None:
    mine = world.dossier(current_unit=world.construction_unit)
    world.dossier()  # in scope, at nobody's desk
    login(client, world.specialist)
    response = client.get("/can-bo/?cua=toi")
    assert response.context["page"].paginator.count == 1
    assert [d.code for d in response.context["page"].object_list] == [mine.code]
