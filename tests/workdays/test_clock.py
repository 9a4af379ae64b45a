"""The legal clock of domain.md §5, through its public functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from motcua.workdays.calendar import WorkCalendar
from motcua.workdays.clock import (
    add_working_days,
    add_working_hours,
    deemed_receipt_day,
    due_at,
    legal_time_in_working_hours,
    next_working_moment,
    working_hours_between,
)

VN = timezone(timedelta(hours=7))


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN)


def test_worked_example_monday_before_national_day(calendar: WorkCalendar) -> None:
    due = due_at(vn(2022, 8, 29, 10), 3, "working_days", cutoff=True, calendar=calendar)
    assert due == vn(2022, 9, 5, 17)
    assert due.isoformat() == "2022-09-05T17:00:00+07:00"


def test_worked_example_after_cutoff_before_holiday(calendar: WorkCalendar) -> None:
    received = vn(2022, 8, 31, 15, 30)
    assert deemed_receipt_day(received, cutoff=True, calendar=calendar) == date(2022, 9, 5)
    due = due_at(received, 3, "working_days", cutoff=True, calendar=calendar)
    assert due == vn(2022, 9, 8, 17)


@pytest.mark.parametrize(
    ("received", "deemed"),
    [
        (vn(2022, 8, 30, 14, 59, 59), date(2022, 8, 30)),
        (vn(2022, 8, 30, 15, 0, 0), date(2022, 8, 31)),
        (vn(2022, 8, 30, 6, 0), date(2022, 8, 30)),
        (vn(2022, 8, 30, 23, 59, 59), date(2022, 8, 31)),
        (vn(2022, 9, 3, 9, 0), date(2022, 9, 5)),
    ],
)
def test_cutoff_edges(calendar: WorkCalendar, received: datetime, deemed: date) -> None:
    assert deemed_receipt_day(received, cutoff=True, calendar=calendar) == deemed


def test_cutoff_off_keeps_late_receipt_on_its_day_but_not_a_day_off(
    calendar: WorkCalendar,
) -> None:
    assert deemed_receipt_day(vn(2022, 8, 30, 17, 30), cutoff=False, calendar=calendar) == date(
        2022, 8, 30
    )
    assert deemed_receipt_day(vn(2022, 9, 2, 10), cutoff=False, calendar=calendar) == date(
        2022, 9, 5
    )
    assert due_at(
        vn(2022, 8, 31, 15, 30), 3, "working_days", cutoff=False, calendar=calendar
    ) == vn(2022, 9, 7, 17)


def test_utc_input_whose_local_date_differs(calendar: WorkCalendar) -> None:
    # 2022-08-30 20:00 UTC is Wednesday 31/8 03:00 in Hà Nội: before the cut-off.
    received = datetime(2022, 8, 30, 20, 0, tzinfo=UTC)
    assert deemed_receipt_day(received, cutoff=True, calendar=calendar) == date(2022, 8, 31)
    due = due_at(received, 1, "working_days", cutoff=True, calendar=calendar)
    assert due == vn(2022, 9, 5, 17)
    assert due.utcoffset() == timedelta(hours=7)
    # 08:00 UTC is 15:00 local: at the cut-off.
    received = datetime(2022, 8, 30, 8, 0, tzinfo=UTC)
    assert deemed_receipt_day(received, cutoff=True, calendar=calendar) == date(2022, 8, 31)


def test_naive_datetime_is_refused(calendar: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="múi giờ"):
        due_at(datetime(2022, 8, 29, 10), 3, "working_days", cutoff=True, calendar=calendar)


def test_duration_zero_is_the_deemed_day(calendar: WorkCalendar) -> None:
    assert due_at(vn(2022, 8, 29, 10), 0, "working_days", cutoff=True, calendar=calendar) == vn(
        2022, 8, 29, 17
    )
    assert due_at(vn(2022, 8, 31, 16), 0, "working_days", cutoff=True, calendar=calendar) == vn(
        2022, 9, 5, 17
    )
    assert due_at(vn(2022, 9, 3, 10), 0, "calendar_days", cutoff=True, calendar=calendar) == vn(
        2022, 9, 5, 17
    )


def test_calendar_days_landing_on_a_holiday_move_to_next_working_day(
    calendar: WorkCalendar,
) -> None:
    # Deemed 29/8/2022 + 3 days = 1/9 (Quốc khánh) -> 2/9 holiday -> weekend -> 5/9.
    assert due_at(vn(2022, 8, 29, 10), 3, "calendar_days", cutoff=True, calendar=calendar) == vn(
        2022, 9, 5, 17
    )
    # + 2 days = Wednesday 31/8, a working day.
    assert due_at(vn(2022, 8, 29, 10), 2, "calendar_days", cutoff=True, calendar=calendar) == vn(
        2022, 8, 31, 17
    )


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (vn(2022, 8, 29, 7), Decimal("4.5"), vn(2022, 8, 29, 11, 30)),
        (vn(2022, 8, 29, 16), 4, vn(2022, 8, 30, 10)),
        (vn(2022, 8, 29, 7), 8, vn(2022, 8, 29, 17)),
        (vn(2022, 8, 29, 11, 30), 1, vn(2022, 8, 29, 14, 30)),
        (vn(2022, 8, 29, 12, 0), Decimal("0.5"), vn(2022, 8, 29, 14)),
        (vn(2022, 8, 29, 13, 30), Decimal("3.5"), vn(2022, 8, 29, 17)),
        (vn(2022, 8, 29, 17, 0), 1, vn(2022, 8, 30, 8)),
        (vn(2022, 8, 29, 6, 0), 1, vn(2022, 8, 29, 8)),
        (vn(2022, 8, 31, 16, 0), 2, vn(2022, 9, 5, 8)),
        (vn(2022, 8, 29, 10), 0.25, vn(2022, 8, 29, 10, 15)),
    ],
)
def test_working_hours_follow_office_hours(
    calendar: WorkCalendar, start: datetime, hours: Decimal, due: datetime
) -> None:
    assert add_working_hours(start, hours, calendar=calendar) == due
    assert due_at(start, hours, "working_hours", cutoff=True, calendar=calendar) == due
    assert working_hours_between(start, due, calendar=calendar) == Decimal(str(hours))


@pytest.mark.parametrize(
    ("instant", "moment"),
    [
        (vn(2022, 8, 29, 7), vn(2022, 8, 29, 7)),
        (vn(2022, 8, 29, 11, 29), vn(2022, 8, 29, 11, 29)),
        (vn(2022, 8, 29, 11, 30), vn(2022, 8, 29, 13, 30)),
        (vn(2022, 8, 29, 13, 30), vn(2022, 8, 29, 13, 30)),
        (vn(2022, 8, 29, 17), vn(2022, 8, 30, 7)),
        (vn(2022, 8, 31, 17), vn(2022, 9, 5, 7)),
    ],
)
def test_next_working_moment(calendar: WorkCalendar, instant: datetime, moment: datetime) -> None:
    assert next_working_moment(instant, calendar=calendar) == moment


def test_zero_working_hours_is_receipt_instant_or_next_opening(calendar: WorkCalendar) -> None:
    assert due_at(vn(2022, 8, 29, 10), 0, "working_hours", cutoff=True, calendar=calendar) == vn(
        2022, 8, 29, 10
    )
    assert due_at(vn(2022, 8, 29, 12), 0, "working_hours", cutoff=True, calendar=calendar) == vn(
        2022, 8, 29, 13, 30
    )


def test_add_working_days(calendar: WorkCalendar) -> None:
    assert add_working_days(date(2022, 8, 29), 0, calendar=calendar) == date(2022, 8, 29)
    assert add_working_days(date(2022, 8, 31), 1, calendar=calendar) == date(2022, 9, 5)
    assert add_working_days(date(2022, 9, 3), 1, calendar=calendar) == date(2022, 9, 5)


def test_legal_time_in_working_hours() -> None:
    assert legal_time_in_working_hours(3, "working_days") == Decimal(24)
    assert legal_time_in_working_hours(Decimal("4.5"), "working_hours") == Decimal("4.5")
    assert legal_time_in_working_hours(2, "calendar_days") == Decimal(16)
    with pytest.raises(ValueError):
        legal_time_in_working_hours(1, "weeks")


def test_cutoff_off_after_closing_with_zero_days_is_due_that_day(calendar: WorkCalendar) -> None:
    # §5 by the letter: the receipt stays on its day and D = 0 is that day at 17:00.
    assert due_at(vn(2022, 8, 30, 17, 30), 0, "working_days", cutoff=False, calendar=calendar) == (
        vn(2022, 8, 30, 17)
    )


def test_fractional_days_round_up(calendar: WorkCalendar) -> None:
    received = vn(2022, 8, 29, 10)
    assert due_at(received, Decimal("0.5"), "working_days", cutoff=True, calendar=calendar) == (
        vn(2022, 8, 30, 17)
    )
    assert due_at(received, 2.5, "working_days", cutoff=True, calendar=calendar) == vn(
        2022, 9, 5, 17
    )


def test_rules_are_configurable(calendar: WorkCalendar) -> None:
    from motcua.workdays.clock import ClockRules

    rules = ClockRules.parse("07:30-11:30,13:00-16:30", "16:00")
    assert rules.hours_per_day == Decimal("7.5")
    received = vn(2022, 8, 29, 15, 30)  # before this province's 16:00 cut-off
    assert due_at(received, 1, "working_days", cutoff=True, calendar=calendar, rules=rules) == (
        vn(2022, 8, 30, 16, 30)
    )
    assert add_working_hours(vn(2022, 8, 29, 11), 1, calendar=calendar, rules=rules) == vn(
        2022, 8, 29, 13, 30
    )
    assert legal_time_in_working_hours(2, "working_days", rules) == Decimal(15)
    for hours, cutoff in [("07:00-11:30,11:00-17:00", "15:00"), ("17:00-07:00", "15:00"),
                          ("07:00-17:00", "25:00"), ("", "15:00")]:  # fmt: skip
        with pytest.raises(ValueError):
            ClockRules.parse(hours, cutoff)
