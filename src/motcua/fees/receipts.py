"""The documents of fees: the receipt (biên lai thu phí, lệ phí) as PDF and a clerk's day's
cash book as XLSX. Reads only."""

from __future__ import annotations

import io

import xlsxwriter
from django.template.loader import render_to_string

from motcua.agencies.letterheads import letterhead_for
from motcua.core.documents import html_to_pdf, local_date, page_css, vn_datetime
from motcua.core.formatting import vn_date, vn_money
from motcua.core.people import person_name
from motcua.fees.models import Payment, PaymentStatus
from motcua.fees.queries import CashBook


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt (ND 11/2020/ND-CP Điều 31: the collecting unit, the receipt's number, the
    payer, what is collected and how much, the collector); a voided one says so."""
    assert payment.paid_at is not None
    day = local_date(payment.paid_at)
    letterhead = letterhead_for(payment.agency, day)
    html = render_to_string(
        "fees/receipt.html",
        {
            "css": page_css(),
            "p": payment,
            "agency": letterhead.unit,
            "superior": letterhead.superior,
            "lines": [
                {
                    **line,
                    "label": line.get("label") or "Phí, lệ phí",
                    "amount_text": vn_money(int(line["amount"])),
                }
                for line in payment.lines or []
            ],
            "total": vn_money(payment.amount),
            "paid_at": vn_datetime(payment.paid_at),
            "collector": person_name(payment.clerk) if payment.clerk else "",
            "voided": payment.status == PaymentStatus.VOIDED,
            "voided_at": vn_datetime(payment.voided_at),
        },
    )
    return html_to_pdf(html)


def cash_book_xlsx(book: CashBook) -> bytes:
    """The day's cash book: one row per receipt, then collected, voided and the balance."""
    out = io.BytesIO()
    # Payer and void reason are typed by people: a value starting with "=" stays text.
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("So thu")
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0"})
    bold_money = wb.add_format({"num_format": "#,##0", "bold": True})
    ws.write(0, 0, f"SỔ THU PHÍ, LỆ PHÍ NGÀY {vn_date(book.day)}", bold)
    ws.write(1, 0, f"Người thu: {person_name(book.clerk)}")
    headers = ["Số biên lai", "Mã hồ sơ", "Người nộp", "Hình thức", "Số tiền (đồng)", "Hủy"]
    for col, title in enumerate(headers):
        ws.write(3, col, title, bold)
    row = 4
    for p in book.rows:
        ws.write(row, 0, p.receipt_label)
        ws.write(row, 1, p.dossier.code)
        ws.write(row, 2, p.payer)
        ws.write(row, 3, str(p.get_method_display()))
        ws.write_number(row, 4, p.amount, money)
        ws.write(row, 5, p.void_reason if p.status == PaymentStatus.VOIDED else "")
        row += 1
    row += 1
    for label, value in (
        ("Tổng thu", book.collected),
        ("Đã hủy", book.voided),
        ("Còn lại (tổng thu − đã hủy)", book.total),
        ("Trong đó tiền mặt", book.cash),
    ):
        ws.write(row, 3, label, bold)
        ws.write_number(row, 4, value, bold_money)
        row += 1
    ws.set_column(0, 1, 24)
    ws.set_column(2, 3, 28)
    ws.set_column(4, 4, 16)
    ws.set_column(5, 5, 30)
    wb.close()
    return out.getvalue()
