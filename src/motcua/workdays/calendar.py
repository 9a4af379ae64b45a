"""The working calendar: which days count for the legal clock (domain.md §5).

A day is a working day when it is Monday–Friday and not a public holiday
(Bộ luật Lao động 2019 Điều 112, compensatory days Điều 111.3, as the ``holidays``
package computes them for VN), unless the ``CalendarOverride`` table says otherwise
(days off and make-up Saturdays that the Government announces each year for civil
servants). Precedence: override > holiday > weekday.

Everything is precomputed into flat tables indexed by day ordinal, so that a lookup
("is this a working day", "the n-th working day after this one") is one or two array
reads. The tables cover ``first_year..last_year`` and grow on demand (a rebuild) when a
date outside them is asked for.

This module never touches the database except in :func:`get_calendar`, which loads the
overrides once and caches the calendar until an override changes.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from motcua.workdays.lunar import to_lunar
from motcua.workdays.references import pending_reason, statutory_reference

WEEKDAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

DEFAULT_FIRST_YEAR = 2000
DEFAULT_LAST_YEAR = 2060
# Dates beyond these bounds are almost certainly typing mistakes; refuse them rather than
# build a calendar for centuries.
MIN_YEAR = 1976
MAX_YEAR = 2200


@dataclass(frozen=True)
class Override:
    """One row of the override table, as plain values."""

    day: date
    working: bool
    legal_reference: str
    note: str = ""
    reference_date: date | None = None


@dataclass(frozen=True)
class DayInfo:
    """Why a day is (not) a working day."""

    day: date
    working: bool
    # "weekday", "weekend", "holiday", "override_off", "override_working", "makeup",
    # "pending" (a day the ``holidays`` package gives off that no legal text does yet)
    kind: str
    # Vietnamese reason: "Thứ Bảy", "Chủ nhật", the holiday's name, the override's reference.
    reason: str
    # The day's name ("Tết Nguyên Đán (28 tháng Chạp)", "Ngày làm bù"), and its legal basis:
    # the override's reference, else the Labour Code's article for a fixed holiday; empty
    # when nothing but the ``holidays`` package says so (to be confirmed).
    label: str = ""
    reference: str = ""
    reference_date: date | None = None

    @property
    def unconfirmed(self) -> bool:
        """A day off on a weekday, or a weekend day worked, with no legal reference recorded
        (a holiday on a weekend changes nothing and is not flagged)."""
        if self.kind in ("weekday", "weekend", "pending") or self.reference:
            return False
        return self.working == (self.day.weekday() >= 5)


HolidaySource = Callable[[int, int], Mapping[date, str]]
MakeupSource = Callable[[int, int], Iterable[date]]


def vn_holidays(first_year: int, last_year: int) -> dict[date, str]:
    """Vietnamese public holidays with their Vietnamese names, from the ``holidays`` package."""
    import holidays

    found = holidays.country_holidays("VN", years=range(first_year, last_year + 1), language="vi")
    return {d: str(name) for d, name in found.items()}


def vn_makeup_days(first_year: int, last_year: int) -> list[date]:
    """Weekend days that ``holidays`` knows were declared working days (swaps)."""
    import holidays

    found = holidays.country_holidays("VN", years=range(first_year, last_year + 1))
    return sorted(
        d for d in getattr(found, "weekend_workdays", ()) if first_year <= d.year <= last_year
    )


class WorkCalendar:
    """Working days, with the reason every day off is off.

    ``holiday_source(first_year, last_year)`` returns ``{date: Vietnamese name}``;
    ``makeup_source`` the weekend days declared working by the holiday source itself;
    ``overrides`` win over both.
    """

    def __init__(
        self,
        overrides: Iterable[Override] = (),
        *,
        holiday_source: HolidaySource = vn_holidays,
        makeup_source: MakeupSource | None = vn_makeup_days,
        first_year: int = DEFAULT_FIRST_YEAR,
        last_year: int = DEFAULT_LAST_YEAR,
    ) -> None:
        self._overrides: dict[date, Override] = {o.day: o for o in overrides}
        self._holiday_source = holiday_source
        self._makeup_source = makeup_source
        self._lock = threading.Lock()
        self._build(first_year, last_year)

    # --- construction ------------------------------------------------------------------
    def _build(self, first_year: int, last_year: int) -> None:
        holidays = dict(self._holiday_source(first_year, last_year))
        # Days the package lists that no legal text makes days off yet (24/11 from 2026):
        # working days unless an override records a text.
        pending = {d: name for d, name in holidays.items() if pending_reason(d) is not None}
        for d in pending:
            del holidays[d]
        makeup = set(self._makeup_source(first_year, last_year)) if self._makeup_source else set()
        base = date(first_year, 1, 1).toordinal()
        end = date(last_year, 12, 31).toordinal()
        size = end - base + 1
        working = bytearray(size)
        for i in range(size):
            d = date.fromordinal(base + i)
            override = self._overrides.get(d)
            if override is not None:
                working[i] = override.working
            elif d in holidays:
                working[i] = 0
            elif d in makeup:
                working[i] = 1
            else:
                working[i] = d.weekday() < 5
        # before[i]: how many working days lie strictly before day base+i. It has size+1
        # entries so that before[size] is the total.
        before = array("l", [0]) * (size + 1)
        ordinals = array("l")
        count = 0
        for i in range(size):
            before[i] = count
            if working[i]:
                ordinals.append(base + i)
                count += 1
        before[size] = count
        # Publish all tables at once (readers on other threads see old or new, never mixed).
        self._tables = (base, size, bytes(working), before, ordinals)
        self._holidays = holidays
        self._pending = pending
        self._makeup = makeup
        self.first_year = first_year
        self.last_year = last_year

    def _cover(self, ordinal: int) -> None:
        """Grow the tables to cover the year of ``ordinal`` (and a margin after it)."""
        year = date.fromordinal(ordinal).year
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"năm {year} nằm ngoài phạm vi lịch ({MIN_YEAR}–{MAX_YEAR})")
        with self._lock:
            first = min(self.first_year, year)
            last = max(self.last_year, year + 2 if year < MAX_YEAR - 1 else MAX_YEAR)
            if first != self.first_year or last != self.last_year:
                self._build(first, min(last, MAX_YEAR))

    def tables(self, first: int, last: int) -> tuple[int, int, bytes, array[int], array[int]]:
        """The raw tables, guaranteed to cover ordinals ``first..last`` plus a margin.

        ``(base, size, working, before, ordinals)``: ``working[o - base]`` is 1 for a
        working day; ``before[o - base]`` counts the working days before ``o``;
        ``ordinals[k]`` is the ordinal of the k-th working day (0-based from ``base``).
        """
        base, size, _, _, _ordinals = self._tables
        if first < base:
            self._cover(first)
        # Keep at least a year of working days after `last`: callers add durations.
        if last + 400 >= base + size:
            self._cover(last + 400)
        return self._tables

    # --- questions about days ----------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        o = day.toordinal()
        base, _size, working, _, _ = self.tables(o, o)
        return bool(working[o - base])

    def next_working_day(self, day: date, *, include: bool = False) -> date:
        """The first working day after ``day`` (or ``day`` itself if ``include``)."""
        o = day.toordinal() + (0 if include else 1)
        base, _, _, before, ordinals = self.tables(o, o)
        return date.fromordinal(ordinals[before[o - base]])

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after ``day`` (``n = 0``: ``day`` itself).

        ``day`` need not be a working day: the 1st working day after a Saturday is Monday.
        """
        if n < 0:
            raise ValueError("số ngày làm việc phải không âm")
        if n == 0:
            return day
        o = day.toordinal()
        base, _, _, before, ordinals = self.tables(o, o + 2 * n)
        # Working days up to and including `day` are before[o+1-base]; the next one has that
        # 0-based index.
        k = before[o + 1 - base] + n - 1
        if k >= len(ordinals):
            self._cover(ordinals[-1] + 2 * n)
            return self.add_working_days(day, n)
        return date.fromordinal(ordinals[k])

    def info(self, day: date) -> DayInfo:
        """Whether ``day`` is a working day, why, its label and its legal reference."""
        working = self.is_working_day(day)
        override = self._overrides.get(day)
        name = self._holidays.get(day)
        label = self._label(day, name) if name is not None else ""
        if override is not None:
            kind = "override_working" if override.working else "override_off"
            if not label:
                default = "Ngày làm bù" if override.working else "Ngày nghỉ"
                label = override.note or default
            return DayInfo(
                day,
                working,
                kind,
                override.legal_reference or label,
                label,
                override.legal_reference,
                override.reference_date,
            )
        if name is not None:
            statutory = statutory_reference(day, self._holidays.keys())
            return DayInfo(
                day,
                False,
                "holiday",
                label,
                label,
                statutory.text if statutory else "",
                statutory.issued if statutory else None,
            )
        if day in self._makeup:
            label = "Ngày làm bù (hoán đổi ngày làm việc)"
            return DayInfo(day, True, "makeup", label, label)
        weekday = WEEKDAY_NAMES_VI[day.weekday()]
        pending = self._pending.get(day)
        if pending is not None:
            return DayInfo(day, day.weekday() < 5, "pending", weekday, pending)
        if day.weekday() >= 5:
            return DayInfo(day, False, "weekend", weekday, weekday)
        return DayInfo(day, True, "weekday", weekday, weekday)

    @staticmethod
    def _label(day: date, name: str) -> str:
        """The holiday's name; for the days of Tết, named by their lunar date (the package
        counts from the new year and calls the 28th of a 29-day month "29 Tết")."""
        lunar = to_lunar(day)
        around_new_year = (lunar.month == 12 and lunar.day >= 20) or (
            lunar.month == 1 and lunar.day <= 10
        )
        if around_new_year and not lunar.leap:
            return f"Tết Nguyên Đán ({lunar.label()})"
        return name

    def reason_off(self, day: date) -> str | None:
        """Why ``day`` is not a working day, or None if it is one."""
        info = self.info(day)
        return None if info.working else info.reason

    def year_exceptions(self, year: int) -> list[DayInfo]:
        """Days of ``year`` that differ from a plain Monday–Friday week, or are overridden."""
        self.tables(date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal())
        out = []
        d = date(year, 1, 1)
        while d.year == year:
            info = self.info(d)
            if info.kind not in ("weekday", "weekend"):
                out.append(info)
            d += timedelta(days=1)
        return out

    def holiday_list(self, first_year: int, last_year: int) -> list[date]:
        """Weekdays off in the range (what ``numpy.busday_offset`` takes as holidays)."""
        out = []
        d = date(first_year, 1, 1)
        end = date(last_year, 12, 31)
        self.tables(d.toordinal(), end.toordinal())
        while d <= end:
            if d.weekday() < 5 and not self.is_working_day(d):
                out.append(d)
            d += timedelta(days=1)
        return out


