"""The citizen portal in a real browser, phone first: find a procedure without diacritics,
submit online with a file (an executable renamed .pdf is refused), the counter accepts, then
anyone holding the receipt follows the dossier with its code and secret — and a wrong secret
or a guessed code reveals nothing. Screenshots at 360 px and 1280 px in tests/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services import dossier_accept
from tests.portal.conftest import (  # noqa: F401 (fixtures)
    EXE,
    PASSWORD,
    PDF,
    PNG,
    Portal,
    _fresh_cache,
    media,
    portal,
)
from tests.world import world  # noqa: F401 (the portal's world, not the office's)

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 360
DESKTOP = 1280


def both(new_page: Any, url: str, name: str) -> None:
    """Screenshots of a public page at phone and desktop widths."""
    for width in (PHONE, DESKTOP):
        page = new_page(width=width, height=740 if width == PHONE else 900)
        page.goto(url)
        shot(page, f"portal-{name}-{width}")
        # Nothing wider than the screen: a phone never scrolls sideways.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, width, overflow)


def test_search_submit_accept_follow(portal: Portal, new_page: Any) -> None:  # noqa: F811
    # Search, typed without diacritics, on a phone.
    page = new_page(width=PHONE, height=740)
    page.goto("/")
    shot(page, "portal-home-360")
    page.get_by_label("Tên hoặc mã thủ tục").fill("giay phep xay dung")
    page.get_by_role("button", name="Tìm thủ tục").click()
    result = page.get_by_role("link", name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ")
    result.wait_for()
    shot(page, "portal-search-360")
    result.click()
    page.get_by_role("heading", name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ").wait_for()
    assert page.locator("figure.qr svg").count() == 1
    assert page.get_by_text("1.250.000 đồng").count() == 1
    shot(page, "portal-procedure-360")

    # Submit online: the login comes first, then back to the form.
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.wait_for_url("**/ca-nhan/dang-nhap/**")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("an.nguyen@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/thu-tuc/1.009972/nop/")
    first, second = portal.building.parts.order_by("position")
    page.get_by_label("Số định danh cá nhân (12 số) hoặc mã số thuế").fill("066090001234")
    page.get_by_label("Điện thoại").fill("0912345678")
    # An executable renamed .pdf: refused by its content, in Vietnamese, nothing stored.
    page.locator(f"input[name=part-{first.pk}]").set_input_files(
        {"name": "don-de-nghi.pdf", "mimeType": "application/pdf", "buffer": EXE}
    )
    page.locator(f"input[name=part-{second.pk}]").set_input_files(
        {"name": "cccd.png", "mimeType": "image/png", "buffer": PNG}
    )
    shot(page, "portal-submit-360")
    page.get_by_role("button", name="Kiểm tra trước khi nộp").click()
    page.get_by_text("không phải tệp PDF, JPEG hoặc PNG").wait_for()
    shot(page, "portal-submit-refused-360")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert not Dossier.objects.exists()
    # The real PDF goes through.
    page.locator(f"input[name=part-{first.pk}]").set_input_files(
        {"name": "don-de-nghi.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.locator(f"input[name=part-{second.pk}]").set_input_files(
        {"name": "cccd.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_label("Địa chỉ").fill("Số 5 đường Lê Duẩn, Gia Nghĩa")
    page.get_by_label("Qua bưu chính công ích").check()
    page.get_by_role("button", name="Kiểm tra trước khi nộp").click()
    # The check step: the answers, the files, how the result comes back, the fee.
    page.get_by_role("heading", name="Kiểm tra trước khi nộp").wait_for()
    assert page.get_by_text("cccd.png").count() == 1
    assert page.get_by_text("Qua bưu chính công ích").count() == 1
    assert not Dossier.objects.exists()
    shot(page, "portal-submit-check-360")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/ca-nhan/ho-so/**")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED and dossier.owner == portal.citizen
    page.get_by_text("Đã nộp trực tuyến, chờ tiếp nhận").first.wait_for()
    shot(page, "portal-my-dossier-360")
    # The code in the heading stays on one line, and fits the 360 px screen.
    code = page.locator("h1 .code-nowrap")
    assert code.inner_text() == dossier.code
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).lineHeight)")
    assert code.bounding_box()["height"] < 1.5 * line
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    # So do the code and the secret in the success message (a line of running text).
    message = page.locator(".messages .msg-success")
    assert message.locator(".code-nowrap").all_inner_texts() == [dossier.code, dossier.secret]
    for box in (c.bounding_box() for c in message.locator(".code-nowrap").all()):
        assert box["height"] < 1.5 * line and box["x"] + box["width"] <= PHONE

    # The counter accepts it (the staff side is the office's; its service is the same).
    dossier_accept(dossier=dossier, actor=portal.world.clerk, receiving_unit=portal.world.center)

    # Anyone with the receipt follows it, no account: a fresh phone.
    other = new_page(width=PHONE, height=740)
    other.goto("/tra-cuu/")
    other.get_by_label("Mã hồ sơ").fill(dossier.code)
    other.get_by_label("Mã tra cứu").fill(dossier.secret)
    other.get_by_role("button", name="Tra cứu").click()
    other.get_by_text("Hồ sơ đã được tiếp nhận").wait_for()
    assert other.get_by_text("Nguyễn V. A.").count() == 1
    assert "066090001234" not in other.content() and "0912345678" not in other.content()
    shot(other, "portal-lookup-360")
    both(new_page, f"/tra-cuu/?ma={dossier.code}&bi-mat={dossier.secret}", "lookup")

    # A wrong secret and a guessed code: the same page, which says nothing about the code.
    answers = []
    for code, secret in ((dossier.code, "ABCDEFGH"), (dossier.code[:-4] + "0999", dossier.secret)):
        other.goto("/tra-cuu/")
        other.get_by_label("Mã hồ sơ").fill(code)
        other.get_by_label("Mã tra cứu").fill(secret)
        other.get_by_role("button", name="Tra cứu").click()
        other.get_by_text("Không tìm thấy hồ sơ").wait_for()
        # The fields keep what was typed; the rest is the same.
        answers.append(re.sub(r' value="[^"]*"', "", other.locator("main").inner_html()))
    assert answers[0] == answers[1]
    assert dossier.code not in answers[0]
    shot(other, "portal-lookup-not-found-360")


def test_pages_fit_phone_and_desktop(portal: Portal, new_page: Any) -> None:  # noqa: F811
    both(new_page, "/", "home")
    both(new_page, "/thu-tuc/?q=xay+dung", "search")
    both(new_page, "/thu-tuc/1.009972/", "procedure")
    both(new_page, "/thu-tuc/1.009972/in/", "notice")


def test_on_a_phone_by_keyboard_in_english_and_back_home_after_logout(
    portal: Portal,  # noqa: F811
    new_page: Any,
) -> None:
    page = new_page(width=PHONE, height=740)
    page.goto("/")
    # Every public link is on screen (the menu wraps rather than scrolls out of sight).
    for name in ("Thủ tục", "Tra cứu hồ sơ", "Phản ánh, kiến nghị", "Đăng nhập"):
        box = page.locator(".site-nav").get_by_role("link", name=name).bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE, name
    # The keyboard reaches the menu first, with a visible focus ring.
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Bỏ qua, đến nội dung chính"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert ring == "solid"
    # The language switch: English until switched back.
    page.get_by_label("Ngôn ngữ").select_option("en")
    page.get_by_role("heading", name="Online public services").wait_for()
    page.get_by_role("link", name="Send a complaint or petition").click()
    page.get_by_role("heading", name="Send a complaint or petition").wait_for()
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Please give at least one way to reach you.").wait_for()
    shot(page, "portal-pakn-errors-en-360")
    page.get_by_label("Language").select_option("vi")
    page.get_by_role("heading", name="Gửi phản ánh, kiến nghị").wait_for()
    # A citizen who logs out is back on the portal, not on the staff login.
    page.goto("/ca-nhan/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("an.nguyen@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/ca-nhan/ho-so/")
    page.get_by_role("button", name="Đăng xuất").click()
    page.get_by_role("heading", name="Dịch vụ công trực tuyến").wait_for()
    assert page.url.endswith("/")
