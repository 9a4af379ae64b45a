"""Fees and payments: every write (issue 17). Each guarded by the dossier rule table
(``PaymentAction.COLLECT_FEE``, ``PaymentAction.PAY_ONLINE``), in a transaction, audited.

- The fee is assessed when the dossier is submitted or received (a listener of the dossier
  events, ``fee_on_dossier_event``) with the answers the dossier holds (the applicant's kind,
  one copy, no exemption); the counter assesses again with the applicant's answers
  (``dossier_fee_assess``) until something is paid.
- Receipt numbers (biên lai thu phí, lệ phí; ND 11/2020, TT 32/2025/TT-BTC: a series per
  issuing unit and year) are drawn under a row lock of the series (``ReceiptSeries``): no gap,
  no repeat; a voided receipt keeps its number, which is never drawn again.
- An online payment's callback is verified (HMAC-SHA256), then applied once: a repeat, an
  unknown order, a different amount or a bad signature changes nothing and is logged with
  its reason (``PaymentCallback``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureVersion
from motcua.core.audit import Actor, audit_log
from motcua.core.documents import local_date
from motcua.dossiers.errors import TransitionError
from motcua.dossiers.models import ApplicantKind, Dossier, DossierEvent, EventType, Status
from motcua.dossiers.rules import PaymentAction, require_payment_action
from motcua.dossiers.services import dossier_payment_settle
from motcua.fees.compute import FeeAnswers, FeeAssessment, FeeRuleSpec, answers_check, fee_compute
from motcua.fees.models import (
    CallbackOutcome,
    FeeRule,
    Method,
    Payment,
    PaymentCallback,
    PaymentStatus,
    ReceiptSeries,
)
from motcua.fees.platforms import PlatformError, platform_get, signature_valid

log = logging.getLogger(__name__)


class PaymentError(TransitionError):
    """A payment that cannot be made or changed (Vietnamese message)."""


# --- the fee ---------------------------------------------------------------------------------


def fee_rules_for(dossier: Dossier) -> list[FeeRuleSpec]:
    return fee_rules_for_version(dossier.procedure_version)


def fee_quote(version: ProcedureVersion, answers: FeeAnswers) -> FeeAssessment:
    """What a dossier of ``version`` would owe with ``answers`` (the online form's check page:
    the same pure function as at intake)."""
    return fee_compute(fee_rules_for_version(version), int(version.fee), answers)


def fee_rules_for_version(version: ProcedureVersion) -> list[FeeRuleSpec]:
    if version.valid_from is None:
        return []
    rows = FeeRule.objects.filter(
        procedure_id=version.procedure_id, version_from=version.valid_from
    ).order_by("position")
    return [
        FeeRuleSpec(
            kind=r.kind,
            amount=int(r.amount),
            per=r.per,
            applicant=r.applicant,
            exemptions=tuple(r.exemptions or ()),
            legal_basis=r.legal_basis,
            label=r.label,
            pay_first=r.pay_first,
        )
        for r in rows
    ]


def default_answers(dossier: Dossier) -> FeeAnswers:
    kind = "organization" if dossier.applicant_kind == ApplicantKind.ORGANIZATION else "citizen"
    return FeeAnswers(applicant=kind)


def _fee_write(dossier: Dossier, assessment: FeeAssessment) -> None:
    dossier.fee_total = assessment.total
    dossier.fee_lines = [line.as_dict() for line in assessment.lines]
    # Not a status or deadline field: written beside the service's own save, on the same row.
    Dossier.objects.filter(pk=dossier.pk).update(
        fee_total=dossier.fee_total, fee_lines=dossier.fee_lines
    )


def fee_on_dossier_event(event: DossierEvent) -> None:
    """Listener of every dossier event (``dossiers.listeners``)."""
    dossier = event.dossier
    if event.type in (EventType.SUBMITTED, EventType.RECEIVED) and dossier.fee_total is None:
        assessment = fee_compute(
            fee_rules_for(dossier), int(dossier.procedure_version.fee), default_answers(dossier)
        )
        _fee_write(dossier, assessment)
    elif event.type == EventType.REJECTED or (
        event.type in (EventType.WITHDRAWN, EventType.STOPPED)
        and event.from_status == Status.AWAITING_PAYMENT
    ):
        # Refused at intake, or withdrawn or stopped before the fee owed first was paid in
        # full (issue 17: the work never started): what was paid online is refunded (the
        # worker's job sends it).
        for payment in Payment.objects.select_for_update().filter(
            dossier=dossier, method=Method.ONLINE, status=PaymentStatus.PAID
        ):
            _refund_queue(payment, event.actor_label or "system")


def _refund_queue(payment: Payment, actor: Actor) -> None:
    payment.status = PaymentStatus.REFUND_PENDING
    payment.save(update_fields=["status"])
    audit_log(
        actor=actor,
        action="payment.refund_requested",
        object_type="payment",
        object_id=payment.pk,
        data={"dossier": payment.dossier.code, "amount": payment.amount},
    )


def _ended_before_work(dossier: Dossier) -> bool:
    """The dossier was refused at intake, or withdrawn or stopped while it waited for its fee:
    the work it was paid for never started (what the listener above refunds)."""
    if dossier.status == Status.REJECTED:
        return True
    return (
        dossier.status in (Status.WITHDRAWN, Status.STOPPED)
        and DossierEvent.objects.filter(
            dossier=dossier,
            type__in=(EventType.WITHDRAWN, EventType.STOPPED),
            from_status=Status.AWAITING_PAYMENT,
        ).exists()
    )


def fee_paid_first(dossier: Dossier) -> bool:
    """The payment gate (``dossiers.payment_gate``): the pinned version has a fee line paid
    before processing (``FeeRule.pay_first``) and the dossier owes something (assessed as at
    receipt, with the answers the dossier holds; an exemption found at the counter later
    settles it through ``dossier_fee_assess``)."""
    rules = fee_rules_for(dossier)
    assessment: FeeAssessment | None = None
    if dossier.pk is None and dossier.fee_total is None:
        # The dossier being received (before its INSERT): its fee assessed now goes in that
        # INSERT, so ``fee_on_dossier_event`` has nothing left to write (one UPDATE less).
        assessment = fee_compute(
            rules, int(dossier.procedure_version.fee), default_answers(dossier)
        )
        dossier.fee_total = assessment.total
        dossier.fee_lines = [line.as_dict() for line in assessment.lines]
    if not any(r.pay_first for r in rules):
        return False
    if assessment is None:
        assessment = fee_compute(
            rules, int(dossier.procedure_version.fee), default_answers(dossier)
        )
    return assessment.total > 0


def _settle_if_paid(dossier: Dossier, actor: Actor) -> None:
    """A dossier waiting for its fee goes on once nothing is left to pay (in the caller's
    transaction)."""
    if dossier.status == Status.AWAITING_PAYMENT and fee_outstanding(dossier) == 0:
        dossier_payment_settle(dossier=dossier, actor=actor)


def _paid_total(dossier: Dossier) -> int:
    return sum(p.amount for p in Payment.objects.filter(dossier=dossier, status=PaymentStatus.PAID))


def fee_outstanding(dossier: Dossier) -> int:
    """What is left to pay (0 when nothing is owed or all is paid)."""
    return max(0, int(dossier.fee_total or 0) - _paid_total(dossier))


def dossier_fee_assess(*, dossier: Dossier, actor: Actor, answers: FeeAnswers) -> FeeAssessment:
    """Assess the fee again with the applicant's answers (the counter, before payment)."""
    problems = answers_check(answers)
    if problems:
        raise PaymentError("; ".join(f"{f}: {p}" for f, p in problems))
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        require_payment_action(actor, dossier, PaymentAction.COLLECT_FEE)
        if Payment.objects.filter(
            dossier=dossier, status__in=(PaymentStatus.PAID, PaymentStatus.PENDING)
        ).exists():
            raise PaymentError(
                _("Hồ sơ %(code)s đã có khoản thu; hủy biên lai trước khi tính lại phí.")
                % {"code": dossier.code}
            )
        assessment = fee_compute(
            fee_rules_for(dossier), int(dossier.procedure_version.fee), answers
        )
        _fee_write(dossier, assessment)
        audit_log(
            actor=actor,
            action="fee.assessed",
            object_type="dossier",
            object_id=dossier.code,
            data={"answers": answers.__dict__, "total": assessment.total},
        )
        _settle_if_paid(dossier, actor)
    return assessment


