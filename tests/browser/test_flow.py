"""One dossier through the staff application in a real browser: the clerk receives it, the
specialist hands it over, the leader finishes it and sees it counted; an outsider cannot open
it."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.dossiers.models import Dossier, Status
from tests.office.conftest import PASSWORD, World

from .axe import assert_no_axe_violations
from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, username: str) -> None:
    page.goto("/dang-nhap/")
    assert_no_axe_violations(page)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/**")


def test_a_dossier_from_counter_to_dashboard(world: World, new_page: Any) -> None:
    # The counter clerk finds the procedure typing without diacritics and receives.
    clerk = new_page()
    log_in(clerk, "clerk")
    clerk.get_by_role("link", name="Quầy tiếp nhận").click()
    clerk.get_by_label("Tên hoặc mã thủ tục").press_sequentially("giay phep xay", delay=20)
    result = clerk.get_by_role("link", name="Cấp giấy phép xây dựng mới")
    result.wait_for()
    shot(clerk, "01-counter-search")
    result.click()
    for part in world.version.parts.all():
        clerk.get_by_label(part.name).check()
        clerk.locator(f'[name="reason-{part.pk}"]').fill("Máy quét đang hỏng")
    clerk.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    clerk.get_by_label("Điện thoại", exact=True).fill("0912345678")
    shot(clerk, "02-counter-checklist")
    clerk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    clerk.wait_for_url("**/can-bo/ho-so/**")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.PROCESSING
    clerk.get_by_role("heading", name=f"Hồ sơ {dossier.code}").wait_for()
    shot(clerk, "03-dossier-received")
    # Every action form unfolded: axe-core skips what a closed <details> hides.
    clerk.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    shot(clerk, "03-dossier-actions-open")
    clerk.reload()
    clerk.goto("/can-bo/quay/tra-ket-qua/")
    shot(clerk, "03-counter-results")  # its action column has a (visually hidden) header
    clerk.goto(f"/can-bo/ho-so/{dossier.code}/")

    # The clerk hands it to the construction department's unit.
    clerk.get_by_label("Chuyển đến đơn vị", exact=True).fill(world.construction_unit.name)
    clerk.get_by_role("button", name="Chuyển", exact=True).click()
    clerk.get_by_text("Đã chuyển hồ sơ").wait_for()

    # The specialist finds it in the inbox and hands it to the leader's step; from then on
    # the department holds it, and its leader signs and finishes it.
    specialist = new_page()
    log_in(specialist, "specialist")
    specialist.get_by_role("link", name=dossier.code).wait_for()
    shot(specialist, "04-inbox")
    specialist.get_by_role("link", name=dossier.code).click()
    specialist.get_by_label("Chuyển đến đơn vị", exact=True).fill(world.construction.name)
    specialist.get_by_role("button", name="Chuyển", exact=True).click()
    specialist.get_by_text("Đã chuyển hồ sơ").wait_for()
    leader = new_page()
    log_in(leader, "leader")
    leader.goto(f"/can-bo/ho-so/{dossier.code}/")
    leader.locator("summary", has_text="Hoàn thành, có kết quả").click()
    leader.get_by_label("Ghi chú").last.fill("Đã ký giấy phép")
    leader.get_by_role("button", name="Hoàn thành, có kết quả").click()
    leader.get_by_text("Đã cập nhật kết quả").wait_for()
    shot(leader, "05-dossier-finished")
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY

    # The leader sees it counted, and the number leads to it.
    leader.get_by_role("link", name="Tình hình giải quyết").click()
    resolved = leader.locator("a.stat", has_text="Đã giải quyết")
    assert resolved.locator(".num").inner_text() == "1"
    shot(leader, "06-dashboard")
    resolved.click()
    leader.get_by_role("link", name=dossier.code).wait_for()

    # Another agency's specialist gets "not found", as for a code that does not exist.
    outsider = new_page()
    log_in(outsider, "outsider")
    response = outsider.goto(f"/can-bo/ho-so/{dossier.code}/")
    assert response is not None and response.status == 404
    assert "Nguyễn Văn An" not in outsider.content()


def test_the_inbox_on_a_phone(world: World, new_page: Any) -> None:
    first = world.dossier(applicant_name="Nguyễn Văn An")
    second = world.dossier(applicant_name="Hoàng Thị Cúc")
    page = new_page(width=390, height=844)
    log_in(page, "leader")
    shot(page, "07-inbox-phone")
    # Nothing wider than the screen: the table scrolls inside its own box.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    # Search as you type (HTMX): only the matching row stays.
    page.get_by_label("Tìm hồ sơ").press_sequentially("Cúc", delay=30)
    page.get_by_role("link", name=first.code).wait_for(state="detached")
    assert page.get_by_role("link", name=second.code).is_visible()
