"""At risk (issue 5): due within one working day on the legal clock, or the current step held
longer than its budget; the dashboard figure, the inbox's due-soon tab and the badges agree."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.catalog.models import WorkflowStep
from motcua.dossiers.classify import step_over_at
from motcua.dossiers.models import Dossier
from motcua.workdays import clock
from motcua.workdays.calendar import WorkCalendar

from .conftest import World, login

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=VN)


def due_soon_codes(client: Client) -> set[str]:
    response = client.get("/can-bo/?f=due_soon")
    assert response.status_code == 200
    return {d.code for d in response.context["page"].object_list}


def at_risk_codes(client: Client) -> tuple[int, set[str]]:
    """The dashboard's at-risk figure and the codes of the list it links to."""
    count = client.get("/can-bo/lanh-dao/").context["figures"]["counts"]["at_risk"]
    response = client.get("/can-bo/?ky=at_risk")
    return count, {d.code for d in response.context["page"].object_list}


def test_friday_evening_a_dossier_due_monday_is_at_risk(world: World, client: Client) -> None:
    monday = world.dossier(due_at=local(2026, 12, 7, 17, 0))
    world.dossier(due_at=local(2026, 12, 8, 17, 0))  # Tuesday: two working days left
    with time_machine.travel(local(2026, 12, 4, 17, 30), tick=False):  # Friday 17:30
        login(client, world.leader)  # sessions expire: log in at that time
        assert due_soon_codes(client) == {monday.code}
        assert at_risk_codes(client) == (1, {monday.code})


def test_tuesday_evening_a_dossier_due_thursday_is_not(world: World, client: Client) -> None:
    wednesday = world.dossier(due_at=local(2026, 12, 9, 17, 0))
    world.dossier(due_at=local(2026, 12, 10, 17, 0))  # Thursday: two working days left
    world.dossier(due_at=local(2026, 12, 8, 17, 0))  # already overdue: its own figure
    with time_machine.travel(local(2026, 12, 8, 17, 30), tick=False):  # Tuesday 17:30
        login(client, world.leader)  # sessions expire: log in at that time
        assert due_soon_codes(client) == {wednesday.code}
        assert at_risk_codes(client) == (1, {wednesday.code})


def test_a_holiday_is_not_a_working_day_left(world: World, client: Client) -> None:
    # 2/9/2026 (Wednesday) is National Day, with 31/8 and 1/9 off beside it: from Friday 28/8
    # 17:30 the next working day is Thursday 3/9.
    thursday = world.dossier(due_at=local(2026, 9, 3, 17, 0))
    world.dossier(due_at=local(2026, 9, 4, 17, 0))
    with time_machine.travel(local(2026, 8, 28, 17, 30), tick=False):
        login(client, world.leader)  # sessions expire: log in at that time
        assert due_soon_codes(client) == {thursday.code}


def step(world: World, hours: str, position: int = 1) -> WorkflowStep:
    return WorkflowStep.objects.create(
        version=world.version, position=position, name="Thẩm định hồ sơ", hours=Decimal(hours)
    )


def test_a_step_held_past_its_budget_is_at_risk_with_its_overrun(
    world: World, client: Client
) -> None:
    appraisal = step(world, "4")
    # From Tuesday 07:00 to 14:30: 4,5 h in the morning and 1 h after the lunch break (which
    # does not count): 5,5 h held against a budget of 4 h, over by 1,5 h.
    late = world.dossier(
        current_step=appraisal,
        current_step_since=local(2026, 12, 8, 7, 0),
        due_at=local(2026, 12, 24, 17, 0),
    )
    world.dossier(  # from 10:30: 10:30-11:30 and 13:30-14:30, 2 h held, within its budget
        current_step=appraisal,
        current_step_since=local(2026, 12, 8, 10, 30),
        due_at=local(2026, 12, 24, 17, 0),
    )
    with time_machine.travel(local(2026, 12, 8, 14, 30), tick=False):
        login(client, world.leader)  # sessions expire: log in at that time
        assert due_soon_codes(client) == {late.code}
        assert at_risk_codes(client) == (1, {late.code})
        page = client.get("/can-bo/?f=due_soon").content.decode()
        assert "Bước “Thẩm định hồ sơ” quá 1,5 giờ (định mức 4,0 giờ)" in page


def test_a_step_is_over_budget_only_after_its_budget_in_office_hours(
    world: World, client: Client
) -> None:
    appraisal = step(world, "8")
    # Started Friday 13:30: 3,5 h on Friday, none at the weekend, 4,5 h on Monday morning:
    # the 8 h budget is complete at Monday 11:30, and exceeded from 13:30 on.
    dossier = world.dossier(
        current_step=appraisal,
        current_step_since=local(2026, 12, 4, 13, 30),
        due_at=local(2026, 12, 24, 17, 0),
    )
    with time_machine.travel(local(2026, 12, 7, 11, 30), tick=False):
        login(client, world.leader)  # sessions expire: log in at that time
        assert due_soon_codes(client) == set()  # exactly its budget: not longer
    with time_machine.travel(local(2026, 12, 7, 13, 31), tick=False):
        login(client, world.leader)  # sessions expire: log in at that time
        assert due_soon_codes(client) == {dossier.code}


CALENDAR = WorkCalendar([])
instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31), timezones=st.just(VN)
)


@settings(max_examples=300, deadline=None)
@given(
    now=instants,
    since=instants,
    budget=st.decimals(min_value=0, max_value=120, places=2),
)
def test_the_step_over_instant_splits_moments_by_hours_held(
    now: dt.datetime, since: dt.datetime, budget: Decimal
) -> None:
    """``now`` is after the kept instant exactly when more than ``budget`` office hours lie
    from ``since`` to ``now``: the SQL test on the column is the clock's own answer."""
    over = step_over_at(since, budget, calendar=CALENDAR)
    held = clock.working_hours_between(since, now, calendar=CALENDAR)
    assert (now > over) == (held > budget)


def test_dossier_page_badge_uses_the_same_rule(world: World, client: Client) -> None:
    dossier: Dossier = world.dossier(due_at=local(2026, 12, 7, 17, 0))
    with time_machine.travel(local(2026, 12, 4, 17, 30), tick=False):
        login(client, world.leader)  # sessions expire: log in at that time
        page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "Sắp đến hạn" in page