def dossier_fee_answer(*, dossier: Dossier, actor: Actor, answers: FeeAnswers) -> FeeAssessment:
    """The applicant's own answers to the fee questions, with the online submission (the
    portal, in its transaction): the fee is assessed as the counter would, not with the
    defaults. Only before anything is paid; the counter may assess again afterwards."""
    problems = answers_check(answers)
    if problems:
        raise PaymentError("; ".join(f"{f}: {p}" for f, p in problems))
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        require_payment_action(actor, dossier, PaymentAction.PAY_ONLINE)
        if Payment.objects.filter(
            dossier=dossier, status__in=(PaymentStatus.PAID, PaymentStatus.PENDING)
        ).exists():
            raise PaymentError(
                _("Hồ sơ %(code)s đã có khoản thu; không tính lại phí.") % {"code": dossier.code}
            )
        assessment = fee_compute(
            fee_rules_for(dossier), int(dossier.procedure_version.fee), answers
        )
        _fee_write(dossier, assessment)
        audit_log(
            actor=actor,
            action="fee.answered",
            object_type="dossier",
            object_id=dossier.code,
            data={"answers": answers.__dict__, "total": assessment.total},
        )
    return assessment


# --- receipts at the counter -----------------------------------------------------------------


def receipt_number_draw(agency: Agency, year: int) -> int:
    """The next number of ``agency``'s series of ``year``, under a row lock (call inside a
    transaction): two clerks never get the same number, and none is skipped."""
    ReceiptSeries.objects.get_or_create(agency=agency, year=year)
    series = ReceiptSeries.objects.select_for_update().get(agency=agency, year=year)
    series.last += 1
    series.save(update_fields=["last"])
    return series.last


