"""The legal basis of each day off: the part fixed by law, as a built-in table.

The Labour Code fixes some days outright; those cite its article here, with no database.
The rest of a year's schedule is decided each year (Điều 112.3: the Prime Minister decides the
five days of Tết Âm lịch and the day next to 2/9; swaps of working days are announced each
year), so its reference is a text of that year, recorded on the override table by the
administrator. A day off that only the ``holidays`` package asserts, with neither, is flagged
for the administrator to confirm.

Pure functions over plain values.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta

from motcua.workdays.lunar import to_lunar


@dataclass(frozen=True)
class LegalReference:
    text: str
    issued: date | None = None


def reference_display(text: str, issued: date | None) -> str:
    """A reference as people cite it: the text, then its date unless the text has it."""
    if issued is None:
        return text
    when = f"{issued.day}/{issued.month}/{issued.year}"
    return text if when in text else f"{text} ngày {when}"


# Bộ luật Lao động số 45/2019/QH14, in force from 1/1/2021 (Điều 220).
LABOUR_CODE_2019 = "Bộ luật Lao động 2019 (số 45/2019/QH14 ngày 20/11/2019)"
LABOUR_CODE_2019_ISSUED = date(2019, 11, 20)
LABOUR_CODE_2019_FROM = date(2021, 1, 1)
# Bộ luật Lao động số 10/2012/QH13, in force from 1/5/2013 to 31/12/2020; its Điều 115 lists
# the same fixed days (2/9 alone, without the adjacent day).
LABOUR_CODE_2012 = "Bộ luật Lao động 2012 (số 10/2012/QH13 ngày 18/6/2012)"
LABOUR_CODE_2012_ISSUED = date(2012, 6, 18)
LABOUR_CODE_2012_FROM = date(2013, 5, 1)

# The fixed days of Bộ luật Lao động 2019 Điều 112.1 (solar (month, day) -> point of clause 1).
# Tết Âm lịch (point b, 5 days) and the day next to 2/9 (point đ) are not fixed: Điều 112.3
# leaves the choice of days to the Prime Minister each year.
FIXED_SOLAR: dict[tuple[int, int], tuple[str, str]] = {
    (1, 1): ("a", "Tết Dương lịch"),
    (4, 30): ("c", "Ngày Chiến thắng"),
    (5, 1): ("d", "Ngày Quốc tế lao động"),
    (9, 2): ("đ", "Quốc khánh"),
}
# Điều 112.1.e: Giỗ Tổ Hùng Vương, 10 tháng 3 âm lịch.
FIXED_LUNAR: dict[tuple[int, int], tuple[str, str]] = {
    (3, 10): ("e", "Giỗ Tổ Hùng Vương"),
}

# Days the ``holidays`` package gives as public holidays although no legal text makes them
# days off yet. 24/11, Ngày Văn hóa Việt Nam: Nghị quyết 80-NQ/TW of the Politburo made it a
# paid day off as a policy, to be enacted by amending Bộ luật Lao động 2019 Điều 112; until a
# legal text is recorded (an override with its reference), it is a working day.
PENDING: dict[tuple[int, int], str] = {
    (11, 24): "Ngày Văn hóa Việt Nam (NQ 80-NQ/TW): chưa là ngày nghỉ, chờ sửa đổi Điều 112 "
    "Bộ luật Lao động; chỉ nghỉ khi có văn bản được ghi vào lịch điều chỉnh",
}
PENDING_FROM_YEAR = 2026


def pending_reason(day: date) -> str | None:
    """Why a day the ``holidays`` package lists is not (yet) a day off, or None."""
    if day.year < PENDING_FROM_YEAR:
        return None
    return PENDING.get((day.month, day.day))


def _code(day: date) -> tuple[str, date, str, str] | None:
    """(code, its date, the article on fixed days, the article on compensatory days)."""
    if day >= LABOUR_CODE_2019_FROM:
        return LABOUR_CODE_2019, LABOUR_CODE_2019_ISSUED, "Điều 112.1", "Điều 111.3"
    if day >= LABOUR_CODE_2012_FROM:
        return LABOUR_CODE_2012, LABOUR_CODE_2012_ISSUED, "Điều 115.1", "Điều 115"
    return None


def fixed_holiday(day: date) -> str | None:
    """The point of the Labour Code's list that makes ``day`` a fixed holiday, or None."""
    point = FIXED_SOLAR.get((day.month, day.day))
    if point is None:
        lunar = to_lunar(day)
        if not lunar.leap:
            point = FIXED_LUNAR.get((lunar.month, lunar.day))
    if point is None:
        return None
    letter, _name = point
    return letter


def statutory_reference(day: date, off_days: Collection[date]) -> LegalReference | None:
    """The built-in legal basis of ``day`` as a day off, or None if the law alone does not
    make it one (Tết, the day next to 2/9, swaps: those need the year's text).

    ``off_days`` is the set of days off around ``day`` (used to place compensatory days).
    """
    code = _code(day)
    if code is None:
        return None
    text, issued, fixed_article, compensatory_article = code
    letter = fixed_holiday(day)
    if letter is not None:
        return LegalReference(f"{text}, {fixed_article}.{letter}", issued)
    if day.weekday() < 5 and day in compensatory_days(day, off_days):
        # BLLĐ 2019 Điều 111.3: a holiday of Điều 112.1 on the weekly day of rest is
        # compensated on the next working day.
        return LegalReference(f"{text}, {compensatory_article} (nghỉ bù)", issued)
    return None


def compensatory_days(day: date, off_days: Collection[date]) -> set[date]:
    """The compensatory days due for fixed holidays on a weekend in the weeks around
    ``day``: each such holiday moves to the next weekday that is neither a fixed holiday
    nor already a compensatory day."""
    out: set[date] = set()
    start = day - timedelta(days=10)
    for i in range(11):
        holiday = start + timedelta(days=i)
        if holiday.weekday() < 5 or fixed_holiday(holiday) is None:
            continue
        if _code(holiday) is None:
            continue
        candidate = holiday + timedelta(days=1)
        while candidate.weekday() >= 5 or fixed_holiday(candidate) is not None or candidate in out:
            candidate += timedelta(days=1)
        # Attributed only where the calendar does give that day off.
        if candidate in off_days:
            out.add(candidate)
    return out
