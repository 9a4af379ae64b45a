"""Text typed by people goes into the fee workbooks as text: a payer or a void reason that
starts with "=" must not become a formula that runs when the accountant opens the file."""

from __future__ import annotations

import io
import zipfile

from motcua.dossiers.models import Dossier
from motcua.fees.models import Method
from motcua.fees.queries import cash_book_for
from motcua.fees.receipts import cash_book_xlsx
from motcua.fees.services import payment_collect, receipt_void
from tests.world import MONDAY, World

PAYER = '=HYPERLINK("http://127.0.0.1/x","Nguyễn Văn A")'
REASON = "=1+2"


def _sheet(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(
            z.read(name).decode()
            for name in z.namelist()
            if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml"
        )


def test_the_cash_book_keeps_a_payer_and_a_void_reason_starting_with_equals_as_text(
    priced: World, received: Dossier
) -> None:
    payment = payment_collect(dossier=received, actor=priced.clerk, method=Method.CASH, payer=PAYER)
    receipt_void(payment=payment, actor=priced.clerk, reason=REASON)
    xml = _sheet(cash_book_xlsx(cash_book_for(priced.clerk, MONDAY)))
    assert "<f>" not in xml
    assert "=HYPERLINK(" in xml and "=1+2" in xml