def _issuer(dossier: Dossier) -> Agency:
    return dossier.receiving_unit or dossier.agency


def payment_collect(
    *,
    dossier: Dossier,
    actor: Actor,
    method: str,
    payer: str = "",
    transfer_ref: str = "",
    at: dt.datetime | None = None,
) -> Payment:
    """Record the fee paid at the counter (cash or transfer) and issue its receipt."""
    if method not in (Method.CASH, Method.TRANSFER):
        raise PaymentError(_("Hình thức thu tại quầy là tiền mặt hoặc chuyển khoản."))
    if method == Method.TRANSFER and not transfer_ref.strip():
        raise PaymentError(_("Thu chuyển khoản cần mã giao dịch."))
    now = at or timezone.now()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        require_payment_action(actor, dossier, PaymentAction.COLLECT_FEE)
        amount = fee_outstanding(dossier)
        if amount <= 0:
            raise PaymentError(
                _("Hồ sơ %(code)s không còn khoản phí, lệ phí nào phải nộp.")
                % {"code": dossier.code}
            )
        agency = _issuer(dossier)
        year = local_date(now).year
        payment = Payment.objects.create(
            dossier=dossier,
            agency=agency,
            method=method,
            amount=amount,
            lines=dossier.fee_lines,
            status=PaymentStatus.PAID,
            payer=payer.strip() or dossier.applicant_name,
            transfer_ref=transfer_ref.strip(),
            clerk=actor if getattr(actor, "is_authenticated", False) else None,  # type: ignore[misc]
            receipt_year=year,
            receipt_number=receipt_number_draw(agency, year),
            paid_at=now,
        )
        audit_log(
            actor=actor,
            action="payment.collected",
            object_type="payment",
            object_id=payment.pk,
            data={
                "dossier": dossier.code,
                "amount": amount,
                "method": method,
                "receipt": payment.receipt_label,
            },
        )
        _settle_if_paid(dossier, actor)
    return payment


