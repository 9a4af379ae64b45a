"""A stand-in for ``motcua.workdays.clock`` until it lands on main (same signatures).

Weekdays only, office hours 07:00–11:30 and 13:30–17:00, cut-off 15:00 (domain.md §5). It is
deleted as soon as the real clock is on main; nothing outside ``dossiers.services`` uses it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = ((dt.time(7, 0), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))
CUTOFF = dt.time(15, 0)


@dataclass(frozen=True)
class Calendar:
    off: frozenset[dt.date] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self.off


def get_calendar() -> Calendar:
    return Calendar()


def _next_working(day: dt.date, calendar: Calendar) -> dt.date:
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, n: int, *, calendar: Calendar) -> dt.date:
    while n > 0:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def _intervals(start: dt.datetime, calendar: Calendar) -> Any:
    day = start.astimezone(LOCAL).date()
    while True:
        if calendar.is_working_day(day):
            for a, b in OFFICE:
                lo = dt.datetime.combine(day, a, LOCAL)
                hi = dt.datetime.combine(day, b, LOCAL)
                if hi > start:
                    yield max(lo, start), hi
        day += dt.timedelta(days=1)


def add_working_hours(start: dt.datetime, hours: Decimal | float, *, calendar: Calendar) -> Any:
    left = dt.timedelta(hours=float(hours))
    for lo, hi in _intervals(start, calendar):
        if hi - lo >= left:
            return lo + left
        left -= hi - lo
    raise AssertionError("unreachable")


def working_hours_between(start: dt.datetime, end: dt.datetime, *, calendar: Calendar) -> Decimal:
    total = dt.timedelta()
    for lo, hi in _intervals(start, calendar):
        if lo >= end:
            break
        total += min(hi, end) - lo
    return Decimal(total.total_seconds() / 3600).quantize(Decimal("0.01"))


def _deemed_day(received_at: dt.datetime, cutoff: bool, calendar: Calendar) -> dt.date:
    local = received_at.astimezone(LOCAL)
    day = local.date()
    if not calendar.is_working_day(day):
        return _next_working(day, calendar)
    if cutoff and local.time() >= CUTOFF:
        return add_working_days(day, 1, calendar=calendar)
    return day


def due_at(
    received_at: dt.datetime,
    duration: Decimal | int,
    unit: str,
    *,
    cutoff: bool = True,
    calendar: Calendar,
) -> dt.datetime:
    if unit == "working_hours":
        return add_working_hours(received_at, Decimal(duration), calendar=calendar)
    day = _deemed_day(received_at, cutoff, calendar)
    if unit == "calendar_days":
        day = _next_working(day + dt.timedelta(days=int(duration)), calendar)
    else:
        day = add_working_days(day, int(duration), calendar=calendar)
    return dt.datetime.combine(day, OFFICE[-1][1], LOCAL)


@dataclass
class Explanation:
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return self.data


def explain(
    received_at: dt.datetime,
    duration: Decimal | int,
    unit: str,
    *,
    cutoff: bool = True,
    calendar: Calendar,
) -> Explanation:
    due = due_at(received_at, duration, unit, cutoff=cutoff, calendar=calendar)
    return Explanation(
        {
            "received_at": received_at.isoformat(),
            "duration": str(duration),
            "unit": unit,
            "due_at": due.isoformat(),
        }
    )
