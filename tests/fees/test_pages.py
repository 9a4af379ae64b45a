"""The counter's pages: the fee on the dossier page, collecting, voiding, the receipt PDF,
the day's cash book (page and XLSX) that balances; the citizen's page; form 01."""

from __future__ import annotations

import io
import zipfile

from django.contrib.auth.models import User
from django.test import Client

from motcua.dossiers.forms_docs.context import receipt_context
from motcua.dossiers.models import Dossier
from motcua.fees.models import Payment, PaymentStatus
from tests.world import World


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clerk_takes_cash_prints_the_receipt_voids_another_and_the_book_balances(
    priced: World, received: Dossier
) -> None:
    clerk = _client(priced.clerk)
    page = clerk.get(f"/can-bo/ho-so/{received.code}/").content.decode()
    assert "205.000 đ" in page and "Lệ phí cấp phiếu lý lịch tư pháp" in page
    assert "Thu tiền, cấp biên lai" in page

    answer = clerk.post(f"/thu-phi/ho-so/{received.code}/thu/", {"method": "cash"})
    assert answer.status_code == 302
    first = Payment.objects.get()
    assert (first.amount, first.receipt_label) == (205_000, "0000001/2026")

    pdf = clerk.get(f"/thu-phi/ho-so/{received.code}/bien-lai/{first.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")

    clerk.post(f"/thu-phi/ho-so/{received.code}/bien-lai/{first.pk}/huy/", {"reason": "Thu nhầm"})
    clerk.post(
        f"/thu-phi/ho-so/{received.code}/thu/", {"method": "transfer", "transfer_ref": "FT1"}
    )
    assert list(Payment.objects.order_by("id").values_list("status", "receipt_number")) == [
        (PaymentStatus.VOIDED, 1),
        (PaymentStatus.PAID, 2),
    ]
    page = clerk.get(f"/can-bo/ho-so/{received.code}/").content.decode()
    assert "Đã thanh toán" in page and "Thu nhầm" in page

    book = clerk.get("/thu-phi/so-thu/?ngay=2026-10-05").content.decode()
    assert "0000001/2026" in book and "0000002/2026" in book
    # collected − voided = total; the cash in the drawer is what was not voided in cash.
    assert "<dd data-collected>410.000 đ</dd>" in book
    assert "<dd data-voided>205.000 đ</dd>" in book
    assert "<dd data-total><strong>205.000 đ</strong></dd>" in book
    assert "<dd data-cash>0 đ</dd>" in book

    xlsx = clerk.get("/thu-phi/so-thu/?ngay=2026-10-05&xlsx=1")
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        strings = archive.read("xl/sharedStrings.xml").decode()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "0000002/2026" in strings and "Thu nhầm" in strings
    for amount in ("410000", "205000"):
        assert f"<v>{amount}</v>" in sheet


def test_a_voided_receipt_prints_as_voided_and_outsiders_get_404(
    priced: World, received: Dossier
) -> None:
    clerk = _client(priced.clerk)
    clerk.post(f"/thu-phi/ho-so/{received.code}/thu/", {"method": "cash"})
    payment = Payment.objects.get()
    url = f"/thu-phi/ho-so/{received.code}/bien-lai/{payment.pk}.pdf"
    assert _client(priced.outsider).get(url).status_code == 404
    assert (
        _client(priced.outsider)
        .post(f"/thu-phi/ho-so/{received.code}/bien-lai/{payment.pk}/huy/", {"reason": "x"})
        .status_code
        == 404
    )
    assert Payment.objects.get().status == PaymentStatus.PAID


def test_a_refused_collection_says_why_and_writes_nothing(priced: World, received: Dossier) -> None:
    clerk = _client(priced.clerk)
    answer = clerk.post(f"/thu-phi/ho-so/{received.code}/thu/", {"method": "transfer"}, follow=True)
    assert "Thu chuyển khoản cần mã giao dịch." in answer.content.decode()
    assert not Payment.objects.exists()


def test_the_counter_reassesses_from_the_page(priced: World, received: Dossier) -> None:
    clerk = _client(priced.clerk)
    clerk.post(
        f"/thu-phi/ho-so/{received.code}/tinh-lai/", {"copies": "3", "exemption": "ho_ngheo"}
    )
    received.refresh_from_db()
    assert received.fee_total == 15_000  # the charge exempted, three copies


def test_form_01_prints_the_fee(priced: World, received: Dossier) -> None:
    received.refresh_from_db()
    fee = receipt_context(received).fee
    assert fee.startswith("205.000 đ (Lệ phí cấp phiếu lý lịch tư pháp: 200.000 đ")