def receipt_void(*, payment: Payment, actor: Actor, reason: str) -> Payment:
    """Void a counter receipt: kept with its number, its reason and who voided it."""
    if not reason.strip():
        raise PaymentError(_("Cần ghi lý do hủy biên lai."))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().select_related("dossier").get(pk=payment.pk)
        require_payment_action(actor, payment.dossier, PaymentAction.COLLECT_FEE)
        if payment.status != PaymentStatus.PAID or payment.method == Method.ONLINE:
            raise PaymentError(
                _("Biên lai %(number)s không hủy được (đã hủy, hoặc thu trực tuyến).")
                % {"number": payment.receipt_label}
            )
        payment.status = PaymentStatus.VOIDED
        payment.voided_at = timezone.now()
        payment.void_reason = reason.strip()
        payment.voided_by = actor if getattr(actor, "is_authenticated", False) else None  # type: ignore[assignment]
        payment.save(update_fields=["status", "voided_at", "void_reason", "voided_by"])
        audit_log(
            actor=actor,
            action="payment.voided",
            object_type="payment",
            object_id=payment.pk,
            data={
                "dossier": payment.dossier.code,
                "receipt": payment.receipt_label,
                "reason": payment.void_reason,
            },
        )
    return payment


# --- online ----------------------------------------------------------------------------------


def _public(path: str) -> str:
    return str(settings.MOTCUA["PAYMENT_PUBLIC_URL"]).rstrip("/") + path


def payment_request_create(*, dossier: Dossier, actor: Actor, return_path: str) -> str:
    """Create an online payment for what is owed; the platform's address for the citizen.
    A pending request is sent again rather than doubled."""
    platform = platform_get()
    if platform is None:
        raise PaymentError(_("Chưa cấu hình nền tảng thanh toán trực tuyến."))
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
        require_payment_action(actor, dossier, PaymentAction.PAY_ONLINE)
        if not dossier.procedure_version.online_payment:
            raise PaymentError(_("Thủ tục này không thanh toán trực tuyến."))
        amount = fee_outstanding(dossier)
        pending = Payment.objects.filter(dossier=dossier, status=PaymentStatus.PENDING).first()
        if amount <= 0 and pending is None:
            raise PaymentError(
                _("Hồ sơ %(code)s không còn khoản phí, lệ phí nào phải nộp.")
                % {"code": dossier.code}
            )
        if pending is None or pending.amount != amount:
            if pending is not None:
                pending.delete()
            pending = Payment.objects.create(
                dossier=dossier,
                agency=_issuer(dossier),
                method=Method.ONLINE,
                amount=amount,
                lines=dossier.fee_lines,
                status=PaymentStatus.PENDING,
                payer=dossier.applicant_name,
                order_id=f"MC{secrets.token_hex(8).upper()}",
                platform=platform.name,
            )
            audit_log(
                actor=actor,
                action="payment.requested",
                object_type="payment",
                object_id=pending.pk,
                data={"dossier": dossier.code, "amount": amount, "order": pending.order_id},
            )
    try:
        return platform.create(
            order_id=pending.order_id,
            amount=pending.amount,
            description=_("Phí, lệ phí hồ sơ %(code)s") % {"code": dossier.code},
            return_url=_public(return_path),
            callback_url=_public("/api/payments/callback"),
        )
    except PlatformError as exc:
        raise PaymentError(
            _("Không kết nối được nền tảng thanh toán; vui lòng thử lại sau.")
        ) from exc


def _refuse(order_id: str, reason: str, body: bytes) -> tuple[CallbackOutcome, str]:
    PaymentCallback.objects.create(
        order_id=order_id[:64],
        outcome=CallbackOutcome.REFUSED,
        reason=reason,
        body=body.decode("utf-8", "replace")[:4000],
    )
    audit_log(
        actor="system",
        action="payment.callback_refused",
        object_type="payment",
        object_id=order_id[:64] or "-",
        data={"reason": reason},
    )
    log.warning("payment callback refused: order=%r reason=%s", order_id, reason)
    return CallbackOutcome.REFUSED, reason


