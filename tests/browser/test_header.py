"""The public header on a 360 px phone: short, with the province, every menu entry in sight."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from motcua.agencies.contacts import agency_contact_save
from tests.portal.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    Portal,
    _fresh_cache,
    media,
    portal,
)
from tests.world import world  # noqa: F401 (the portal's world, not the office's)

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_header(page: Any, links: tuple[str, ...], name: str) -> None:
    shot(page, name)
    height = page.locator("header.site-header").bounding_box()["height"]
    assert height <= 90, height
    assert page.locator(".brand-province").inner_text() == "Đắk Nông"
    nav = page.locator(".site-nav")
    for name in links:
        box = nav.get_by_role("link", name=name, exact=True).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, name
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_phone_header_is_short_and_names_the_province(
    portal: Portal,  # noqa: F811
    new_page: Any,
) -> None:
    page = new_page(width=360, height=740)
    page.goto("/")
    links = ("Thủ tục", "Tra cứu hồ sơ", "Phản ánh, kiến nghị", "Đăng nhập")
    _check_header(page, links, "portal-header-visitor-360")
    # The provincial centre's hotline (agency contacts) fits on the province's line.
    agency_contact_save(agency=portal.world.center, values={"hotline": "1900 0000"})
    cache.clear()
    page.goto("/ca-nhan/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("an.nguyen@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/ca-nhan/ho-so/")
    assert page.locator("a.hotline").get_attribute("href") == "tel:19000000"
    _check_header(
        page,
        ("Thủ tục", "Tra cứu hồ sơ", "Phản ánh, kiến nghị", "Hồ sơ của tôi", "Kho giấy tờ"),
        "portal-header-citizen-360",
    )
    # On a desktop the full labels show.
    wide = new_page(width=1280, height=900)
    wide.goto("/")
    assert wide.locator(".site-nav").get_by_text("Tra cứu hồ sơ").is_visible()
