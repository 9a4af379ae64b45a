"""Form 01 of a dossier whose fee is paid before processing (issue 17): at receipt the due date
is provisional ("tạm tính, nếu nộp phí … trong ngày …", with the last day to pay); once paid, the
dossier page offers form 01 again, printed with the real due date and dated by the dossier's
date; the payment notice states the same date. Read from the rendered DOCX and PDF."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from motcua.dossiers.forms_docs.render import render_form
from motcua.fees.models import Method
from motcua.fees.services import payment_collect
from motcua.notify.models import Message
from tests.dossiers.test_forms import docx_text, flat, pdf_text
from tests.fees.test_awaiting_payment import WEDNESDAY, _receive, pay_first  # noqa: F401
from tests.world import World, local

PROVISIONAL = (
    "tạm tính, nếu nộp phí, lệ phí trong ngày 5/10/2026; hạn nộp phí, lệ phí: hết ngày 20/10/2026"
)


def test_form_01_is_provisional_until_paid_then_gives_the_real_due_date(
    pay_first: World,  # noqa: F811
    traveller: time_machine.Traveller,
    client: Client,
) -> None:
    dossier = _receive(pay_first)
    at_receipt = docx_text(render_form("01", dossier, fmt="docx"))
    # Received Monday 5/10 9:00, 3 working days: provisional Thursday 8/10.
    assert f"17 giờ 00 phút, ngày 8/10/2026 ({PROVISIONAL})" in at_receipt

    traveller.move_to(local(WEDNESDAY, 16))
    payment_collect(dossier=dossier, actor=pay_first.clerk, method=Method.CASH)
    dossier.refresh_from_db()
    client.force_login(pay_first.clerk)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "mẫu 01, hẹn trả sau khi nộp phí" in page
    paid_docx = docx_text(client.get(f"/can-bo/ho-so/{dossier.code}/mau-01/?fmt=docx").content)
    paid_pdf = flat(pdf_text(client.get(f"/can-bo/ho-so/{dossier.code}/mau-01/").content))
    for text in (paid_docx, paid_pdf):
        # Paid Wednesday after the cut-off: deemed Thursday 8/10, due Tuesday 13/10.
        assert "17 giờ 00 phút, ngày 13/10/2026" in text
        assert "tạm tính" not in text
        assert "ngày 05 tháng 10 năm 2026" in text  # dated by the dossier's date
    assert "8/10/2026" not in paid_docx
    notice = Message.objects.filter(kind="payment_settled").first()
    assert notice is not None and "13/10/2026" in notice.body
    assert dossier.due_at is not None and dossier.due_at.date() == dt.date(2026, 10, 13)
