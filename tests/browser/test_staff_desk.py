"""The counter and processing desk at 1366 px (issue 16): the clerk lands on the counter, the
menu stays on one line, the hand-over step is readable whole, and errors are summarised at
the top with focus on the summary."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.dossiers.models import Dossier
from tests.office.conftest import PASSWORD, World, sign_off_workflow

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = 1366


def _log_in(page: Any, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_the_clerk_lands_on_the_counter_with_a_one_line_menu(world: World, new_page: Any) -> None:
    page = new_page(DESK, 768)
    _log_in(page, "clerk")
    page.wait_for_url("**/can-bo/quay/")
    assert page.get_by_role("heading", name="Quầy tiếp nhận hồ sơ").is_visible()
    tops = page.eval_on_selector_all(
        ".site-nav a", "links => links.map(a => Math.round(a.getBoundingClientRect().top))"
    )
    assert len(tops) >= 5 and len(set(tops)) == 1, tops
    shot(page, "staff-counter-1366")


def test_the_longest_menu_stays_on_one_line_beside_a_long_name(world: World, new_page: Any) -> None:
    # The centre's manager has the most entries (counter, dashboard, complaints, ratings).
    world.manager.first_name, world.manager.last_name = "Thị Hồng Nhung", "Nguyễn"
    world.manager.save()
    page = new_page(DESK, 768)
    _log_in(page, "manager")
    page.wait_for_url("**/can-bo/**")
    links = page.locator(".site-nav a")
    assert links.count() >= 7
    tops = links.evaluate_all("ls => ls.map(a => Math.round(a.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, tops
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] < 70
    # Nothing overlaps: the menu ends before the tools begin, each entry is whole.
    nav = page.locator(".site-nav").bounding_box()
    tools = page.locator(".header-tools").bounding_box()
    assert nav is not None and tools is not None
    assert nav["x"] + nav["width"] <= tools["x"] + 1, (nav, tools)
    assert links.evaluate_all("ls => ls.every(a => a.scrollWidth <= a.clientWidth + 1)")
    shot(page, "staff-manager-menu-1366")


def test_the_handover_step_is_readable_whole(world: World, new_page: Any) -> None:
    steps = sign_off_workflow(world)
    page = new_page(DESK, 768)
    _log_in(page, "clerk")
    page.wait_for_url("**/can-bo/quay/")
    page.goto(f"/can-bo/quay/thu-tuc/{world.version.pk}/")
    for part in world.version.parts.all():
        page.get_by_label(part.name).check()
        page.locator(f'[name="reason-{part.pk}"]').fill("Máy quét đang hỏng")
    page.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    page.get_by_label("Điện thoại", exact=True).fill("0912345678")
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    page.wait_for_url("**/can-bo/ho-so/**")
    steps_group = page.get_by_role("group", name="Chuyển đến bước")
    label = steps_group.locator("label").first
    # The next step's whole name is on the page, and no label is clipped by its box.
    assert steps[1].name in label.inner_text()
    clipped = steps_group.locator("label").evaluate_all(
        "labels => labels.filter(l => l.scrollWidth > l.clientWidth + 1).length"
    )
    shot(page, "staff-handover-1366")
    assert clipped == 0
    page.get_by_role("button", name="Chuyển", exact=True).click()
    page.get_by_text("Đã chuyển hồ sơ").wait_for()
    assert Dossier.objects.count() == 1


def test_counter_errors_are_summarised_and_focused(world: World, new_page: Any) -> None:
    page = new_page(DESK, 768)
    _log_in(page, "clerk")
    page.wait_for_url("**/can-bo/quay/")
    page.goto(f"/can-bo/quay/thu-tuc/{world.version.pk}/")
    page.get_by_label("Điện thoại", exact=True).fill("0912345678")
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    summary = page.get_by_role("alert").filter(has_text="Chưa thực hiện được")
    summary.wait_for()
    # Focus is on the summary, which a screen reader reads first.
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    shot(page, "staff-counter-errors-1366")
    summary.get_by_role("link", name="Họ tên / tên tổ chức là bắt buộc.").click()
    assert page.evaluate("location.hash") == "#id_applicant_name"
    assert page.get_by_label("Điện thoại", exact=True).input_value() == "0912345678"
    assert not Dossier.objects.exists()
