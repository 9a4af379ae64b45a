"""The fee on the dossier, payment at the counter, receipts and voiding."""

from __future__ import annotations

import pytest
import time_machine

from motcua.core.models import AuditEvent
from motcua.dossiers.errors import ActorNotAllowed, TransitionError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from motcua.fees.compute import FeeAnswers
from motcua.fees.models import Method, Payment, PaymentStatus, ReceiptSeries
from motcua.fees.services import (
    dossier_fee_assess,
    fee_outstanding,
    payment_collect,
    receipt_void,
)
from tests.dossiers.conftest import citizen_applicant
from tests.world import World


def test_the_fee_is_assessed_at_intake_and_stored_on_the_dossier(received: Dossier) -> None:
    received.refresh_from_db()
    assert received.fee_total == 205_000
    assert [line["amount"] for line in received.fee_lines] == [200_000, 5_000]
    assert received.fee_lines[0]["legal_basis"] == "Thông tư 244/2016/TT-BTC"


def test_an_organisation_is_assessed_without_the_citizens_line(
    priced: World, traveller: time_machine.Traveller
) -> None:
    dossier = dossier_receive(
        procedure_version=priced.procedure,
        applicant=citizen_applicant(kind="organization", id_number="0101234567"),
        actor=priced.clerk,
        receiving_unit=priced.center,
    )
    dossier.refresh_from_db()
    assert dossier.fee_total == 200_000


def test_a_procedure_without_rules_owes_the_versions_plain_fee(
    world: World, traveller: time_machine.Traveller
) -> None:
    world.hours_procedure.fee = 8_000
    world.hours_procedure.save(update_fields=["fee"])
    dossier = dossier_receive(
        procedure_version=world.hours_procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    dossier.refresh_from_db()
    assert dossier.fee_total == 8_000


def test_the_counter_reassesses_with_the_applicants_answers(
    priced: World, received: Dossier
) -> None:
    fee = dossier_fee_assess(
        dossier=received, actor=priced.clerk, answers=FeeAnswers(copies=2, exemption="tre_em")
    )
    assert fee.total == 10_000
    received.refresh_from_db()
    assert received.fee_total == 10_000
    assert received.fee_lines[0]["exempt"] == "Trẻ em"
    assert AuditEvent.objects.filter(action="fee.assessed", object_id=received.code).exists()
    with pytest.raises(TransitionError):
        dossier_fee_assess(dossier=received, actor=priced.clerk, answers=FeeAnswers(copies=0))


def test_cash_at_the_counter_issues_numbered_receipts_per_agency_and_year(
    priced: World, received: Dossier
) -> None:
    payment = payment_collect(dossier=received, actor=priced.clerk, method=Method.CASH)
    assert (payment.amount, payment.status, payment.receipt_label) == (
        205_000,
        PaymentStatus.PAID,
        "0000001/2026",
    )
    assert payment.agency == priced.center
    assert fee_outstanding(received) == 0
    with pytest.raises(TransitionError, match="không còn khoản"):
        payment_collect(dossier=received, actor=priced.clerk, method=Method.CASH)
    assert AuditEvent.objects.filter(action="payment.collected").count() == 1


def test_a_voided_receipt_keeps_its_number_which_is_never_reused(
    priced: World, received: Dossier
) -> None:
    first = payment_collect(dossier=received, actor=priced.clerk, method=Method.CASH)
    with pytest.raises(TransitionError, match="lý do"):
        receipt_void(payment=first, actor=priced.clerk, reason=" ")
    receipt_void(payment=first, actor=priced.clerk, reason="Thu nhầm số tiền")
    first.refresh_from_db()
    assert (first.status, first.receipt_number, first.void_reason) == (
        PaymentStatus.VOIDED,
        1,
        "Thu nhầm số tiền",
    )
    assert first.voided_by == priced.clerk
    again = payment_collect(
        dossier=received, actor=priced.clerk, method=Method.TRANSFER, transfer_ref="FT123"
    )
    assert again.receipt_number == 2
    assert AuditEvent.objects.filter(action="payment.voided", object_id=str(first.pk)).exists()
    with pytest.raises(TransitionError):
        receipt_void(payment=first, actor=priced.clerk, reason="lần nữa")


def test_a_transfer_needs_its_reference(priced: World, received: Dossier) -> None:
    with pytest.raises(TransitionError, match="mã giao dịch"):
        payment_collect(dossier=received, actor=priced.clerk, method=Method.TRANSFER)
    assert not Payment.objects.exists()


def test_only_the_receiving_counter_collects(priced: World, received: Dossier) -> None:
    for someone in (priced.specialist, priced.outsider):
        with pytest.raises(ActorNotAllowed):
            payment_collect(dossier=received, actor=someone, method=Method.CASH)
    assert not Payment.objects.exists()
    assert not ReceiptSeries.objects.exists()
