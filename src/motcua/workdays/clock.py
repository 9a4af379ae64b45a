"""The legal clock (domain.md §5): pure functions over plain values.

No database access: the :class:`~motcua.workdays.calendar.WorkCalendar` is passed in
(``get_calendar()`` builds the installation's one). All results are aware datetimes in
Asia/Ho_Chi_Minh; inputs may carry any UTC offset, naive datetimes are refused.

Rules, with the choices made where §5 is silent:

* Deemed receipt day (Bộ luật Dân sự 2015 Điều 147.1: the first day is not counted; the
  cut-off per ND 61/2018 / ND 118/2025 practice): a receipt at or after the cut-off
  (15:00:00 exactly is "after") on a working day, or any time on a non-working day, is
  deemed received on the next working day. With ``cutoff=False`` only the 15:00 rule is
  off: a non-working-day receipt still moves; 17:30 on a working day stays that day.
* ``working_days`` D: the D-th working day after the deemed day, at the end of office
  hours (17:00). D = 0: the deemed day itself, 17:00.
* ``calendar_days`` D: the deemed day + D days, moved forward to a working day if needed,
  17:00. D = 0: the deemed day, 17:00.
* A fractional number of days (0,5 ngày) is rounded **up** to whole days: the due date is
  the day in which the last part of the time falls, so the appointment is never earlier
  than the law allows for the agency and never a day late for the citizen.
* ``working_hours`` H: counted along office hours from the receipt instant, or the next
  opening when received outside office hours (no cut-off). The due instant is the moment
  the H-th hour completes: the *earliest* instant at which H office hours have elapsed, so
  4,5 h from 07:00 is 11:30 (not 13:30) and 8 h from 07:00 is 17:00 the same day.
  H = 0 gives the receipt instant if it falls inside office hours, else the next opening.
* Office hours are half-open intervals: 11:30 and 17:00 are outside (the next working
  moment after 11:30 is 13:30), 07:00 and 13:30 are inside.
* Sub-second precision is kept to the microsecond.
"""

from __future__ import annotations

import itertools
import math
from array import array
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from motcua.workdays.calendar import WEEKDAY_NAMES_EN, WEEKDAY_NAMES_VI, WorkCalendar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"
WORKING_HOURS = "working_hours"
UNITS = (WORKING_DAYS, CALENDAR_DAYS, WORKING_HOURS)

_US_PER_SECOND = 1_000_000
_US_PER_HOUR = 3600 * _US_PER_SECOND
_US_PER_DAY = 86400 * _US_PER_SECOND


# --- rules --------------------------------------------------------------------------------


def _parse_hhmm(text: str) -> int:
    """'07:30' -> seconds since midnight."""
    hours, _, minutes = text.strip().partition(":")
    h, m = int(hours), int(minutes or 0)
    if not (0 <= h <= 24 and 0 <= m < 60 and h * 60 + m <= 24 * 60):
        raise ValueError(f"giờ không hợp lệ: {text!r}")
    return (h * 60 + m) * 60


@dataclass(frozen=True)
class ClockRules:
    """Office hours and cut-off of an installation (settings.MOTCUA OFFICE_HOURS/CUTOFF).

    ``periods`` are (open, close) in seconds since local midnight, sorted, disjoint.
    """

    periods: tuple[tuple[int, int], ...]
    cutoff: int  # seconds since local midnight

    @classmethod
    def parse(cls, office_hours: str, cutoff: str) -> ClockRules:
        """From ``"07:00-11:30,13:30-17:00"`` and ``"15:00"``."""
        periods = []
        for part in office_hours.split(","):
            if not part.strip():
                continue
            start, sep, end = part.partition("-")
            if not sep:
                raise ValueError(f"khoảng giờ làm việc không hợp lệ: {part!r}")
            a, b = _parse_hhmm(start), _parse_hhmm(end)
            if a >= b:
                raise ValueError(f"khoảng giờ làm việc không hợp lệ: {part!r}")
            periods.append((a, b))
        periods.sort()
        if not periods:
            raise ValueError("chưa khai báo giờ làm việc")
        for (_, b1), (a2, _) in itertools.pairwise(periods):
            if a2 < b1:
                raise ValueError("các khoảng giờ làm việc chồng nhau")
        return cls(periods=tuple(periods), cutoff=_parse_hhmm(cutoff))

    @property
    def day_seconds(self) -> int:
        """Office seconds in a working day (8 h = 28 800 with the default hours)."""
        return sum(b - a for a, b in self.periods)

    @property
    def hours_per_day(self) -> Decimal:
        return Decimal(self.day_seconds) / 3600

    @property
    def closing(self) -> time:
        """End of office hours (17:00): the time of day of a day-based due date."""
        return _time_of(self.periods[-1][1])

    @property
    def cutoff_time(self) -> time:
        return _time_of(self.cutoff)


