"""A validation error on the online form keeps the files (issue 13 item 7), on a phone:
three PDFs and a wrong ID number, the page shows the three files as uploaded, the citizen
fixes the number and submits without picking any file again. Screenshots in
tests/screenshots/portal-held-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.catalog.models import Part
from motcua.dossiers.models import Dossier, DossierPart, Status
from tests.portal.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    PDF,
    Portal,
    _fresh_cache,
    media,
    portal,
)
from tests.world import world  # noqa: F401 (the portal's world, not the office's)

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILES = [
    ("don-de-nghi-cap-giay-phep.pdf", PDF + b"%don"),
    ("can-cuoc-cong-dan.pdf", PDF + b"%cccd"),
    ("ban-ve-thiet-ke.pdf", PDF + b"%ban-ve"),
]


def test_a_wrong_id_number_keeps_the_three_files(portal: Portal, new_page: Any) -> None:  # noqa: F811
    Part.objects.create(version=portal.building, position=3, name="Bản vẽ thiết kế")
    parts = list(portal.building.parts.order_by("position"))
    page = new_page(width=360, height=740)
    page.goto("/ca-nhan/dang-nhap/?next=/thu-tuc/1.009972/nop/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("an.nguyen@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/thu-tuc/1.009972/nop/")
    id_number = page.get_by_label("Số định danh cá nhân (12 số) hoặc mã số thuế")
    id_number.fill("06609000")  # too short
    page.get_by_label("Điện thoại").fill("0912345678")
    for part, (name, content) in zip(parts, FILES, strict=True):
        page.locator(f"input[name=part-{part.pk}]").set_input_files(
            {"name": name, "mimeType": "application/pdf", "buffer": content}
        )
    page.get_by_role("button", name="Kiểm tra trước khi nộp").click()
    page.get_by_text("Số định danh cá nhân phải gồm đúng 12 chữ số.").wait_for()
    assert not Dossier.objects.exists()
    # Each file is shown as uploaded; its file input is hidden until "đổi" is chosen.
    for part, (name, _content) in zip(parts, FILES, strict=True):
        page.locator(".held", has_text=name).wait_for()
        assert page.locator(f"input[name=part-{part.pk}]").is_hidden()
    assert page.get_by_text("Đã tải:").count() == 3
    page.locator(".held").first.scroll_into_view_if_needed()
    shot(page, "portal-held-360")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    # "đổi" shows the file input again (CSS, no script); "giữ" hides it.
    first = parts[0].pk
    page.get_by_label("đổi").first.check()
    assert page.locator(f"input[name=part-{first}]").is_visible()
    shot(page, "portal-held-change-360")
    page.get_by_label("giữ").first.check()
    assert page.locator(f"input[name=part-{first}]").is_hidden()

    # The number fixed, no file picked again.
    id_number.fill("066090001234")
    page.get_by_role("button", name="Kiểm tra trước khi nộp").click()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/ca-nhan/ho-so/**")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED
    stored = [
        p.documents.get().file.read()
        for p in DossierPart.objects.filter(dossier=dossier).order_by("part__position")
    ]
    assert stored == [content for _name, content in FILES]
    shot(page, "portal-held-submitted-360")
