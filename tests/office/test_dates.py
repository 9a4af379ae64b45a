"""Dates and times on staff pages: local time (Asia/Ho_Chi_Minh), Vietnamese style
(domain.md §11: ``31/8/2022``), never ISO text."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from .conftest import World, login

pytestmark = pytest.mark.django_db

ZONE = dt.timezone(dt.timedelta(hours=7))


def test_due_explanation_shows_the_restart_and_days_in_local_vietnamese_style(
    world: World,
) -> None:
    # 20:30 UTC on 26/11 is 03:30 on 27/11 in Hà Nội: the UTC text showed the wrong day.
    dossier = world.dossier(
        due_explanation={
            "duration": "15",
            "unit": "working_days",
            "restart_reason": "Tính lại từ khi nhận đủ hồ sơ bổ sung",
            "restarted_at": "2026-11-26T20:30:00+00:00",
            "deemed_receipt_day": "2026-11-27",
            "days": [
                {"date": "2026-11-27", "weekday": "Thứ Sáu", "counted": True, "number": 1},
                {"date": "2026-11-28", "weekday": "Thứ Bảy", "counted": False, "reason": "x"},
            ],
        }
    )
    page = login(Client(), world.leader).get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "(03:30 27/11/2026)" in page
    assert "ngày tiếp nhận được tính: 27/11/2026" in page
    assert "<td>28/11/2026</td>" in page
    assert "2026-11-2" not in page


def test_register_date_boxes_hold_the_period_listed(world: World) -> None:
    """The register's boxes say the dates its sentence says: the defaults (the month so
    far), a half-given period completed, and an invalid one left as typed with its error."""
    client = login(Client(), world.clerk)
    with time_machine.travel(dt.datetime(2026, 12, 7, 9, tzinfo=ZONE), tick=False):
        page = client.get("/can-bo/quay/so-theo-doi/").content.decode()
        half = client.get("/can-bo/quay/so-theo-doi/?date_from=2026-11-15").content.decode()
        wrong = client.get("/can-bo/quay/so-theo-doi/?date_from=2026-13-01").content.decode()
    assert "từ 1/12/2026 đến 7/12/2026" in page
    assert re.search(r'name="date_from" value="2026-12-01"', page)
    assert re.search(r'name="date_to" value="2026-12-07"', page)
    assert "từ 15/11/2026 đến 7/12/2026" in half
    assert 'name="date_from" value="2026-11-15"' in half
    assert 'name="date_to" value="2026-12-07"' in half
    assert 'value="2026-13-01"' in wrong
