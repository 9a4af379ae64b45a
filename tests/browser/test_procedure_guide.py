"""The procedure page's guide on a phone (360 px): the blank form downloads, the steps,
conditions and fee read in order, and the place of submission gives its address, hours and a
phone link. Screenshot: tests/screenshots/portal-procedure-guide-360.png."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.agencies.contacts import agency_contact_save
from motcua.catalog.guides import FormInput, procedure_guide_save
from motcua.catalog.models import BlankFormType
from tests.portal.conftest import (  # noqa: F401 (fixtures)
    PDF,
    Portal,
    _fresh_cache,
    media,
    portal,
)
from tests.world import world  # noqa: F401 (the portal's world, not the office's)

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_guide_on_a_phone(portal: Portal, new_page: Any) -> None:  # noqa: F811
    procedure_guide_save(
        version=portal.building,
        conditions="Nhà ở riêng lẻ trong đô thị phải có giấy phép xây dựng trước khi khởi công.",
        steps=[
            "Tải và khai Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01).",
            "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công hoặc trực tuyến.",
            "Nhận giấy phép theo giấy hẹn.",
        ],
        forms=[
            FormInput(
                "Đơn đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ",
                "Mẫu số 01 Phụ lục II NĐ 15/2021/NĐ-CP",
                PDF,
                BlankFormType.PDF,
            )
        ],
    )
    agency_contact_save(
        agency=portal.world.center,
        values={
            "address": "Số 1 Trần Hưng Đạo, phường Nghĩa Đức, Gia Nghĩa",
            "opening_hours": "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00\nThứ Bảy: 7:30–11:30",
            "phone": "0261 3544 999",
            "map_url": "https://www.openstreetmap.org/?mlat=12.0&mlon=107.69",
        },
    )
    page = new_page(width=360, height=740)
    page.goto("/thu-tuc/1.009972/")
    form_link = page.get_by_role("link", name="Đơn đề nghị cấp giấy phép xây dựng nhà ở riêng lẻ")
    form_link.wait_for()
    assert page.get_by_role("heading", name="Trình tự thực hiện").is_visible()
    assert page.get_by_role("heading", name="Yêu cầu, điều kiện thực hiện").is_visible()
    assert page.get_by_text("1.250.000 đồng").count() == 1
    assert (
        page.get_by_role("link", name="0261 3544 999", exact=True).get_attribute("href")
        == "tel:02613544999"
    )
    assert page.get_by_text("Thứ Bảy: 7:30–11:30").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    shot(page, "portal-procedure-guide-360")

    with page.expect_download() as info:
        form_link.click()
    download = info.value
    assert download.suggested_filename == "mau-so-01-phu-luc-ii-nd-15-2021-nd-cp.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read() == PDF

    # The A4 board notice: the same guide on paper (A4's 210 mm at 96 dpi is 794 px).
    sheet = new_page(width=794, height=1123)
    sheet.goto("/thu-tuc/1.009972/in/")
    for heading in ("Trình tự thực hiện", "Yêu cầu, điều kiện thực hiện", "Mẫu đơn, tờ khai"):
        assert sheet.get_by_role("heading", name=heading).is_visible(), heading
    assert sheet.get_by_text("Mẫu số 01 Phụ lục II NĐ 15/2021/NĐ-CP").is_visible()
    assert sheet.get_by_text("Số 1 Trần Hưng Đạo, phường Nghĩa Đức, Gia Nghĩa").is_visible()
    assert sheet.get_by_text("0261 3544 999").is_visible()
    shot(sheet, "portal-procedure-print-a4")
