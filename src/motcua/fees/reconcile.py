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


# A province's busiest day is a few thousand online payments; a statement past this is not a
# day's statement (and would keep a web worker busy): refused with a clear error.
MAX_LINES = 50_000


class StatementInvalid(ValueError):
    """A statement that cannot be read: the problem, and where (line, column) when known."""

    def __init__(self, problem: str, *, line: int | None = None, column: str = "") -> None:
        super().__init__(problem)
        self.problem, self.line, self.column = problem, line, column

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                _("dòng %(n)s") % {"n": self.line} if self.line else "",
                _("cột %(c)s") % {"c": self.column} if self.column else "",
            )
            if part
        )
        return f"{where}: {self.problem}" if where else self.problem


def day_parse(text: str) -> dt.date:
    """The statement's day as typed (YYYY-MM-DD), with a Vietnamese error."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise StatementInvalid(
            _("Ngày đối soát không hợp lệ (cần dạng YYYY-MM-DD): %(v)s") % {"v": text[:40]}
        ) from None


def _statement_read(text: str) -> tuple[dict[str, dict[str, str]], dict[str, Mismatch]]:
    """The statement's lines by order id, and a mismatch for each order id it repeats."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames or []
        missing = [c for c in COLUMNS if c not in fieldnames]
        if missing:
            raise StatementInvalid(_("thiếu cột"), line=1, column=", ".join(missing))
        statement: dict[str, dict[str, str]] = {}
        lines: dict[str, list[int]] = {}
        for count, record in enumerate(reader, start=1):
            if count > MAX_LINES:
                raise StatementInvalid(
                    _("sao kê quá %(n)s dòng; tách theo ngày hoặc đơn vị rồi đối soát từng phần")
                    % {"n": f"{MAX_LINES:,}".replace(",", ".")},
                    line=reader.line_num,
                )
            order_id = (record["order_id"] or "").strip()
            lines.setdefault(order_id, []).append(reader.line_num)
            if order_id not in statement:
                statement[order_id] = {k: (record.get(k) or "").strip() for k in COLUMNS}
    except csv.Error as exc:
        # A field over the csv module's limit, a stray quote: not a statement we can read.
        raise StatementInvalid(
            _("tệp không đọc được như CSV (%(e)s)") % {"e": exc},
            line=reader.line_num + 1,  # the line being read, not yet counted
        ) from None
    repeated = {
        order_id: Mismatch(
            order_id,
            _("trùng trong sao kê (dòng %(lines)s)") % {"lines": ", ".join(map(str, at))},
        )
        for order_id, at in lines.items()
        if len(at) > 1
    }
    return statement, repeated


def reconcile(
    text: str, day: dt.date, *, agency_ids: Collection[int] | None = None
) -> list[Mismatch]:
    """The differences between the statement of ``day`` and the online payments recorded as
    paid that (local) day, by order id. ``agency_ids``: only the payments collected by those
    agencies (an accountant's, issue 17); a statement line of another agency's order is not
    theirs to reconcile, one of an order unknown to the system is listed for every one. An
    order id the statement repeats is listed as such; its first line is compared. Raises
    ``StatementInvalid`` (with the line) for a file that is not a readable statement."""
    statement, repeated = _statement_read(text)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL)
    ours_that_day = {
        p.order_id: p
        for p in Payment.objects.filter(
            method=Method.ONLINE, paid_at__gte=start, paid_at__lt=start + dt.timedelta(days=1)
        )
        if agency_ids is None or p.agency_id in agency_ids
    }
    ids = list(statement)
    known = {
        p.order_id: p
        for chunk in range(0, len(ids), 5000)  # under SQLite's limit of query parameters
        for p in Payment.objects.filter(
            method=Method.ONLINE, order_id__in=ids[chunk : chunk + 5000]
        )
    }
    out: list[Mismatch] = []
    for order_id, line in statement.items():
        ours = known.get(order_id)
        if ours is not None and agency_ids is not None and ours.agency_id not in agency_ids:
            continue
        if order_id in repeated:
            out.append(repeated[order_id])
        if ours is None:
            out.append(Mismatch(order_id, _("có trong sao kê, không có trong hệ thống")))
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
