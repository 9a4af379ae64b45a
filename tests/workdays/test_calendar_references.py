"""Each day off and make-up day with its legal reference, or flagged (issue 14, calendar)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from holidays.calendars.chinese import VIETNAMESE_CALENDAR, _ChineseLunisolar

from motcua.cli import main
from motcua.workdays.calendar import WorkCalendar, get_calendar
from motcua.workdays.clock import due_at
from motcua.workdays.lunar import lunar_label, to_lunar
from motcua.workdays.models import CalendarOverride
from motcua.workdays.services import calendar_override_save

VN = timezone(timedelta(hours=7))
CULTURE_DAY = date(2026, 11, 24)


def list_year(
    year: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> dict[str, str]:
    """``motcua calendar list --year``: {"d/m/yyyy": the line}."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["calendar", "list", "--year", str(year)]) == 0
    out = capsys.readouterr().out
    return {line.split()[0]: line for line in out.splitlines() if line[:1].isdigit()}


# --- labels -------------------------------------------------------------------------------


def test_the_day_before_new_years_eve_2025_is_the_28th_of_the_twelfth_month(
    calendar: WorkCalendar,
) -> None:
    # The twelfth month of Giáp Thìn had 29 days: 27/1/2025 is its 28th day, not "29 Tết".
    assert lunar_label(date(2025, 1, 27)) == "28 tháng Chạp"
    assert calendar.info(date(2025, 1, 27)).label == "Tết Nguyên Đán (28 tháng Chạp)"
    assert calendar.info(date(2025, 1, 28)).label == "Tết Nguyên Đán (29 tháng Chạp)"
    assert calendar.info(date(2025, 1, 29)).label == "Tết Nguyên Đán (Mùng 1 tháng Giêng)"
    # 2024: a 30-day twelfth month, 8/2/2024 is its 29th.
    assert calendar.info(date(2024, 2, 8)).label == "Tết Nguyên Đán (29 tháng Chạp)"


def test_lunar_conversion_agrees_with_the_holidays_package_over_150_years() -> None:
    table = _ChineseLunisolar(VIETNAMESE_CALENDAR)
    for year in range(1950, 2101):
        new_year, _ = table.lunar_new_year_date(year)
        hung_kings, _ = table.hung_kings_date(year)
        assert new_year is not None and hung_kings is not None, year
        assert (to_lunar(new_year).day, to_lunar(new_year).month) == (1, 1), year
        assert to_lunar(new_year - timedelta(days=1)).month == 12, year
        assert to_lunar(hung_kings) == to_lunar(hung_kings).__class__(10, 3, year), year
    # Published dates (UTC+7 differs from the Chinese calendar in 2007: 17/2 vs 18/2).
    assert to_lunar(date(2007, 2, 17)).label() == "Mùng 1 tháng Giêng"
    assert lunar_label(date(2026, 2, 14)) == "27 tháng Chạp"
    assert lunar_label(date(2026, 2, 22)) == "Mùng 6 tháng Giêng"
    assert to_lunar(date(2023, 4, 1)).leap  # 2023 had a leap second month
    assert lunar_label(date(2023, 4, 1)) == "11 tháng Hai nhuận"


# --- references without a database ----------------------------------------------------------


def test_fixed_holidays_cite_the_labour_code_and_yearly_days_are_flagged(
    calendar: WorkCalendar,
) -> None:
    new_year = calendar.info(date(2026, 1, 1))
    assert "45/2019/QH14" in new_year.reference and "Điều 112.1.a" in new_year.reference
    assert "Điều 112.1.e" in calendar.info(date(2025, 4, 7)).reference  # Giỗ Tổ, 10/3 lunar
    # Giỗ Tổ 2026 on Sunday 26/4: Monday 27/4 off by Điều 111.3.
    assert "Điều 111.3" in calendar.info(date(2026, 4, 27)).reference
    assert not calendar.info(date(2026, 4, 27)).unconfirmed
    # Tết and the day next to 2/9 are chosen each year (Điều 112.3): without the year's text
    # recorded, only the holidays package says so.
    for day in (date(2026, 2, 16), date(2026, 2, 20), date(2026, 9, 1)):
        info = calendar.info(day)
        assert not info.working and info.unconfirmed and info.reference == "", day
    # A holiday on a weekend changes nothing: not flagged.
    assert not calendar.info(date(2025, 2, 1)).unconfirmed
    seeded = calendar.info(date(2026, 1, 2))
    assert "12729/VPCP-KGVX" in seeded.reference
    assert seeded.reference_date == date(2025, 12, 25)


def test_culture_day_is_a_working_day_unless_a_text_is_recorded() -> None:
    bare = WorkCalendar([])
    # The holidays package lists 24/11/2026; NQ 80-NQ/TW is not yet a legal text.
    import holidays

    assert CULTURE_DAY in holidays.country_holidays("VN", years=2026)
    assert bare.is_working_day(CULTURE_DAY)
    assert bare.info(CULTURE_DAY).kind == "pending"
    # Monday 23/11 + 1 working day: Tuesday 24/11.
    assert bare.add_working_days(date(2026, 11, 23), 1) == CULTURE_DAY


