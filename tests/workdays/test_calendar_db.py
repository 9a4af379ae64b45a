"""The installation's calendar: seeded overrides, cache invalidation, admin, CLI."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from django.contrib.auth.models import User
from django.test import Client

from motcua.cli import main
from motcua.workdays.calendar import get_calendar
from motcua.workdays.clock import due_at
from motcua.workdays.models import CalendarOverride
from motcua.workdays.services import calendar_override_delete, calendar_override_save

VN = timezone(timedelta(hours=7))
pytestmark = pytest.mark.django_db


def test_seeded_overrides_are_in_the_database_with_references() -> None:
    row = CalendarOverride.objects.get(date=date(2026, 1, 2))
    assert row.kind == "off" and "12729/VPCP-KGVX" in row.legal_reference
    assert CalendarOverride.objects.get(date=date(2026, 1, 10)).kind == "working"
    assert row.legal_reference_date == date(2025, 12, 25)
    # The only rows without a text are the 2026 Quốc khánh swap, seeded from the holidays
    # package's schedule: flagged for the administrator, still in the calendar.
    assert set(
        CalendarOverride.objects.filter(legal_reference="").values_list("date", flat=True)
    ) == {date(2026, 8, 22), date(2026, 8, 31)}
    calendar = get_calendar()
    assert not calendar.is_working_day(date(2026, 1, 2))
    assert calendar.is_working_day(date(2026, 1, 10))


def test_saving_and_deleting_an_override_changes_the_calendar() -> None:
    received = datetime(2023, 6, 14, 9, tzinfo=VN)  # Wednesday
    assert due_at(received, 1, "working_days", cutoff=True, calendar=get_calendar()) == (
        datetime(2023, 6, 15, 17, tzinfo=VN)
    )
    override = calendar_override_save(
        day=date(2023, 6, 15), kind="off", legal_reference="Quyết định 1/QĐ-UBND (thử)"
    )
    calendar = get_calendar()
    assert calendar.reason_off(date(2023, 6, 15)) == "Quyết định 1/QĐ-UBND (thử)"
    assert due_at(received, 1, "working_days", cutoff=True, calendar=calendar) == (
        datetime(2023, 6, 16, 17, tzinfo=VN)
    )
    calendar_override_delete(override=override)
    assert get_calendar().is_working_day(date(2023, 6, 15))


def test_an_override_needs_a_legal_reference() -> None:
    with pytest.raises(ValueError, match="căn cứ"):
        calendar_override_save(day=date(2023, 6, 15), kind="off", legal_reference=" ")


def test_admin_edit_invalidates_the_calendar(client: Client, django_user_model: type[User]) -> None:
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", "pw")
    client.force_login(admin)
    get_calendar()
    response = client.post(
        "/quan-tri/workdays/calendaroverride/add/",
        {
            "date": "2023-06-17",
            "kind": "working",
            "legal_reference": "Công văn làm bù (thử)",
            "note": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert get_calendar().is_working_day(date(2023, 6, 17))
    page = client.get("/quan-tri/workdays/calendaroverride/")
    assert "Công văn làm bù (thử)" in page.content.decode()


def run_cli(
    argv: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stdin: str = "",
) -> tuple[int, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    return code, capsys.readouterr().out


def test_cli_due_answers_each_line_in_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cases = [
        {"received_at": "2022-08-29T10:00:00+07:00", "duration": 3, "unit": "working_days"},
        {
            "received_at": "2022-08-31T15:30:00+07:00",
            "duration": 3,
            "unit": "working_days",
            "cutoff": True,
        },
        # 08:30 UTC is 15:30 in Hà Nội; with the cut-off off it stays on 31/8.
        {
            "received_at": "2022-08-31T08:30:00Z",
            "duration": 3,
            "unit": "working_days",
            "cutoff": False,
        },
        {"received_at": "2022-08-29T07:00:00+07:00", "duration": 4.5, "unit": "working_hours"},
        {"received_at": "2025-12-31T09:00:00+07:00", "duration": 2, "unit": "calendar_days"},
    ]
    code, out = run_cli(
        ["calendar", "due"], monkeypatch, capsys, "\n".join(json.dumps(c) for c in cases) + "\n"
    )
    assert code == 0
    assert out.splitlines() == [
        '{"due_at": "2022-09-05T17:00:00+07:00"}',
        '{"due_at": "2022-09-08T17:00:00+07:00"}',
        '{"due_at": "2022-09-07T17:00:00+07:00"}',
        '{"due_at": "2022-08-29T11:30:00+07:00"}',
        '{"due_at": "2026-01-05T17:00:00+07:00"}',
    ]


def test_cli_due_reports_a_bad_line_in_place_and_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        '{"received_at": "2022-08-29T10:00:00+07:00", "duration": 3, "unit": "working_days"}',
        '{"received_at": "2022-08-29T10:00:00", "duration": 3, "unit": "working_days"}',
        '{"received_at": "2022-08-29T10:00:00+07:00", "duration": -1, "unit": "working_days"}',
        '{"received_at": "2022-08-29T10:00:00+07:00", "duration": 3, "unit": "weeks"}',
        '{"received_at": "2022-08-29T10:00:00+07:00", "unit": "working_days"}',
        "not json",
        '{"received_at": "1900-01-01T10:00:00+07:00", "duration": 1, "unit": "working_days"}',
        '{"received_at": "2022-08-29T10:00:00+07:00", "duration": 1e7, "unit": "working_days"}',
        '{"received_at": "2022-08-29T10:00:00+07:00", "duration": 1, "unit": "working_days", '
        '"cutoff": "yes"}',
        '{"received_at": "2022-08-29T10:00:00+07:00", "duration": 1, "unit": "working_days"}',
    ]
    code, out = run_cli(["calendar", "due"], monkeypatch, capsys, "\n".join(lines))
    assert code != 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(lines)
    assert rows[0] == {"due_at": "2022-09-05T17:00:00+07:00"}
    assert rows[1]["error"].startswith("line 2: received_at:")
    assert rows[2]["error"].startswith("line 3: duration:")
    assert rows[3]["error"].startswith("line 4: unit:")
    assert rows[4]["error"] == "line 5: duration: missing"
    assert rows[5]["error"].startswith("line 6: json:")
    assert rows[6]["error"].startswith("line 7: received_at: outside the calendar's range")
    assert rows[7]["error"].startswith("line 8: duration: outside the calendar's range")
    assert rows[8]["error"].startswith("line 9: cutoff:")
    assert rows[9] == {"due_at": "2022-08-30T17:00:00+07:00"}


def test_cli_explain_and_list(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_cli(
        [
            "calendar",
            "explain",
            "--received",
            "2022-08-31T15:30:00+07:00",
            "--duration",
            "3",
            "--unit",
            "working_days",
        ],
        monkeypatch,
        capsys,
    )
    assert code == 0
    assert "Hạn giải quyết: 17:00 Thứ Năm 8/9/2022." in out
    code, out = run_cli(["calendar", "list", "--year", "2026"], monkeypatch, capsys)
    assert code == 0
    assert "2/1/2026" in out and "12729/VPCP-KGVX" in out
    assert "10/1/2026   Thứ Bảy   làm việc" in out


def test_cli_explain_refuses_a_naive_time(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code = main(
        ["calendar", "explain", "--received", "2022-08-31T15:30", "--duration", "3", "--unit",
         "working_days"]
    )  # fmt: skip
    assert code == 2
    assert "--received" in capsys.readouterr().err