def payment_callback_handle(body: bytes, signature: str) -> tuple[CallbackOutcome, str]:
    """Apply one platform callback (the API's ``POST /api/payments/callback``). Returns the
    outcome and its reason; nothing is changed unless it is ``ACCEPTED``."""
    secret = str(settings.MOTCUA["PAYMENT_SECRET"])
    try:
        data: Any = json.loads(body)
        order_id = str(data.get("order_id", "")) if isinstance(data, dict) else ""
    except ValueError:
        data, order_id = None, ""
    if not signature_valid(secret, body, signature):
        return _refuse(order_id, "bad_signature", body)
    if not isinstance(data, dict) or not order_id:
        return _refuse(order_id, "malformed", body)
    if data.get("status") != "paid":
        return _refuse(order_id, "not_paid", body)
    amount = data.get("amount")
    with transaction.atomic():
        # The dossier's row first, then the payment's: the order of ``dossier_stop`` and
        # ``dossier_withdraw`` (their listener locks the dossier's paid payments), so a stop
        # or withdrawal committing meanwhile is waited for and seen, and refund-or-settle is
        # decided on the dossier as it is, never on a copy read before the lock.
        dossier_id = (
            Payment.objects.filter(order_id=order_id, method=Method.ONLINE)
            .values_list("dossier_id", flat=True)
            .first()
        )
        if dossier_id is None:
            return _refuse(order_id, "unknown_order", body)
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        payment = (
            Payment.objects.select_for_update()
            .filter(order_id=order_id, method=Method.ONLINE)
            .first()
        )
        if payment is None:
            return _refuse(order_id, "unknown_order", body)
        payment.dossier = dossier
        if not isinstance(amount, int) or isinstance(amount, bool) or amount != payment.amount:
            return _refuse(order_id, "amount_mismatch", body)
        transaction_id = str(data.get("transaction_id", ""))[:100]
        if payment.status != PaymentStatus.PENDING:
            if payment.status == PaymentStatus.PAID and payment.platform_ref == transaction_id:
                PaymentCallback.objects.create(
                    order_id=order_id, outcome=CallbackOutcome.REPEATED, reason="repeated"
                )
                return CallbackOutcome.REPEATED, "repeated"
            return _refuse(order_id, "already_paid", body)
        now = timezone.now()
        payment.status = PaymentStatus.PAID
        payment.platform_ref = transaction_id
        payment.paid_at = now
        payment.receipt_year = local_date(now).year
        payment.receipt_number = receipt_number_draw(payment.agency, payment.receipt_year)
        payment.save(
            update_fields=["status", "platform_ref", "paid_at", "receipt_year", "receipt_number"]
        )
        PaymentCallback.objects.create(
            order_id=order_id, outcome=CallbackOutcome.ACCEPTED, reason="paid"
        )
        audit_log(
            actor="system",
            action="payment.paid_online",
            object_type="payment",
            object_id=payment.pk,
            data={
                "dossier": payment.dossier.code,
                "amount": payment.amount,
                "order": order_id,
                "receipt": payment.receipt_label,
            },
        )
        if _ended_before_work(dossier):
            # The platform took the money after the dossier ended (the applicant paid on a
            # page opened before withdrawing, or the stop came first): the payment is
            # recorded with its receipt, then refunded like one made before the end.
            _refund_queue(payment, "payment platform")
        else:
            _settle_if_paid(dossier, "payment platform")
    return CallbackOutcome.ACCEPTED, "paid"


def payments_refund(*, limit: int = 50) -> int:
    """Send the refunds queued when dossiers were refused at intake (the worker's job).
    Returns how many were refunded; a platform that cannot be reached is tried next run."""
    platform = platform_get()
    if platform is None:
        return 0
    done = 0
    for payment in Payment.objects.filter(status=PaymentStatus.REFUND_PENDING)[:limit]:
        try:
            reference = platform.refund(payment.order_id, payment.amount)
        except PlatformError as exc:
            log.warning("refund of %s failed: %s", payment.order_id, exc)
            continue
        with transaction.atomic():
            changed = Payment.objects.filter(
                pk=payment.pk, status=PaymentStatus.REFUND_PENDING
            ).update(status=PaymentStatus.REFUNDED, refunded_at=timezone.now())
            if changed:
                audit_log(
                    actor="worker",
                    action="payment.refunded",
                    object_type="payment",
                    object_id=payment.pk,
                    data={"order": payment.order_id, "refund": reference},
                )
                done += 1
    return done
