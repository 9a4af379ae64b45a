"""How a due date was computed, as stored JSON and as text for people."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from motcua.workdays.calendar import WorkCalendar
from motcua.workdays.clock import due_at, explain

VN = timezone(timedelta(hours=7))


def test_explanation_lists_skipped_days_with_reasons(calendar: WorkCalendar) -> None:
    received = datetime(2022, 8, 31, 15, 30, tzinfo=VN)
    result = explain(received, 3, "working_days", cutoff=True, calendar=calendar)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["deemed_receipt_day"] == "2022-09-05"
    assert data["deemed_kind"] == "cutoff"
    assert data["due_at"] == "2022-09-08T17:00:00+07:00"
    by_date = {d["date"]: d for d in data["days"]}
    assert by_date["2022-08-31"]["kind"] == "cutoff" and not by_date["2022-08-31"]["counted"]
    assert by_date["2022-09-01"]["reason"] == "Quốc khánh"
    assert by_date["2022-09-03"]["reason"] == "Thứ Bảy"
    assert by_date["2022-09-04"]["reason"] == "Chủ nhật"
    assert not by_date["2022-09-05"]["counted"]  # the deemed day itself is not counted
    assert [d["number"] for d in data["days"] if d["counted"]] == [1, 2, 3]
    assert [d["date"] for d in data["days"] if d["counted"]][-1] == "2022-09-08"
    text = result.as_text()
    assert "Ngày tiếp nhận được tính: 5/9/2022" in text
    assert "Thứ Năm 1/9/2022: không tính (Quốc khánh)" in text
    assert "Hạn giải quyết: 17:00 Thứ Năm 8/9/2022." in text
    assert "Due: 2022-09-08T17:00:00+07:00." in result.as_text("en")


def test_explanation_cites_the_override_reference(calendar: WorkCalendar) -> None:
    received = datetime(2025, 12, 31, 9, 0, tzinfo=VN)
    result = explain(received, 2, "working_days", cutoff=True, calendar=calendar)
    reasons = {d["date"]: d["reason"] for d in result.as_dict()["days"]}
    assert "12729/VPCP-KGVX" in reasons["2026-01-02"]
    assert (
        result.due_at
        == due_at(received, 2, "working_days", cutoff=True, calendar=calendar)
        == datetime(2026, 1, 6, 17, tzinfo=VN)
    )


def test_explanation_of_a_receipt_on_a_holiday(calendar: WorkCalendar) -> None:
    result = explain(
        datetime(2022, 9, 2, 9, tzinfo=VN), 1, "calendar_days", cutoff=False, calendar=calendar
    )
    data = result.as_dict()
    assert data["deemed_kind"] == "day_off"
    assert data["deemed_receipt_day"] == "2022-09-05"
    assert data["due_at"] == "2022-09-06T17:00:00+07:00"
    assert "Quốc khánh" in data["deemed_reason"]


def test_explanation_of_working_hours_counts_hours_per_day(calendar: WorkCalendar) -> None:
    result = explain(
        datetime(2022, 8, 31, 16, tzinfo=VN), 4, "working_hours", cutoff=True, calendar=calendar
    )
    data = result.as_dict()
    assert data["due_at"] == "2022-09-05T10:00:00+07:00"
    counted = {d["date"]: d["hours"] for d in data["days"] if d["counted"]}
    assert counted == {"2022-08-31": "1", "2022-09-05": "3"}
    assert "không tính (Quốc khánh)" in result.as_text()


def test_explanation_of_calendar_days_moved_off_a_holiday(calendar: WorkCalendar) -> None:
    result = explain(
        datetime(2022, 8, 29, 10, tzinfo=VN), 3, "calendar_days", cutoff=True, calendar=calendar
    )
    days = {d["date"]: d for d in result.as_dict()["days"]}
    assert days["2022-09-01"]["counted"] and days["2022-09-01"]["number"] == 3
    assert not days["2022-09-02"]["counted"] and days["2022-09-02"]["reason"] == "Quốc khánh"
    assert days["2022-09-05"]["counted"] and days["2022-09-05"]["number"] is None
    assert result.due_at == datetime(2022, 9, 5, 17, tzinfo=VN)


def test_explanation_of_zero_days(calendar: WorkCalendar) -> None:
    result = explain(
        datetime(2022, 8, 29, 10, tzinfo=VN), 0, "working_days", cutoff=True, calendar=calendar
    )
    data = result.as_dict()
    assert [d["date"] for d in data["days"]] == ["2022-08-29"]
    assert data["due_at"] == "2022-08-29T17:00:00+07:00"
