"""The online queue: each dossier waiting at the counter shows when it was submitted and the
working time left of the 8 working hours promised to the citizen, counted by the legal clock
(office hours only: a lunch break and a weekend do not count)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from motcua.dossiers.classify import acceptance_minutes_left
from motcua.dossiers.models import Channel, Status
from motcua.workdays import clock
from motcua.workdays.calendar import get_calendar

from .conftest import World, login

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
# Friday 9 October 2026 (no holiday near it), 15:00 in Vietnam.
SUBMITTED = dt.datetime(2026, 10, 9, 15, 0, tzinfo=LOCAL)


def _online(world: World) -> str:
    accept_by = clock.add_working_hours(
        SUBMITTED, Decimal(8), calendar=get_calendar(), rules=clock.get_rules()
    )
    dossier = world.dossier(
        status=Status.SUBMITTED,
        channel=Channel.ONLINE,
        received_at=None,
        due_at=None,
        submitted_at=SUBMITTED,
        accept_by=accept_by,
    )
    return dossier.code


def _row(html: str, code: str) -> str:
    start = html.index(f">{code}<")
    return html[start : html.index("</tr>", start)]


def test_the_queue_shows_submission_time_and_working_time_left(world: World) -> None:
    code = _online(world)
    client = login(Client(), world.clerk)
    # Friday 16:00: one working hour of eight used.
    with time_machine.travel(dt.datetime(2026, 10, 9, 16, 0, tzinfo=LOCAL), tick=False):
        row = _row(client.get("/can-bo/?f=submitted").content.decode(), code)
    assert "Nộp lúc 15:00 9/10/2026" in row
    assert "còn 7 giờ làm việc" in row
    # The weekend does not count: Friday night and Sunday noon leave the same working time.
    with time_machine.travel(dt.datetime(2026, 10, 9, 22, 0, tzinfo=LOCAL), tick=False):
        friday = _row(client.get("/can-bo/?f=submitted").content.decode(), code)
    with time_machine.travel(dt.datetime(2026, 10, 11, 12, 0, tzinfo=LOCAL), tick=False):
        sunday = _row(client.get("/can-bo/?f=submitted").content.decode(), code)
    assert "còn" in friday and friday == sunday


def test_minutes_left_are_counted_in_office_hours_only() -> None:
    calendar, rules = get_calendar(), clock.get_rules()
    accept_by = clock.add_working_hours(SUBMITTED, Decimal(8), calendar=calendar, rules=rules)
    at_submission = acceptance_minutes_left(
        now=SUBMITTED, accept_by=accept_by, calendar=calendar, rules=rules
    )
    assert at_submission == 8 * 60
    past = acceptance_minutes_left(
        now=accept_by + dt.timedelta(minutes=30),
        accept_by=accept_by,
        calendar=calendar,
        rules=rules,
    )
    assert -30 <= past < 0


def test_minutes_and_a_passed_deadline_read_plainly(world: World) -> None:
    code = _online(world)
    client = login(Client(), world.clerk)
    with time_machine.travel(dt.datetime(2026, 10, 9, 16, 40, tzinfo=LOCAL), tick=False):
        row = _row(client.get("/can-bo/?f=submitted").content.decode(), code)
    assert "còn 6 giờ 20 phút làm việc" in row
    # A week later the eight hours are long gone.
    with time_machine.travel(dt.datetime(2026, 10, 16, 10, 0, tzinfo=LOCAL), tick=False):
        row = _row(client.get("/can-bo/?f=submitted").content.decode(), code)
    assert "quá hạn tiếp nhận" in row and "badge-bad" in row


def test_a_received_dossier_shows_no_countdown(world: World) -> None:
    code = world.dossier().code
    row = _row(login(Client(), world.clerk).get("/can-bo/").content.decode(), code)
    assert "làm việc" not in row
