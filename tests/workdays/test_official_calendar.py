"""The calendar against the official schedules for civil servants, 2021–2026.

Each year's table lists every weekday off and every make-up Saturday as announced
(Bộ luật Lao động 2019 Điều 111–112 plus the Government's yearly schedules), so any gap
in ``holidays`` VN or in the seeded overrides shows up as a failing year.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from motcua.workdays.calendar import WorkCalendar


def d(text: str) -> date:
    day, month, year = (int(x) for x in text.split("/"))
    return date(year, month, day)


# year: (weekdays off, weekend days worked)
OFFICIAL: dict[int, tuple[list[str], list[str]]] = {
    2021: (
        [
            "1/1/2021",
            "10/2/2021", "11/2/2021", "12/2/2021", "15/2/2021", "16/2/2021",  # Tết Tân Sửu
            "21/4/2021",
            "30/4/2021", "3/5/2021",  # 1/5 on Saturday: compensatory Monday
            "2/9/2021", "3/9/2021",  # first year with the adjacent day (BLLĐ 2019 Điều 112)
        ],
        [],
    ),
    2022: (
        [
            "3/1/2022",  # 1/1 fell on Saturday: compensatory Monday (Điều 111.3)
            "31/1/2022", "1/2/2022", "2/2/2022", "3/2/2022", "4/2/2022",  # Tết Nhâm Dần
            "11/4/2022",  # Giỗ Tổ on Sunday 10/4
            "2/5/2022", "3/5/2022",  # 30/4 and 1/5 on the weekend
            "1/9/2022", "2/9/2022",  # Quốc khánh + adjacent day
        ],
        [],
    ),
    2023: (
        [
            "2/1/2023",
            "20/1/2023", "23/1/2023", "24/1/2023", "25/1/2023", "26/1/2023",  # Tết Quý Mão
            "1/5/2023", "2/5/2023", "3/5/2023",  # Giỗ Tổ 29/4 Sat, 30/4 Sun compensated
            "1/9/2023", "4/9/2023",  # 2/9 Saturday: adjacent Friday + compensatory Monday
        ],
        [],
    ),
    2024: (
        [
            "1/1/2024",
            "8/2/2024", "9/2/2024", "12/2/2024", "13/2/2024", "14/2/2024",  # Tết Giáp Thìn
            "18/4/2024",
            "29/4/2024", "30/4/2024", "1/5/2024",  # 29/4 swapped with Saturday 4/5
            "2/9/2024", "3/9/2024",
        ],
        ["4/5/2024"],
    ),
    2025: (
        [
            "1/1/2025",
            "27/1/2025", "28/1/2025", "29/1/2025", "30/1/2025", "31/1/2025",  # Tết Ất Tỵ
            "7/4/2025",
            "30/4/2025", "1/5/2025", "2/5/2025",  # 2/5 swapped with Saturday 26/4
            "1/9/2025", "2/9/2025",
        ],
        ["26/4/2025"],
    ),
    2026: (
        [
            "1/1/2026", "2/1/2026",  # 2/1 swapped with Saturday 10/1 (12729/VPCP-KGVX)
            "16/2/2026", "17/2/2026", "18/2/2026", "19/2/2026", "20/2/2026",  # Tết Bính Ngọ
            "27/4/2026",  # Giỗ Tổ on Sunday 26/4
            "30/4/2026", "1/5/2026",
            "31/8/2026", "1/9/2026", "2/9/2026",
            # 24/11/2026, Ngày Văn hóa Việt Nam, is not a day off without a legal text
            # (NQ 80-NQ/TW awaits an amendment of Điều 112): see test_calendar_references.
        ],
        ["10/1/2026", "22/8/2026"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(OFFICIAL))
def test_days_off_and_makeup_days_match_the_official_schedule(
    calendar: WorkCalendar, year: int
) -> None:
    days_off, worked = OFFICIAL[year]
    expected_off = {d(x) for x in days_off}
    expected_worked = {d(x) for x in worked}
    day = date(year, 1, 1)
    actual_off, actual_worked = set(), set()
    while day.year == year:
        working = calendar.is_working_day(day)
        if day.weekday() < 5 and not working:
            actual_off.add(day)
        if day.weekday() >= 5 and working:
            actual_worked.add(day)
        day += timedelta(days=1)
    assert actual_off == expected_off
    assert actual_worked == expected_worked


def test_reasons_name_the_weekend_the_holiday_and_the_override(calendar: WorkCalendar) -> None:
    assert calendar.reason_off(d("3/9/2022")) == "Thứ Bảy"
    assert calendar.reason_off(d("4/9/2022")) == "Chủ nhật"
    assert calendar.reason_off(d("2/9/2022")) == "Quốc khánh"
    assert calendar.reason_off(d("1/2/2022")) == "Tết Nguyên Đán (Mùng 1 tháng Giêng)"
    assert "12729/VPCP-KGVX" in (calendar.reason_off(d("2/1/2026")) or "")
    assert calendar.reason_off(d("10/1/2026")) is None
    assert calendar.reason_off(d("30/8/2022")) is None


def test_new_year_2026_swap_moves_due_dates(calendar: WorkCalendar) -> None:
    # Wednesday 31/12/2025 + 1 working day: 1/1 holiday, 2/1 off, weekend -> Monday 5/1.
    assert calendar.add_working_days(d("31/12/2025"), 1) == d("5/1/2026")
    # From Friday 9/1: Saturday 10/1 is worked.
    assert calendar.add_working_days(d("9/1/2026"), 1) == d("10/1/2026")


def test_without_the_override_holidays_alone_misses_the_2026_swap() -> None:
    bare = WorkCalendar([])
    assert bare.is_working_day(d("2/1/2026"))
    assert not bare.is_working_day(d("10/1/2026"))


def test_calendar_grows_beyond_its_initial_years() -> None:
    small = WorkCalendar([], first_year=2022, last_year=2022)
    assert small.add_working_days(d("30/12/2022"), 1) == d("3/1/2023")
    assert not small.is_working_day(d("2/9/2030")) and small.is_working_day(d("4/1/2021"))
    with pytest.raises(ValueError):
        small.is_working_day(date(1900, 1, 1))