# --- the installation's calendar, loaded from the database --------------------------------

_cache_lock = threading.Lock()
_cached: tuple[object, WorkCalendar] | None = None


def _cache_key() -> object:
    """The configuration's stamp (``core.config_cache``: it changes with every override
    written, by any process); where a database has none, the overrides' count, latest
    ``updated_at`` and largest id."""
    from django.db import router
    from django.db.models import Count, Max

    from motcua.core.config_cache import config_stamp
    from motcua.workdays.models import CalendarOverride

    alias = router.db_for_read(CalendarOverride) or "default"
    stamp = config_stamp(alias)
    if stamp is not None:
        return ("stamp", alias, stamp)
    agg = CalendarOverride.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    return (agg["n"], agg["last"], agg["top"])


def load_overrides() -> list[Override]:
    from motcua.workdays.models import CalendarOverride, OverrideKind

    return [
        Override(
            day=row.date,
            working=row.kind == OverrideKind.WORKING,
            legal_reference=row.legal_reference,
            note=row.note,
            reference_date=row.legal_reference_date,
        )
        for row in CalendarOverride.objects.order_by("date")
    ]


def get_calendar() -> WorkCalendar:
    """The installation's calendar: ``holidays`` VN plus the override table.

    Cached per process; the cache key (the configuration's stamp, ``core.config_cache``) is
    one cheap query, so an override saved or deleted in another process is picked up at the
    next call. Services that change overrides also call
    :func:`invalidate_calendar` so that this process sees the change even within the
    same second.

    Within a request the freshness check runs once (``request_memo``): a receipt asks for the
    calendar for its deadline and again for its step's budget.
    """
    from motcua.core.access import request_memo

    return request_memo(_MEMO, 0, _get_calendar)


_MEMO = "workdays.calendar"


def _get_calendar() -> WorkCalendar:
    global _cached
    key = _cache_key()
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    with _cache_lock:
        if _cached is not None and _cached[0] == key:
            return _cached[1]
        calendar = WorkCalendar(load_overrides())
        _cached = (key, calendar)
        return calendar


def invalidate_calendar() -> None:
    from motcua.core.access import request_memo_forget
    from motcua.core.config_cache import config_changed

    global _cached
    request_memo_forget(_MEMO)
    config_changed()
    with _cache_lock:
        _cached = None
