"""The staff session's warning and a form kept across the session's end, in a real browser
(issue 12, item 7). The server's clock is moved with time-machine (the live server runs in
this process), the page's with Playwright's clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from motcua.dossiers.models import Dossier
from tests.office.conftest import PASSWORD, World

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, username: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_the_warning_shows_before_the_end_and_keeps_the_session(
    world: World, new_page: Any
) -> None:
    start = dt.datetime.now(dt.UTC)
    page = new_page()
    page.clock.install()
    page.goto("/dang-nhap/")
    log_in(page, "clerk")
    page.wait_for_url("**/can-bo/**")
    warning = page.locator("#session-warning")
    assert warning.is_hidden()
    # 27 and a half minutes without a request: the page asks, the server says 2½ minutes left.
    with time_machine.travel(start + dt.timedelta(minutes=27, seconds=30), tick=True):
        page.clock.fast_forward("27:30")
        warning.wait_for(state="visible")
        assert "Phiên làm việc sắp kết thúc" in warning.inner_text()
        shot(page, "session-warning")
        page.get_by_role("button", name="Tiếp tục làm việc").click()
        warning.wait_for(state="hidden")
    # Renewed: 25 minutes later still signed in (the warning would have ended it at 30).
    with time_machine.travel(start + dt.timedelta(minutes=52, seconds=30), tick=True):
        page.goto("/can-bo/")
        assert page.url.endswith("/can-bo/")


def test_a_counter_form_sent_after_the_end_is_filled_in_again(world: World, new_page: Any) -> None:
    start = dt.datetime.now(dt.UTC)
    page = new_page()
    page.goto(f"/can-bo/quay/thu-tuc/{world.version.pk}/")
    log_in(page, "clerk")
    page.wait_for_url(f"**/can-bo/quay/thu-tuc/{world.version.pk}/")
    parts = list(world.version.parts.all())
    page.get_by_label(parts[0].name).check()
    for part in parts:
        page.locator(f'[name="reason-{part.pk}"]').fill("Máy quét đang hỏng")
    page.get_by_label("Họ tên / tên tổ chức").fill("Hoàng Thị Mai")
    page.get_by_label("Điện thoại", exact=True).fill("0987654321")
    with time_machine.travel(start + dt.timedelta(minutes=40), tick=True):
        page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
        page.wait_for_url("**/dang-nhap/**")
        assert "Dữ liệu bạn vừa nhập đã được giữ lại" in page.content()
        log_in(page, "clerk")
        page.wait_for_url(f"**/can-bo/quay/thu-tuc/{world.version.pk}/")
        page.locator("#motcua-resume-notice").wait_for()
        assert page.get_by_label("Họ tên / tên tổ chức").input_value() == "Hoàng Thị Mai"
        assert page.get_by_label("Điện thoại", exact=True).input_value() == "0987654321"
        assert page.get_by_label(parts[0].name).is_checked()
        assert not page.get_by_label(parts[1].name).is_checked()
        shot(page, "session-form-resumed")
        assert not Dossier.objects.exists()  # shown again, not sent
        page.get_by_label(parts[1].name).check()
        page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
        page.wait_for_url("**/can-bo/ho-so/**")
        assert Dossier.objects.get().applicant_name == "Hoàng Thị Mai"