# --- the installation: CLI and admin --------------------------------------------------------


@pytest.mark.django_db
def test_cli_list_2026_gives_every_day_a_reference_or_the_flag(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = list_year(2026, monkeypatch, capsys)
    assert lines, "no day listed"
    for day, line in lines.items():
        if day == "24/11/2026":
            continue
        assert ("Căn cứ: " in line) != ("chưa có căn cứ — cần xác nhận" in line), line
    assert "Điều 112.1.a" in lines["1/1/2026"]
    assert "12729/VPCP-KGVX" in lines["2/1/2026"] and "ngày 25/12/2025" in lines["2/1/2026"]
    assert "12729/VPCP-KGVX" in lines["10/1/2026"] and "làm việc" in lines["10/1/2026"]
    assert "chưa có căn cứ — cần xác nhận" in lines["16/2/2026"]
    assert "Tết Nguyên Đán (29 tháng Chạp)" in lines["16/2/2026"]
    assert "chưa có căn cứ — cần xác nhận" in lines["22/8/2026"]
    assert "Điều 111.3" in lines["27/4/2026"]
    culture = lines["24/11/2026"]
    assert "làm việc" in culture and "NQ 80-NQ/TW" in culture


@pytest.mark.django_db
def test_cli_list_2025_labels_the_28th_of_the_twelfth_month(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = list_year(2025, monkeypatch, capsys)
    assert "Tết Nguyên Đán (28 tháng Chạp)" in lines["27/1/2025"]
    assert "29 Tết" not in "".join(lines.values())
    assert "8726/VPCP-KGVX" in lines["27/1/2025"]


@pytest.mark.django_db
def test_culture_day_becomes_a_day_off_with_an_override_and_shows_its_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    received = datetime(2026, 11, 23, 9, tzinfo=VN)  # Monday
    assert due_at(received, 1, "working_days", cutoff=True, calendar=get_calendar()) == (
        datetime(2026, 11, 24, 17, tzinfo=VN)
    )
    calendar_override_save(
        day=CULTURE_DAY,
        kind="off",
        legal_reference="Nghị định 1/2026/NĐ-CP (thử)",
        legal_reference_date=date(2026, 10, 1),
    )
    calendar = get_calendar()
    assert not calendar.is_working_day(CULTURE_DAY)
    assert due_at(received, 1, "working_days", cutoff=True, calendar=calendar) == (
        datetime(2026, 11, 25, 17, tzinfo=VN)
    )
    line = list_year(2026, monkeypatch, capsys)["24/11/2026"]
    assert "nghỉ" in line and "Căn cứ: Nghị định 1/2026/NĐ-CP (thử) ngày 1/10/2026" in line


@pytest.mark.django_db
def test_recording_the_text_of_a_flagged_day_confirms_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calendar_override_save(
        day=date(2026, 2, 16), kind="off", legal_reference="Thông báo 1/TB-BNV (thử)"
    )
    lines = list_year(2026, monkeypatch, capsys)
    assert "Căn cứ: Thông báo 1/TB-BNV (thử)" in lines["16/2/2026"]
    assert "Tết Nguyên Đán (29 tháng Chạp)" in lines["16/2/2026"]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["calendar", "list", "--year", "2026", "--unconfirmed"]) == 0
    out = capsys.readouterr().out
    assert "16/2/2026" not in out and "17/2/2026" in out and "1/1/2026" not in out


@pytest.mark.django_db
def test_admin_shows_references_and_the_days_to_confirm(
    client: Client, django_user_model: type[User]
) -> None:
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    with time_machine.travel(datetime(2026, 1, 15, 9, tzinfo=VN)):
        page = client.get("/quan-tri/workdays/calendaroverride/").content.decode()
    section = page[page.index('id="unconfirmed-days"') :]
    assert "16/02/2026" in section and "date=2026-02-16" in section  # Tết: no row, a form
    assert "/quan-tri/workdays/calendaroverride/" in section  # 31/8: its row to complete
    assert "12729/VPCP-KGVX" in page and "ngày 25/12/2025" in page
    assert "chưa có căn cứ — cần xác nhận" in page
    flagged = client.get("/quan-tri/workdays/calendaroverride/?can_cu=chua").content.decode()
    assert "12729/VPCP-KGVX" not in flagged
    assert CalendarOverride.objects.filter(legal_reference="").count() == 2
    # An unconfirmed day without a row links to a filled-in form.
    response = client.post(
        "/quan-tri/workdays/calendaroverride/add/",
        {
            "date": "2027-02-05",
            "kind": "off",
            "legal_reference": "Thông báo 2/TB-BNV (thử)",
            "legal_reference_date": "2026-11-20",
            "note": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    row = CalendarOverride.objects.get(date=date(2027, 2, 5))
    assert row.legal_reference_date == date(2026, 11, 20)