def _time_of(seconds: int) -> time:
    if seconds >= 86400:
        return time(23, 59, 59, 999999)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


def _rules_from_settings() -> ClockRules:
    office_hours, cutoff = "07:00-11:30,13:30-17:00", "15:00"
    try:
        from django.conf import settings

        if settings.configured:
            motcua = getattr(settings, "MOTCUA", {})
            office_hours = motcua.get("OFFICE_HOURS", office_hours)
            cutoff = motcua.get("CUTOFF", cutoff)
    except ImportError:  # pragma: no cover - Django is a dependency
        pass
    return ClockRules.parse(office_hours, cutoff)


#: The §5 rules (or the installation's settings when Django is configured at import).
DEFAULT_RULES = _rules_from_settings()
#: Exactly the §5 defaults, whatever the settings say.
STANDARD_RULES = ClockRules.parse("07:00-11:30,13:30-17:00", "15:00")


def get_rules() -> ClockRules:
    """The installation's rules, read from settings now (not at import)."""
    return _rules_from_settings()


# --- helpers ------------------------------------------------------------------------------


def to_local(instant: datetime) -> datetime:
    """``instant`` in Asia/Ho_Chi_Minh; a naive datetime is an error."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("thời điểm phải có múi giờ (timezone-aware)")
    return instant.astimezone(TZ)


def _seconds_of_day_us(local: datetime) -> int:
    return (
        local.hour * 3600 + local.minute * 60 + local.second
    ) * _US_PER_SECOND + local.microsecond


def _at(day: date, us_of_day: int) -> datetime:
    """Local instant on ``day`` at ``us_of_day`` microseconds after midnight."""
    return datetime(day.year, day.month, day.day, tzinfo=TZ) + timedelta(microseconds=us_of_day)


def _to_decimal(value: Decimal | int | float | str) -> Decimal:
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, float):
        result = Decimal(repr(value))
    else:
        result = Decimal(value)
    if not result.is_finite():
        raise ValueError("thời hạn phải là số hữu hạn")
    if result < 0:
        raise ValueError("thời hạn không được âm")
    return result


def _whole_days(duration: Decimal | int | float) -> int:
    """Days, fractions rounded up (see the module docstring)."""
    if isinstance(duration, int) and not isinstance(duration, bool):
        if duration < 0:
            raise ValueError("thời hạn không được âm")
        return duration
    return math.ceil(_to_decimal(duration))


def _hours_us(hours: Decimal | int | float) -> int:
    """Hours as microseconds, rounded half up to the microsecond."""
    if isinstance(hours, int) and not isinstance(hours, bool):
        if hours < 0:
            raise ValueError("thời hạn không được âm")
        return hours * _US_PER_HOUR
    return int((_to_decimal(hours) * _US_PER_HOUR).to_integral_value(rounding="ROUND_HALF_UP"))


def _office_us_until(us_of_day: int, rules: ClockRules) -> int:
    """Office microseconds elapsed on a working day by ``us_of_day``."""
    total = 0
    for a, b in rules.periods:
        a_us, b_us = a * _US_PER_SECOND, b * _US_PER_SECOND
        if us_of_day <= a_us:
            break
        total += min(us_of_day, b_us) - a_us
    return total


def _office_offset_to_us(elapsed: int, rules: ClockRules) -> int:
    """Earliest time of day (µs) at which ``elapsed`` (> 0) office µs have passed."""
    for a, b in rules.periods:
        length = (b - a) * _US_PER_SECOND
        if elapsed <= length:
            return a * _US_PER_SECOND + elapsed
        elapsed -= length
    raise AssertionError("elapsed exceeds a working day")  # pragma: no cover


Tables = tuple[int, int, bytes, "array[int]", "array[int]"]


def _office_clock(local: datetime, tables: Tables, rules: ClockRules) -> int:
    """Office microseconds from the start of the calendar's tables to ``local``.

    A non-decreasing function of the instant, constant outside office hours; differences
    give working time, its inverse gives due instants.
    """
    base, _, working, before, _ = tables
    o = local.toordinal()
    elapsed = before[o - base] * rules.day_seconds * _US_PER_SECOND
    if working[o - base]:
        elapsed += _office_us_until(_seconds_of_day_us(local), rules)
    return elapsed


def _from_office_clock(
    value: int, tables: Tables, calendar: WorkCalendar, rules: ClockRules
) -> datetime:
    """Earliest instant whose office clock (against ``tables``) is ``value`` (> 0)."""
    k, rem = divmod(value, rules.day_seconds * _US_PER_SECOND)
    if rem == 0:
        # Exactly k whole working days: the end of the k-th one (index k-1), e.g. 17:00.
        k -= 1
        rem = rules.day_seconds * _US_PER_SECOND
    base, _, _, _, ordinals = tables
    while k >= len(ordinals):
        # Growing forward keeps `base`, so the index stays valid.
        last = ordinals[-1]
        tables = calendar.tables(last, last + 2 * (k - len(ordinals)) + 14)
        assert tables[0] == base
        ordinals = tables[4]
    return _at(date.fromordinal(ordinals[k]), _office_offset_to_us(rem, rules))


# --- the public functions -----------------------------------------------------------------


def deemed_receipt_day(
    received_at: datetime,
    *,
    cutoff: bool,
    calendar: WorkCalendar,
    rules: ClockRules = DEFAULT_RULES,
) -> date:
    """The day the receipt counts from (§5): next working day after the cut-off or a day off."""
    local = to_local(received_at)
    day = local.date()
    if not calendar.is_working_day(day):
        return calendar.next_working_day(day)
    if cutoff and _seconds_of_day_us(local) >= rules.cutoff * _US_PER_SECOND:
        return calendar.next_working_day(day)
    return day


def add_working_days(day: date, n: int, *, calendar: WorkCalendar) -> date:
    """The n-th working day after ``day``; ``n = 0`` gives ``day`` itself."""
    return calendar.add_working_days(day, n)


def next_working_moment(
    instant: datetime, *, calendar: WorkCalendar, rules: ClockRules = DEFAULT_RULES
) -> datetime:
    """``instant`` itself if inside office hours of a working day, else the next opening.

    Office periods are half-open: 11:30 → 13:30, 17:00 → next working day 07:00.
    """
    local = to_local(instant)
    day = local.date()
    if calendar.is_working_day(day):
        now = _seconds_of_day_us(local)
        for a, b in rules.periods:
            if now < a * _US_PER_SECOND:
                return _at(day, a * _US_PER_SECOND)
            if now < b * _US_PER_SECOND:
                return local
    return _at(calendar.next_working_day(day), rules.periods[0][0] * _US_PER_SECOND)


def add_working_hours(
    start: datetime,
    hours: Decimal | float | int,
    *,
    calendar: WorkCalendar,
    rules: ClockRules = DEFAULT_RULES,
) -> datetime:
    """The instant at which ``hours`` office hours counted from ``start`` are complete.

    Same semantics as unit ``working_hours``: counting starts at ``start`` or the next
    opening; the result is the earliest instant (4,5 h from 07:00 → 11:30). ``hours = 0``
    gives :func:`next_working_moment`.
    """
    amount = _hours_us(hours)
    if amount == 0:
        return next_working_moment(start, calendar=calendar, rules=rules)
    local = to_local(start)
    o = local.toordinal()
    tables = calendar.tables(o, o)
    return _from_office_clock(_office_clock(local, tables, rules) + amount, tables, calendar, rules)


def working_hours_between(
    start: datetime,
    end: datetime,
    *,
    calendar: WorkCalendar,
    rules: ClockRules = DEFAULT_RULES,
) -> Decimal:
    """Office hours between two instants (negative if ``end`` is before ``start``).

    Exact: microseconds / 3 600 000 000 as a Decimal (28 significant digits).
    """
    a_local, b_local = to_local(start), to_local(end)
    tables = calendar.tables(
        min(a_local.toordinal(), b_local.toordinal()), max(a_local.toordinal(), b_local.toordinal())
    )
    a = _office_clock(a_local, tables, rules)
    b = _office_clock(b_local, tables, rules)
    return Decimal(b - a) / Decimal(_US_PER_HOUR)


def due_at(
    received_at: datetime,
    duration: Decimal | int | float,
    unit: str,
    *,
    cutoff: bool,
    calendar: WorkCalendar,
    rules: ClockRules = DEFAULT_RULES,
) -> datetime:
    """The legal due instant (§5), aware, in Asia/Ho_Chi_Minh."""
    if unit == WORKING_HOURS:
        return add_working_hours(received_at, duration, calendar=calendar, rules=rules)
    days = _whole_days(duration)
    deemed = deemed_receipt_day(received_at, cutoff=cutoff, calendar=calendar, rules=rules)
    if unit == WORKING_DAYS:
        due_day = calendar.add_working_days(deemed, days)
    elif unit == CALENDAR_DAYS:
        due_day = calendar.next_working_day(deemed + timedelta(days=days), include=True)
    else:
        raise ValueError(f"đơn vị thời hạn không hợp lệ: {unit!r}")
    return _at(due_day, rules.periods[-1][1] * _US_PER_SECOND)


def legal_time_in_working_hours(
    duration: Decimal | int | float, unit: str, rules: ClockRules = DEFAULT_RULES
) -> Decimal:
    """The legal time as working hours, to compare with the sum of step budgets.

    working_days: D × hours per working day (8); working_hours: H; calendar_days: D × 8,
    an upper bound (a calendar day is at most one working day).
    """
    value = _to_decimal(duration)
    if unit == WORKING_HOURS:
        return value
    if unit in (WORKING_DAYS, CALENDAR_DAYS):
        return value * rules.hours_per_day
    raise ValueError(f"đơn vị thời hạn không hợp lệ: {unit!r}")


# --- bulk ---------------------------------------------------------------------------------


def due_dates_bulk(
    received_epoch: Any,
    durations: Any,
    *,
    cutoff: bool,
    calendar: WorkCalendar,
    rules: ClockRules = DEFAULT_RULES,
) -> Any:
    """Due dates (unit ``working_days``) for many receipts at once, vectorised with numpy.

    ``received_epoch``: integer seconds since the Unix epoch (int64 array-like);
    ``durations``: whole working days (int array-like). Returns a ``datetime64[D]`` array
    of local due dates (the due instant is that day at the closing time). Same rules as
    :func:`due_at`.
    """
    import numpy as np

    epoch = np.asarray(received_epoch, dtype=np.int64)
    days = np.asarray(durations, dtype=np.int64)
    if epoch.size == 0:
        return np.empty(0, dtype="datetime64[D]")
    if days.size and days.min() < 0:
        raise ValueError("thời hạn không được âm")
    # Asia/Ho_Chi_Minh has been UTC+7 without DST since 1975.
    local = epoch + 7 * 3600
    day_epoch, tod = np.divmod(local, 86400)
    unix_ordinal = date(1970, 1, 1).toordinal()
    first = int(day_epoch.min()) + unix_ordinal
    last = int(day_epoch.max()) + unix_ordinal + 2 * int(days.max() if days.size else 0)
    base, _, working, before, ordinals = calendar.tables(first, last)
    working_np = np.frombuffer(working, dtype=np.uint8)
    before_np = np.frombuffer(before, dtype=np.dtype(before.typecode))
    ordinals_np = np.frombuffer(ordinals, dtype=np.dtype(ordinals.typecode))
    idx = day_epoch + (unix_ordinal - base)
    is_working = working_np[idx].astype(bool)
    stays = is_working & (tod < rules.cutoff) if cutoff else is_working
    # Index of the deemed day among working days: the day itself, or the next one.
    deemed = np.where(stays, before_np[idx], before_np[idx + 1])
    due_index = deemed + days
    if days.size and due_index.max() >= len(ordinals_np):
        calendar.tables(last, last + 2 * int(days.max()))
        return due_dates_bulk(
            received_epoch, durations, cutoff=cutoff, calendar=calendar, rules=rules
        )
    due_ordinal = ordinals_np[due_index]
    return (due_ordinal - unix_ordinal).astype("datetime64[D]")


# --- explanation --------------------------------------------------------------------------

_UNIT_VI = {
    WORKING_DAYS: "ngày làm việc",
    CALENDAR_DAYS: "ngày",
    WORKING_HOURS: "giờ làm việc",
}
_UNIT_EN = {
    WORKING_DAYS: "working days",
    CALENDAR_DAYS: "calendar days",
    WORKING_HOURS: "working hours",
}


def _fmt_date(d: date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def _fmt_dt(dt: datetime) -> str:
    local = to_local(dt)
    clock = f"{local.hour:02d}:{local.minute:02d}"
    if local.second or local.microsecond:
        clock += f":{local.second:02d}"
    return f"{clock} {WEEKDAY_NAMES_VI[local.weekday()]} {_fmt_date(local.date())}"


def _fmt_number(value: Decimal | int | float) -> str:
    text = format(_to_decimal(value).normalize(), "f")
    return text.replace(".", ",")


@dataclass
class ExplainedDay:
    """One day looked at while counting: counted (with its number) or skipped (why)."""

    day: date
    counted: bool
    number: int | None  # 1, 2, … for counted days
    kind: str  # weekday | makeup | override_working | weekend | holiday | override_off
    reason: str
    hours: Decimal | None = None  # working_hours: office hours counted that day

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "date": self.day.isoformat(),
            "weekday": WEEKDAY_NAMES_VI[self.day.weekday()],
            "counted": self.counted,
            "number": self.number,
            "kind": self.kind,
            "reason": self.reason,
        }
        if self.hours is not None:
            out["hours"] = str(self.hours)
        return out


@dataclass
class Explanation:
    """How a due date was computed (shown to staff and citizens, stored on the dossier)."""

    received_at: datetime
    duration: Decimal
    unit: str
    cutoff: bool
    deemed_day: date | None  # None for working_hours
    deemed_reason: str  # "" when the receipt day counts as is
    deemed_kind: str  # same_day | cutoff | day_off | outside_hours | in_hours
    start: datetime | None  # working_hours: where counting started
    days: list[ExplainedDay] = field(default_factory=list)
    due_at: datetime | None = None
    rules: ClockRules = DEFAULT_RULES

    def as_dict(self) -> dict[str, Any]:
        return {
            "received_at": to_local(self.received_at).isoformat(),
            "duration": str(self.duration),
            "unit": self.unit,
            "cutoff": self.cutoff,
            "cutoff_time": self.rules.cutoff_time.strftime("%H:%M"),
            "deemed_receipt_day": self.deemed_day.isoformat() if self.deemed_day else None,
            "deemed_kind": self.deemed_kind,
            "deemed_reason": self.deemed_reason,
            "start": self.start.isoformat() if self.start else None,
            "days": [d.as_dict() for d in self.days],
            "due_at": self.due_at.isoformat() if self.due_at else None,
        }

    def as_text(self, language: str = "vi") -> str:
        if language == "en":
            return self._as_text_en()
        lines = [
            f"Tiếp nhận: {_fmt_dt(self.received_at)}.",
            f"Thời hạn giải quyết: {_fmt_number(self.duration)} {_UNIT_VI[self.unit]}"
            + ("" if self.cutoff or self.unit == WORKING_HOURS else " (không áp dụng giờ chốt)")
            + ".",
        ]
        if self.deemed_day is not None:
            if self.deemed_reason:
                lines.append(
                    f"Ngày tiếp nhận được tính: {_fmt_date(self.deemed_day)} "
                    f"({self.deemed_reason})."
                )
            else:
                lines.append(f"Ngày tiếp nhận được tính: {_fmt_date(self.deemed_day)}.")
        elif self.start is not None:
            lines.append(f"Bắt đầu tính giờ: {_fmt_dt(self.start)} ({self.deemed_reason}).")
        for d in self.days:
            head = f"- {WEEKDAY_NAMES_VI[d.day.weekday()]} {_fmt_date(d.day)}: "
            if d.counted:
                text = f"tính ngày thứ {d.number}" if d.number else d.reason
                if d.hours is not None:
                    text = f"tính {_fmt_number(d.hours)} giờ"
                if d.kind in ("makeup", "override_working"):
                    text += f" (ngày làm bù: {d.reason})"
                lines.append(head + text)
            else:
                lines.append(head + f"không tính ({d.reason})")
        if self.due_at is not None:
            lines.append(f"Hạn giải quyết: {_fmt_dt(self.due_at)}.")
        return "\n".join(lines)

    def _as_text_en(self) -> str:
        local = to_local(self.received_at)
        lines = [
            f"Received: {local:%H:%M} {WEEKDAY_NAMES_EN[local.weekday()]} {local:%Y-%m-%d}.",
            f"Legal time: {self.duration} {_UNIT_EN[self.unit]}"
            + ("" if self.cutoff or self.unit == WORKING_HOURS else " (no cut-off)")
            + ".",
        ]
        if self.deemed_day is not None:
            why = {
                "same_day": "",
                "cutoff": f" (received at or after the {self.rules.cutoff_time:%H:%M} cut-off)",
                "day_off": " (received on a day off)",
            }.get(self.deemed_kind, "")
            lines.append(f"Deemed received: {self.deemed_day.isoformat()}{why}.")
        elif self.start is not None:
            lines.append(f"Counting starts: {to_local(self.start).isoformat()}.")
        for d in self.days:
            head = f"- {WEEKDAY_NAMES_EN[d.day.weekday()]} {d.day.isoformat()}: "
            if d.counted:
                if d.hours is not None:
                    lines.append(head + f"{d.hours} h counted")
                else:
                    lines.append(head + f"day {d.number}" if d.number else head + "counted")
            else:
                lines.append(head + f"skipped ({d.reason})")
        if self.due_at is not None:
            lines.append(f"Due: {to_local(self.due_at).isoformat()}.")
        return "\n".join(lines)


def explain(
    received_at: datetime,
    duration: Decimal | int | float,
    unit: str,
    *,
    cutoff: bool,
    calendar: WorkCalendar,
    rules: ClockRules = DEFAULT_RULES,
) -> Explanation:
    """The due date with every day counted or skipped and why (§5, last point)."""
    if unit not in UNITS:
        raise ValueError(f"đơn vị thời hạn không hợp lệ: {unit!r}")
    amount = _to_decimal(duration)
    local = to_local(received_at)
    result = due_at(received_at, duration, unit, cutoff=cutoff, calendar=calendar, rules=rules)
    if unit == WORKING_HOURS:
        return _explain_hours(local, amount, result, calendar, rules)

    receipt_day = local.date()
    deemed = deemed_receipt_day(local, cutoff=cutoff, calendar=calendar, rules=rules)
    days: list[ExplainedDay] = []
    if deemed == receipt_day:
        kind, why = "same_day", ""
    elif not calendar.is_working_day(receipt_day):
        kind = "day_off"
        why = f"nhận vào ngày nghỉ: {calendar.info(receipt_day).reason}"
    else:
        kind = "cutoff"
        why = f"nhận từ {rules.cutoff_time:%H:%M} trở đi, tính sang ngày làm việc tiếp theo"
        days.append(
            ExplainedDay(
                receipt_day,
                False,
                None,
                "cutoff",
                f"nhận từ {rules.cutoff_time:%H:%M} trở đi (giờ chốt tiếp nhận)",
            )
        )
    # Days between the receipt day and the deemed day are days off: say why.
    d = receipt_day + timedelta(days=1)
    while d < deemed:
        info = calendar.info(d)
        days.append(ExplainedDay(d, False, None, info.kind, info.reason))
        d += timedelta(days=1)
    if kind == "day_off":
        info = calendar.info(receipt_day)
        days.insert(0, ExplainedDay(receipt_day, False, None, info.kind, info.reason))

    whole = _whole_days(duration)
    if whole == 0:
        days.append(ExplainedDay(deemed, True, 0, "deemed", "ngày tiếp nhận; thời hạn 0 ngày"))
    else:
        # Bộ luật Dân sự 2015 Điều 147.1: the (deemed) receipt day itself is not counted.
        days.append(
            ExplainedDay(deemed, False, None, "deemed", "ngày tiếp nhận — BLDS 2015 Điều 147.1")
        )
    due_day = to_local(result).date()
    number = 0
    d = deemed + timedelta(days=1)
    while d <= due_day:
        info = calendar.info(d)
        if unit == CALENDAR_DAYS and (d - deemed).days <= whole:
            # Calendar days count every day, working or not.
            number += 1
            days.append(ExplainedDay(d, True, number, info.kind, info.reason))
        elif unit == CALENDAR_DAYS:
            # The last counted day was not a working day: the due date moves forward.
            if info.working:
                days.append(
                    ExplainedDay(d, True, None, info.kind, "ngày làm việc tiếp theo (ngày hẹn trả)")
                )
            else:
                days.append(ExplainedDay(d, False, None, info.kind, info.reason))
        elif info.working:
            number += 1
            days.append(ExplainedDay(d, True, number, info.kind, info.reason))
        else:
            days.append(ExplainedDay(d, False, None, info.kind, info.reason))
        d += timedelta(days=1)
    return Explanation(
        received_at=received_at,
        duration=amount,
        unit=unit,
        cutoff=cutoff,
        deemed_day=deemed,
        deemed_reason=why,
        deemed_kind=kind,
        start=None,
        days=days,
        due_at=result,
        rules=rules,
    )


def _explain_hours(
    local: datetime,
    amount: Decimal,
    result: datetime,
    calendar: WorkCalendar,
    rules: ClockRules,
) -> Explanation:
    start = next_working_moment(local, calendar=calendar, rules=rules)
    if start == local:
        kind, why = "in_hours", "trong giờ làm việc"
    else:
        kind, why = "outside_hours", "nhận ngoài giờ làm việc, tính từ giờ mở cửa tiếp theo"
    days: list[ExplainedDay] = []
    d = local.date()
    end_day = to_local(result).date()
    number = 0
    while d <= end_day:
        info = calendar.info(d)
        if not info.working:
            days.append(ExplainedDay(d, False, None, info.kind, info.reason))
        else:
            day_start = max(start, _at(d, 0))
            day_end = min(to_local(result), _at(d, 86400 * _US_PER_SECOND - 1))
            hours = working_hours_between(day_start, day_end, calendar=calendar, rules=rules)
            if hours > 0:
                number += 1
                days.append(ExplainedDay(d, True, number, info.kind, info.reason, hours))
            elif d < start.date() or d == local.date():
                days.append(ExplainedDay(d, False, None, "outside_hours", "ngoài giờ làm việc"))
        d += timedelta(days=1)
    return Explanation(
        received_at=local,
        duration=amount,
        unit=WORKING_HOURS,
        cutoff=False,
        deemed_day=None,
        deemed_reason=why,
        deemed_kind=kind,
        start=start,
        days=days,
        due_at=result,
        rules=rules,
    )
