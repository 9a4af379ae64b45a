"""A citizen submits online and pays on the (fake) payment platform; the platform's callback
arrives twice; the dossier shows "Đã thanh toán" once and the receipt PDF downloads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.dossiers.models import Dossier
from motcua.fees.fake_platform import FakePlatform
from motcua.fees.models import CallbackOutcome, Payment, PaymentCallback, PaymentStatus
from tests.fees.test_online import callback_token
from tests.portal.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    PDF,
    PNG,
    Portal,
    _fresh_cache,
    media,
    portal,
)
from tests.world import world  # noqa: F401

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "bi-mat-trinh-duyet"


@pytest.fixture
def platform(settings: Any, live_server: Any, portal: Portal) -> Iterator[FakePlatform]:  # noqa: F811
    token = callback_token(portal.world)
    fake = FakePlatform(secret=SECRET, callback_repeats=2, callback_token=token).start()
    settings.MOTCUA = {
        **settings.MOTCUA,
        "PAYMENT_PLATFORM": "fake",
        "PAYMENT_PLATFORM_URL": fake.url,
        "PAYMENT_SECRET": SECRET,
        "PAYMENT_PUBLIC_URL": live_server.url,
    }
    yield fake
    fake.stop()


def test_citizen_submits_pays_online_and_downloads_the_receipt(
    portal: Portal,  # noqa: F811
    platform: FakePlatform,
    new_page: Any,
) -> None:
    portal.building.online_payment = True
    portal.building.save(update_fields=["online_payment"])
    page = new_page()
    page.goto("/ca-nhan/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("an.nguyen@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto("/thu-tuc/1.009972/nop/")
    first, second = portal.building.parts.order_by("position")
    page.get_by_label("Số định danh cá nhân (12 số) hoặc mã số thuế").fill("066090001234")
    page.get_by_label("Điện thoại").fill("0912345678")
    page.locator(f"input[name=part-{first.pk}]").set_input_files(
        {"name": "don.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.locator(f"input[name=part-{second.pk}]").set_input_files(
        {"name": "cccd.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_role("button", name="Kiểm tra trước khi nộp").click()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/ca-nhan/ho-so/**")
    dossier = Dossier.objects.get()
    assert dossier.fee_total == 1_250_000
    page.get_by_text("1.250.000 đ").first.wait_for()
    page.get_by_text("Chưa thanh toán").wait_for()
    shot(page, "payment-owed")

    page.get_by_role("button", name="Thanh toán trực tuyến (1.250.000 đ)").click()
    page.get_by_role("link", name="Tới cổng thanh toán").click()
    page.wait_for_url(f"{platform.url}/pay/**")
    assert page.locator("#amount").inner_text() == "1250000"
    shot(page, "payment-platform")
    page.get_by_role("button", name="Thanh toán").click()
    page.wait_for_url(f"**/ca-nhan/ho-so/{dossier.code}/")

    (order,) = platform.orders.values()
    assert order.callback_answers == [200, 200]
    assert list(PaymentCallback.objects.order_by("id").values_list("outcome", flat=True)) == [
        CallbackOutcome.ACCEPTED,
        CallbackOutcome.REPEATED,
    ]
    payment = Payment.objects.get()
    assert (payment.status, payment.receipt_label) == (PaymentStatus.PAID, "0000001/2026")
    assert page.get_by_text("Đã thanh toán", exact=True).count() == 1
    assert page.locator("[data-receipt]").count() == 1
    shot(page, "payment-paid")

    with page.expect_download() as download_info:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = ''; "
            "document.body.appendChild(a); a.click(); }",
            f"/thu-phi/ho-so/{dossier.code}/bien-lai/{payment.pk}.pdf",
        )
    path = download_info.value.path()
    with open(path, "rb") as handle:
        assert handle.read(5) == b"%PDF-"
