"""Intake regardless of administrative boundaries (ND 118/2025) in a real browser: the
provincial centre's clerk receives a commune procedure from the list; a commune's clerk
receives a provincial one; a procedure not on the list is explained, not an empty checklist."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.dossiers.models import Dossier
from tests.world import Communes, World, communes, world  # noqa: F401 (this module's world)

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "matkhau-thu"  # tests.world's


def log_in(page: Any, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/**")


def receive(page: Any, search: str, name: str, screenshot: str) -> Dossier:
    page.get_by_role("link", name="Quầy tiếp nhận").click()
    page.get_by_label("Tên hoặc mã thủ tục").press_sequentially(search, delay=20)
    result = page.get_by_role("link", name=name)
    result.wait_for()
    shot(page, f"{screenshot}-search")
    result.click()
    page.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    page.get_by_label("Điện thoại", exact=True).fill("0912345678")
    shot(page, f"{screenshot}-checklist")
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    page.wait_for_url("**/can-bo/ho-so/**")
    dossier = Dossier.objects.order_by("-id").first()
    assert dossier is not None
    page.get_by_role("heading", name=f"Hồ sơ {dossier.code}").wait_for()
    shot(page, f"{screenshot}-received")
    return dossier


def test_boundless_intake_at_the_counter(
    world: World,  # noqa: F811
    communes: Communes,  # noqa: F811
    new_page: Any,
) -> None:
    # The provincial centre receives the commune's certification, on the province's list.
    clerk = new_page()
    log_in(clerk, "tiepnhan")
    dossier = receive(clerk, "2.000815", communes.listed_commune.name, "bound-01-centre")
    assert (dossier.agency, dossier.receiving_unit) == (communes.commune, world.center)

    # The commune's one-stop unit receives a provincial procedure on the list.
    commune_clerk = new_page()
    log_in(commune_clerk, "motcuaxa")
    dossier = receive(
        commune_clerk, "2.000488", communes.listed_provincial.name, "bound-02-commune"
    )
    assert (dossier.agency, dossier.receiving_unit) == (world.justice, communes.commune_center)

    # (The world's versions are searched by code: ``procedure_create`` keeps no folded name.)
    # A commune procedure off the list: the centre's picker does not offer it, and its page
    # (opened by its address) says why instead of a checklist without a form.
    clerk.get_by_role("link", name="Quầy tiếp nhận").click()
    clerk.get_by_label("Tên hoặc mã thủ tục").press_sequentially("1.000894", delay=20)
    clerk.get_by_text("Không tìm thấy thủ tục nào").wait_for()
    clerk.goto(f"/can-bo/quay/thu-tuc/{communes.unlisted_commune.pk}/")
    alert = clerk.get_by_role("alert")
    alert.wait_for()
    text = alert.inner_text()
    assert "không thuộc danh mục thủ tục tiếp nhận không phụ thuộc địa giới hành chính" in text
    assert "Nơi tiếp nhận: Bộ phận Một cửa xã Nhân Cơ." in text
    assert clerk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").count() == 0
    shot(clerk, "bound-03-not-on-the-list")
