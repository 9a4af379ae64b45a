"""The staff inbox on a 360 px phone: no sideways scrolling, every tab and menu entry in
sight, each dossier's due date and status on screen; and the error pages in the layout."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.office.conftest import World

from .conftest import shot
from .test_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inbox_fits_a_phone(world: World, new_page: Any) -> None:
    for days in (-2, 1, 6):
        world.dossier(due_at=timezone.now() + dt.timedelta(days=days))
    page = new_page(360, 740)
    log_in(page, "manager")
    shot(page, "office-inbox-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for link in page.locator(".tabs a, .site-nav a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    for cell in page.locator(".inbox-table td.due, .inbox-table td.status").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 360
    page.goto("/can-bo/ho-so/KHONG-CO/")
    page.get_by_role("heading", name="Không tìm thấy trang hoặc hồ sơ").wait_for()
    shot(page, "office-404-360")


def test_inbox_on_a_desktop_keeps_the_table(world: World, new_page: Any) -> None:
    world.dossier()
    page = new_page()
    log_in(page, "manager")
    assert page.locator(".inbox-table thead th").first.is_visible()
    shot(page, "office-inbox-desktop")


def test_audit_trail_reads_as_names_and_labels(world: World, new_page: Any) -> None:
    world.auditor.last_name, world.auditor.first_name = "Lê Thị", "Hoa"
    world.auditor.save()
    dossier = world.dossier()
    page = new_page()
    log_in(page, "auditor")
    page.goto(f"/can-bo/ho-so/{dossier.code}/")
    page.goto("/can-bo/nhat-ky/")
    page.get_by_label("Hành động").select_option(label="Xem hồ sơ")
    page.get_by_role("button", name="Tìm").click()
    row = page.locator("tbody tr").first
    row.get_by_text("Lê Thị Hoa").wait_for()
    assert row.get_by_text("Xem hồ sơ").is_visible()
    shot(page, "office-audit-desktop")
