"""The Vietnamese lunisolar calendar (âm lịch), for the labels of days off.

Tết and Giỗ Tổ Hùng Vương are lunar dates, and a day off is named by its lunar date
("28 tháng Chạp", "Mùng 2 tháng Giêng"). The ``holidays`` package finds the lunar new year
but names the days around it by counting from it ("29 Tết" for the day before the eve even
when the twelfth month has 29 days, as in 2025), so the label is computed here.

This is Hồ Ngọc Đức's published algorithm: new moons and the sun's longitude from
Jean Meeus' "Astronomical Algorithms" (truncated series, good to minutes over 1800–2199),
reckoned at UTC+7, the meridian of the Vietnamese calendar (it differs from the Chinese one,
at UTC+8, in a few years such as 1985 and 2007). Tests check it against the lunar new year
and Giỗ Tổ dates of ``holidays`` (an independent table) over a century.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

TIME_ZONE = 7.0  # hours east of UTC

MONTH_NAMES = (
    "Giêng",
    "Hai",
    "Ba",
    "Tư",
    "Năm",
    "Sáu",
    "Bảy",
    "Tám",
    "Chín",
    "Mười",
    "Một",  # the 11th month, "tháng Một"
    "Chạp",
)


@dataclass(frozen=True)
class LunarDate:
    day: int
    month: int
    year: int
    leap: bool = False

    def label(self) -> str:
        """``"28 tháng Chạp"``, ``"Mùng 1 tháng Giêng"``, ``"10 tháng Ba nhuận"``."""
        day = f"Mùng {self.day}" if self.day <= 10 else str(self.day)
        leap = " nhuận" if self.leap else ""
        return f"{day} tháng {MONTH_NAMES[self.month - 1]}{leap}"


def _jd(day: date) -> int:
    """Julian day number of a Gregorian date."""
    return day.toordinal() + 1721425


def _new_moon_day(k: int) -> int:
    """Julian day (local) of the k-th new moon after 1/1/1900."""
    t = k / 1236.85
    t2, t3 = t * t, t * t * t
    dr = math.pi / 180
    jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    jd1 += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
    m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
    mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
    f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
    c1 = (0.1734 - 0.000393 * t) * math.sin(m * dr) + 0.0021 * math.sin(2 * dr * m)
    c1 = c1 - 0.4068 * math.sin(mpr * dr) + 0.0161 * math.sin(dr * 2 * mpr)
    c1 = c1 - 0.0004 * math.sin(dr * 3 * mpr)
    c1 = c1 + 0.0104 * math.sin(dr * 2 * f) - 0.0051 * math.sin(dr * (m + mpr))
    c1 = c1 - 0.0074 * math.sin(dr * (m - mpr)) + 0.0004 * math.sin(dr * (2 * f + m))
    c1 = c1 - 0.0004 * math.sin(dr * (2 * f - m)) - 0.0006 * math.sin(dr * (2 * f + mpr))
    c1 = c1 + 0.0010 * math.sin(dr * (2 * f - mpr)) + 0.0005 * math.sin(dr * (2 * mpr + m))
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return math.floor(jd1 + c1 - delta_t + 0.5 + TIME_ZONE / 24)


def _sun_sector(jdn: int) -> int:
    """Which of the 12 thirty-degree sectors the sun is in at local midnight of ``jdn``."""
    t = (jdn - 2451545.5 - TIME_ZONE / 24) / 36525
    t2 = t * t
    dr = math.pi / 180
    m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
    l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(dr * m)
    dl += (0.019993 - 0.000101 * t) * math.sin(dr * 2 * m) + 0.000290 * math.sin(dr * 3 * m)
    longitude = (l0 + dl) * dr
    longitude -= 2 * math.pi * math.floor(longitude / (2 * math.pi))
    return math.floor(longitude / math.pi * 6)


@lru_cache(maxsize=512)
def _month11_start(year: int) -> int:
    """Julian day of the first day of the 11th lunar month (the one holding the winter
    solstice) that begins in Gregorian ``year``."""
    off = _jd(date(year, 12, 31)) - 2415021
    k = math.floor(off / 29.530588853)
    start = _new_moon_day(k)
    if _sun_sector(start) >= 9:
        start = _new_moon_day(k - 1)
    return start


def _leap_month_offset(month11: int) -> int:
    k = math.floor((month11 - 2415021.076998695) / 29.530588853 + 0.5)
    i = 1
    arc = _sun_sector(_new_moon_day(k + i))
    while True:
        last = arc
        i += 1
        arc = _sun_sector(_new_moon_day(k + i))
        if arc == last or i >= 14:
            break
    return i - 1


def to_lunar(day: date) -> LunarDate:
    """The Vietnamese lunar date of ``day``."""
    jdn = _jd(day)
    k = math.floor((jdn - 2415021.076998695) / 29.530588853)
    month_start = _new_moon_day(k + 1)
    if month_start > jdn:
        month_start = _new_moon_day(k)
    a11 = _month11_start(day.year)
    b11 = a11
    if a11 >= month_start:
        lunar_year = day.year
        a11 = _month11_start(day.year - 1)
    else:
        lunar_year = day.year + 1
        b11 = _month11_start(day.year + 1)
    lunar_day = jdn - month_start + 1
    diff = math.floor((month_start - a11) / 29)
    leap = False
    month = diff + 11
    if b11 - a11 > 365:  # a year of 13 months: one of them is the leap month
        leap_diff = _leap_month_offset(a11)
        if diff >= leap_diff:
            month = diff + 10
            leap = diff == leap_diff
    if month > 12:
        month -= 12
    if month >= 11 and diff < 4:
        lunar_year -= 1
    return LunarDate(lunar_day, month, lunar_year, leap)


def lunar_label(day: date) -> str:
    return to_lunar(day).label()
