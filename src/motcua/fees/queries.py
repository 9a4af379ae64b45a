"""Reads of fees and payments worth naming: a dossier's fee summary (the staff page, the
citizen's page, the API) and a clerk's cash book of a day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from motcua.agencies.queries import agency_subtree, scope_root
from motcua.core.access import staff_profile
from motcua.core.documents import LOCAL
from motcua.core.formatting import vn_int
from motcua.core.models import Role
from motcua.dossiers.held import relations_held
from motcua.dossiers.models import Dossier
from motcua.fees.models import Method, Payment, PaymentStatus


def money_text(amount: int) -> str:
    """'1.200.000 đ' on a page (the documents print ``core.formatting.vn_money``)."""
    return _("%(amount)s đ") % {"amount": vn_int(amount)}


def payment_data(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "method": payment.method,
        "method_label": str(payment.get_method_display()),
        "amount": payment.amount,
        "amount_text": money_text(payment.amount),
        "status": payment.status,
        "status_label": str(payment.get_status_display()),
        "receipt": payment.receipt_label,
        "paid_at": payment.paid_at,
        "voided_at": payment.voided_at,
        "void_reason": payment.void_reason,
    }


def dossier_fee_summary(dossier: Dossier) -> dict[str, Any] | None:
    """The fee assessed, what is paid and what is owed; None when no fee was assessed."""
    if dossier.fee_total is None:
        return None
    if relations_held(dossier, "payments"):
        # Held by the service that has just written the dossier (a new one has none).
        payments = sorted(dossier.payments.all(), key=lambda p: (p.created_at, p.pk))
    else:
        payments = list(Payment.objects.filter(dossier=dossier).order_by("created_at", "id"))
    paid = sum(p.amount for p in payments if p.status == PaymentStatus.PAID)
    outstanding = max(0, dossier.fee_total - paid)
    return {
        "total": dossier.fee_total,
        "total_text": money_text(dossier.fee_total),
        "lines": [
            {
                **line,
                "label": line.get("label") or _("Phí, lệ phí"),
                "amount_text": money_text(int(line["amount"])),
            }
            for line in dossier.fee_lines or []
        ],
        "paid": paid,
        "outstanding": outstanding,
        "outstanding_text": money_text(outstanding),
        "settled": dossier.fee_total > 0 and outstanding == 0,
        "payments": [payment_data(p) for p in payments if p.status != PaymentStatus.PENDING],
    }


@dataclass(frozen=True)
class CashBook:
    """A clerk's receipts of one day: what was collected, what was voided, the balance."""

    clerk: User
    day: dt.date
    rows: list[Payment]

    @property
    def collected(self) -> int:
        return sum(p.amount for p in self.rows)

    @property
    def voided(self) -> int:
        return sum(p.amount for p in self.rows if p.status == PaymentStatus.VOIDED)

    @property
    def total(self) -> int:
        return self.collected - self.voided

    def by_method(self, method: str) -> int:
        return sum(
            p.amount for p in self.rows if p.method == method and p.status != PaymentStatus.VOIDED
        )

    @property
    def cash(self) -> int:
        """The cash that should be in the drawer."""
        return self.by_method(Method.CASH)


# Who keeps a cash book: the one-stop unit's side, which collects at the counter.
COLLECTING_ROLES = frozenset({Role.COUNTER_CLERK, Role.CENTER_MANAGER, Role.LEADER})
# What an accountant (issue 17) reads: the agency's fees, not its dossiers' processing.
ACCOUNTING_ROLES = frozenset({Role.ACCOUNTANT})


def accounting_agency_ids(user: User) -> list[int] | None:
    """The agencies whose money ``user`` accounts for: an accountant's agency and everything
    under it (``scope_root``: a unit's accountant keeps its agency's books); None for anyone
    else."""
    profile = staff_profile(user)
    if profile is None or profile.role not in ACCOUNTING_ROLES:
        return None
    return list(agency_subtree(scope_root(profile.agency)).values_list("pk", flat=True))


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL)
    return start, start + dt.timedelta(days=1)


def _counter_payments(day: dt.date) -> QuerySet[Payment]:
    """The receipts issued at a counter (cash, transfer) on the local ``day``."""
    start, end = _day_bounds(day)
    return Payment.objects.filter(
        method__in=(Method.CASH, Method.TRANSFER), paid_at__gte=start, paid_at__lt=end
    )


def clerks_for(user: User, day: dt.date) -> list[User]:
    """The people whose cash book of ``day`` ``user`` may open: an accountant, everyone who
    issued a counter receipt in the accountant's agencies that day (by name; from the
    receipts, not the current profile, so a clerk transferred since stays in the old
    agency's books); anyone else, themselves."""
    agencies = accounting_agency_ids(user)
    if agencies is None:
        return [user]
    issued = _counter_payments(day).filter(agency_id__in=agencies).values("clerk_id")
    return list(User.objects.filter(pk__in=issued).order_by("first_name", "last_name", "username"))


def cash_book_for(clerk: User, day: dt.date, *, agency_ids: list[int] | None = None) -> CashBook:
    """Every receipt ``clerk`` issued at the counter on the local ``day``, by number; a
    receipt voided later stays in its day's book, with the void. ``agency_ids``: only the
    receipts of those agencies (what an accountant reads: their agencies' money only)."""
    payments = _counter_payments(day).filter(clerk=clerk)
    if agency_ids is not None:
        payments = payments.filter(agency_id__in=agency_ids)
    rows = list(
        payments.select_related("dossier", "agency").order_by("receipt_year", "receipt_number")
    )
    return CashBook(clerk=clerk, day=day, rows=rows)
