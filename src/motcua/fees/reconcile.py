"""Daily reconciliation of online payments against the platform's statement (issue 17):
a CSV file the platform provides for a day, with the columns ``order_id``,
``transaction_id``, ``amount`` (đồng) and ``status`` (``paid``/``refunded``). Reads only:
every difference is listed for the accountant, nothing is corrected here."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection
from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.core.documents import LOCAL
from motcua.fees.models import Method, Payment, PaymentStatus

COLUMNS = ("order_id", "transaction_id", "amount", "status")


@dataclass(frozen=True)
class Mismatch:
    order_id: str
    problem: str

    def __str__(self) -> str:
        return f"{self.order_id}: {self.problem}"


class StatementInvalid(ValueError):
    pass


def reconcile(
    text: str, day: dt.date, *, agency_ids: Collection[int] | None = None
) -> list[Mismatch]:
    """The differences between the statement of ``day`` and the online payments recorded as
    paid that (local) day, by order id. ``agency_ids``: only the payments collected by those
    agencies (an accountant's, issue 17); a statement line of another agency's order is not
    theirs to reconcile, one of an order unknown to the system is listed for every one."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise StatementInvalid(_("thiếu cột %(c)s") % {"c": ", ".join(missing)})
    statement: dict[str, dict[str, str]] = {}
    for record in reader:
        statement[(record["order_id"] or "").strip()] = {
            k: (record.get(k) or "").strip() for k in COLUMNS
        }
    start = dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL)
    ours_that_day = {
        p.order_id: p
        for p in Payment.objects.filter(
            method=Method.ONLINE, paid_at__gte=start, paid_at__lt=start + dt.timedelta(days=1)
        )
        if agency_ids is None or p.agency_id in agency_ids
    }
    known = {
        p.order_id: p
        for p in Payment.objects.filter(method=Method.ONLINE, order_id__in=list(statement))
    }
    out: list[Mismatch] = []
    for order_id, line in statement.items():
        ours = known.get(order_id)
        if ours is None:
            out.append(Mismatch(order_id, _("có trong sao kê, không có trong hệ thống")))
            continue
        if agency_ids is not None and ours.agency_id not in agency_ids:
            continue
        if line["amount"] != str(ours.amount):
            out.append(
                Mismatch(
                    order_id,
                    _("số tiền sao kê %(theirs)s, hệ thống %(ours)s")
                    % {"theirs": line["amount"], "ours": ours.amount},
                )
            )
        theirs_paid = line["status"] in ("paid", "refunded")
        if theirs_paid and ours.status == PaymentStatus.PENDING:
            out.append(Mismatch(order_id, _("sao kê đã thu, hệ thống chưa ghi nhận thanh toán")))
        if line["status"] == "refunded" and ours.status != PaymentStatus.REFUNDED:
            out.append(Mismatch(order_id, _("sao kê đã hoàn tiền, hệ thống chưa ghi nhận")))
        if ours.platform_ref and line["transaction_id"] != ours.platform_ref:
            out.append(
                Mismatch(
                    order_id,
                    _("mã giao dịch sao kê %(theirs)s, hệ thống %(ours)s")
                    % {"theirs": line["transaction_id"], "ours": ours.platform_ref},
                )
            )
    for order_id in sorted(set(ours_that_day) - set(statement)):
        out.append(Mismatch(order_id, _("hệ thống ghi đã thu, không có trong sao kê")))
    return out
