"""Properties of the legal clock that must hold for any receipt (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.workdays.clock import (
    UNITS,
    add_working_hours,
    due_at,
    next_working_moment,
    to_local,
    working_hours_between,
)
from tests.workdays.conftest import _CALENDAR as CALENDAR

ZONES = [UTC, *(timezone(timedelta(hours=h)) for h in (7, -5, 14))]

instants = st.datetimes(
    min_value=datetime(2021, 6, 1),
    max_value=datetime(2026, 6, 30),
    timezones=st.sampled_from(ZONES),
)
durations = st.integers(min_value=0, max_value=80)
hour_amounts = st.decimals(min_value=0, max_value=200, places=2)
units = st.sampled_from(UNITS)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)


@PROPERTY_SETTINGS
@given(instants, durations, units, st.booleans())
def test_a_due_date_is_a_working_day_in_local_time(
    received: datetime, duration: int, unit: str, cutoff: bool
) -> None:
    due = due_at(received, duration, unit, cutoff=cutoff, calendar=CALENDAR)
    assert due.utcoffset() == timedelta(hours=7)
    assert CALENDAR.is_working_day(due.date())
    if unit == "working_hours":
        assert due >= received
    else:
        # Not `due >= received`: with the cut-off off, a receipt at 17:30 and D = 0 is due
        # at 17:00 the same day, by the letter of §5.
        assert due.date() >= to_local(received).date()
        assert (due.hour, due.minute) == (17, 0)


@PROPERTY_SETTINGS
@given(
    instants,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    durations,
    units,
    st.booleans(),
)
def test_a_later_receipt_never_gives_an_earlier_due_date(
    received: datetime, later: timedelta, duration: int, unit: str, cutoff: bool
) -> None:
    first = due_at(received, duration, unit, cutoff=cutoff, calendar=CALENDAR)
    second = due_at(received + later, duration, unit, cutoff=cutoff, calendar=CALENDAR)
    assert first <= second


@PROPERTY_SETTINGS
@given(instants, durations, st.integers(min_value=0, max_value=30), units, st.booleans())
def test_a_longer_duration_never_gives_an_earlier_due_date(
    received: datetime, duration: int, more: int, unit: str, cutoff: bool
) -> None:
    first = due_at(received, duration, unit, cutoff=cutoff, calendar=CALENDAR)
    second = due_at(received, duration + more, unit, cutoff=cutoff, calendar=CALENDAR)
    assert first <= second


@PROPERTY_SETTINGS
@given(instants, hour_amounts)
def test_working_hours_between_inverts_add_working_hours(start: datetime, hours: Decimal) -> None:
    end = add_working_hours(start, hours, calendar=CALENDAR)
    assert working_hours_between(start, end, calendar=CALENDAR) == hours
    assert end >= next_working_moment(start, calendar=CALENDAR) or hours == 0
    # The end is the earliest such instant: one microsecond earlier is not enough.
    if hours > 0:
        earlier = end - timedelta(microseconds=1)
        assert working_hours_between(start, earlier, calendar=CALENDAR) < hours


@PROPERTY_SETTINGS
@given(instants, instants)
def test_adding_the_hours_between_two_instants_reaches_the_later_one(
    a: datetime, b: datetime
) -> None:
    start, end = sorted([a, b])
    hours = working_hours_between(start, end, calendar=CALENDAR)
    assert hours >= 0
    assert working_hours_between(end, start, calendar=CALENDAR) == -hours
    reached = add_working_hours(start, hours, calendar=CALENDAR)
    if hours > 0:
        # The earliest instant with that much office time: `end` itself, or the last close
        # before it when `end` is outside office hours (or exactly at an opening).
        assert reached <= end
        assert working_hours_between(reached, end, calendar=CALENDAR) == 0
        if reached != end:
            assert next_working_moment(reached, calendar=CALENDAR) >= end
