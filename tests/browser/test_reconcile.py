"""The accountant uploads the payment platform's statement with a planted mismatch and sees it
listed (issue 17). Screenshot: tests/screenshots/accountant-reconcile.png (axe-core checked)."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.dossiers.services import dossier_receive
from motcua.fees.models import Method, Payment, PaymentStatus
from tests.dossiers.conftest import citizen_applicant
from tests.office.conftest import World
from tests.world import MONDAY, local, staff_create

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_accountant_sees_the_planted_mismatch(world: World, new_page: Any) -> None:
    dossier = dossier_receive(
        procedure_version=world.version,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    Payment.objects.create(
        dossier=dossier,
        agency=world.center,
        method=Method.ONLINE,
        amount=205000,
        status=PaymentStatus.PAID,
        order_id="MC-0001",
        platform_ref="TX000001",
        paid_at=local(MONDAY, 10),
    )
    staff_create("ketoan", "Đinh Thị Hồng", world.center, "accountant")
    page = new_page()
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("ketoan")
    page.get_by_label("Mật khẩu").fill("matkhau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/**")
    page.get_by_role("link", name="Đối soát thanh toán").click()
    page.get_by_label("Ngày sao kê").fill(MONDAY.isoformat())
    # Planted: the platform says 250.000 đ for our 205.000 đ order.
    statement = "order_id,transaction_id,amount,status\nMC-0001,TX000001,250000,paid\n"
    page.get_by_label("Tệp sao kê (CSV)").set_input_files(
        {"name": "sao-ke.csv", "mimeType": "text/csv", "buffer": statement.encode()}
    )
    page.get_by_role("button", name="Đối soát").click()
    rows = page.locator("[data-mismatches] tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert rows.first.inner_text().split("\t") == [
        "MC-0001",
        "số tiền sao kê 250000, hệ thống 205000",
    ]
    shot(page, "accountant-reconcile")
