"""Fees collected per agency and period (issue 17, item 5): one function for the staff page,
the XLSX and ``motcua report fees``.

A receipt counts on the local day it was paid (``Payment.paid_at``), under the agency that
issued it (its receipt series: the one-stop unit that collected). Voided receipts are left
out (the money went back over the counter), and so are online payments refunded or being
refunded (a dossier refused at intake): the totals are what the unit keeps. The scope is a
report's (``reports.services.report_scope``): an agency and everything under it, by the
issuing agency or by the dossier's competent agency (a department sees what the centre
collected for its procedures), or the whole province.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import xlsxwriter
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.agencies.queries import agency_subtree
from motcua.core.documents import LOCAL
from motcua.core.formatting import vn_date
from motcua.fees.models import Method, Payment, PaymentStatus


@dataclass(frozen=True)
class FeeRow:
    agency_code: str
    agency_name: str
    receipts: int
    cash: int
    transfer: int
    online: int

    @property
    def total(self) -> int:
        return self.cash + self.transfer + self.online


@dataclass(frozen=True)
class FeesCollected:
    date_from: dt.date
    date_to: dt.date
    scope_name: str
    rows: list[FeeRow]

    @property
    def receipts(self) -> int:
        return sum(r.receipts for r in self.rows)

    def column(self, name: str) -> int:
        return sum(int(getattr(r, name)) for r in self.rows)


def fees_collected(
    date_from: dt.date, date_to: dt.date, agency: Agency | None = None, scope_name: str = ""
) -> FeesCollected:
    """The receipts kept, per issuing agency, paid from ``date_from`` to ``date_to`` (whole
    local days, both included), in ``agency``'s subtree (None: the province)."""
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=LOCAL)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL)
    payments = Payment.objects.filter(
        status=PaymentStatus.PAID, paid_at__gte=start, paid_at__lt=end
    )
    if agency is not None:
        subtree = agency_subtree(agency).values("pk")
        payments = payments.filter(Q(agency__in=subtree) | Q(dossier__agency__in=subtree))
    grouped = (
        payments.order_by()
        .values("agency__code", "agency__name")
        .annotate(
            receipts=Count("pk"),
            cash=Sum("amount", filter=Q(method=Method.CASH), default=0),
            transfer=Sum("amount", filter=Q(method=Method.TRANSFER), default=0),
            online=Sum("amount", filter=Q(method=Method.ONLINE), default=0),
        )
        .order_by("agency__code")
    )
    rows = [
        FeeRow(
            agency_code=g["agency__code"],
            agency_name=g["agency__name"],
            receipts=g["receipts"],
            cash=int(g["cash"]),
            transfer=int(g["transfer"]),
            online=int(g["online"]),
        )
        for g in grouped
    ]
    name = scope_name or (agency.name if agency is not None else str(_("Toàn tỉnh")))
    return FeesCollected(date_from, date_to, name, rows)


def fees_collected_xlsx(report: FeesCollected) -> bytes:
    """The figures as a workbook: one line per agency, a total line; amounts in đồng as
    integers, shown with Vietnamese thousands separators."""
    out = io.BytesIO()
    # Names come from the catalogue and people: text stays text (formula injection).
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet(str(_("Phí, lệ phí đã thu"))[:31])
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center"})
    money = wb.add_format({"num_format": "#,##0", "border": 1})
    cell = wb.add_format({"border": 1})
    total_money = wb.add_format({"num_format": "#,##0", "border": 1, "bold": True})
    ws.write(0, 0, str(_("TỔNG HỢP PHÍ, LỆ PHÍ ĐÃ THU")), bold)
    ws.write(
        1,
        0,
        str(_("Phạm vi: %(scope)s; từ ngày %(from)s đến ngày %(to)s"))
        % {
            "scope": report.scope_name,
            "from": vn_date(report.date_from),
            "to": vn_date(report.date_to),
        },
    )
    headers = [
        _("STT"),
        _("Mã đơn vị"),
        _("Đơn vị thu"),
        _("Số biên lai"),
        _("Tiền mặt (đồng)"),
        _("Chuyển khoản (đồng)"),
        _("Trực tuyến (đồng)"),
        _("Tổng cộng (đồng)"),
    ]
    for col, title in enumerate(headers):
        ws.write(3, col, str(title), head)
    row = 4
    for i, r in enumerate(report.rows, start=1):
        ws.write_number(row, 0, i, cell)
        ws.write_string(row, 1, r.agency_code, cell)
        ws.write_string(row, 2, r.agency_name, cell)
        ws.write_number(row, 3, r.receipts, cell)
        for col, amount in enumerate((r.cash, r.transfer, r.online, r.total), start=4):
            ws.write_number(row, col, amount, money)
        row += 1
    ws.write_string(row, 2, str(_("Tổng cộng")), head)
    ws.write_number(row, 3, report.receipts, head)
    for col, name in enumerate(("cash", "transfer", "online", "total"), start=4):
        ws.write_number(row, col, report.column(name), total_money)
    ws.set_column(0, 0, 5)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 7, 16)
    wb.close()
    return out.getvalue()
