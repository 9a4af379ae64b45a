"""A procedure whose fee is paid before processing: "Chờ thanh toán" (issue 17, item 4).

The dossier waits after receipt with the legal clock stopped; nothing but the fee may be
done to it; the payment (at the counter, online, or an exemption) starts the work and the
clock, the due date computed as for a receipt at that moment."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from pytest_django import Settings

from motcua.dossiers.classify import clock_runs, clock_start, payment_last_day
from motcua.dossiers.errors import TransitionError
from motcua.dossiers.models import Dossier, EventType, Status
from motcua.dossiers.rules import Action, dossier_actions
from motcua.dossiers.services import (
    dossier_accept,
    dossier_handover,
    dossier_receive,
    dossier_submit,
)
from motcua.fees.compute import FeeAnswers
from motcua.fees.fake_platform import FakePlatform
from motcua.fees.interchange import fees_export, fees_import_text
from motcua.fees.models import FeeRule, Method
from motcua.fees.services import dossier_fee_assess, payment_collect, payment_request_create
from motcua.integrations.models import StatusMapping
from motcua.notify.models import Message
from tests.dossiers.conftest import citizen_applicant
from tests.fees.conftest import FEE_CSV
from tests.fees.test_online import SECRET, _post, callback_token
from tests.world import MONDAY, World, local

PAY_FIRST_CSV = (
    FEE_CSV.replace("legal_basis\n", "legal_basis,pay_first\n", 1)
    .replace("TT-BTC\n", "TT-BTC,1\n", 1)
    .replace("TT-BTC\n", "TT-BTC,\n")
)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


@pytest.fixture
def pay_first(priced: World) -> World:
    assert fees_import_text(PAY_FIRST_CSV) == (1, 0)
    return priced


def _receive(world: World) -> Dossier:
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )


def test_the_clock_functions_pause_and_resume() -> None:
    received = local(MONDAY, 9)
    assert not clock_runs(Status.AWAITING_PAYMENT)
    assert not clock_runs(Status.SUPPLEMENT_REQUESTED)
    assert clock_runs(Status.PROCESSING)
    assert clock_start(received, None) == received
    assert clock_start(received, local(WEDNESDAY, 16)) == local(WEDNESDAY, 16)
    # Paid at the counter before the receipt was recorded: the receipt starts it.
    assert clock_start(received, local(MONDAY, 8)) == received
    assert payment_last_day(received, 15) == dt.date(2026, 10, 20)


def test_a_pay_first_dossier_waits_told_what_to_pay_and_by_when(
    pay_first: World, traveller: time_machine.Traveller
) -> None:
    dossier = _receive(pay_first)
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_PAYMENT
    assert dossier.received_at == local(MONDAY, 9)  # received: counted in the period figures
    assert list(dossier.events.values_list("type", flat=True)) == [
        EventType.RECEIVED,
        EventType.PAYMENT_REQUESTED,
    ]
    kinds = set(Message.objects.values_list("kind", flat=True))
    assert "payment_requested" in kinds and "received" not in kinds
    for message in Message.objects.filter(kind="payment_requested"):
        assert "205.000" in message.body and "20/10/2026" in message.body
    # The national portal hears status 6, "Yêu cầu thực hiện nghĩa vụ tài chính".
    assert StatusMapping.objects.get(event_type="payment_requested").portal_status == 6
    assert StatusMapping.objects.get(event_type="payment_settled").portal_status == 4


def test_processing_is_refused_until_paid(
    pay_first: World, traveller: time_machine.Traveller
) -> None:
    dossier = _receive(pay_first)
    # Only the withdrawal (tests/fees/test_unpaid_end.py) leaves from the wait.
    assert dossier_actions(pay_first.clerk, dossier) == [Action.WITHDRAW]
    assert dossier_actions(pay_first.leader, dossier) == []
    with pytest.raises(TransitionError, match="Chờ thanh toán"):
        dossier_handover(dossier=dossier, actor=pay_first.clerk, note="")


def test_paid_at_the_counter_the_clock_starts_from_the_payment(
    pay_first: World, traveller: time_machine.Traveller
) -> None:
    dossier = _receive(pay_first)
    # Without the wait the due date would be Thursday 8/10 17:00 (3 working days).
    traveller.move_to(local(WEDNESDAY, 16))
    payment_collect(dossier=dossier, actor=pay_first.clerk, method=Method.CASH)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    # Paid after the 15:00 cut-off: deemed received Thursday 8/10; 9, 12, 13/10.
    assert dossier.due_at == local(dt.date(2026, 10, 13), 17)
    restarted = dt.datetime.fromisoformat(dossier.due_explanation["restarted_at"])
    assert restarted == local(WEDNESDAY, 16)
    assert dossier.current_step_since == local(WEDNESDAY, 16)
    settled = dossier.events.get(type=EventType.PAYMENT_SETTLED)
    assert settled.actor == pay_first.clerk
    assert settled.from_status == Status.AWAITING_PAYMENT
    assert Message.objects.filter(kind="payment_settled", body__contains="13/10/2026").exists()
    assert dossier_actions(pay_first.clerk, dossier)  # the work goes on


def test_an_exemption_found_at_the_counter_lets_the_work_start(
    pay_first: World, traveller: time_machine.Traveller
) -> None:
    # Only the charge is paid first; an organisation owes no copy fee, and a child is exempt.
    dossier = dossier_receive(
        procedure_version=pay_first.procedure,
        applicant=citizen_applicant(kind="organization", id_number="0101234567"),
        actor=pay_first.clerk,
        receiving_unit=pay_first.center,
    )
    assert dossier.status == Status.AWAITING_PAYMENT
    dossier_fee_assess(
        dossier=dossier,
        actor=pay_first.clerk,
        answers=FeeAnswers(applicant="organization", exemption="tre_em"),
    )
    dossier.refresh_from_db()
    assert (dossier.fee_total, dossier.status) == (0, Status.PROCESSING)


def test_without_the_flag_the_dossier_is_processed_at_once(
    priced: World, traveller: time_machine.Traveller
) -> None:
    assert _receive(priced).status == Status.PROCESSING


def test_the_flag_round_trips_through_the_companion_file(pay_first: World) -> None:
    assert list(FeeRule.objects.values_list("pay_first", flat=True)) == [True, False]
    exported = fees_export()
    assert exported.splitlines()[0].endswith(",pay_first")
    assert fees_import_text(exported) == (0, 1)
    problem = PAY_FIRST_CSV.replace("TT-BTC,1\n", "TT-BTC,yes\n")
    with pytest.raises(Exception, match="pay_first"):
        fees_import_text(problem)


def test_paid_online_the_callback_starts_the_work(
    pay_first: World, traveller: time_machine.Traveller, settings: Settings
) -> None:
    token = callback_token(pay_first)
    fake = FakePlatform(secret=SECRET, callback_repeats=0, callback_token=token).start()
    try:
        settings.MOTCUA = {
            **settings.MOTCUA,
            "PAYMENT_PLATFORM": "fake",
            "PAYMENT_PLATFORM_URL": fake.url,
            "PAYMENT_SECRET": SECRET,
            "PAYMENT_PUBLIC_URL": "http://testserver",
        }
        dossier = dossier_submit(
            procedure_version=pay_first.procedure,
            applicant=citizen_applicant(),
            actor=pay_first.citizen,
            owner=pay_first.citizen,
        )
        dossier = dossier_accept(dossier=dossier, actor=pay_first.clerk)
        assert dossier.status == Status.AWAITING_PAYMENT
        payment_request_create(
            dossier=dossier, actor=pay_first.citizen, return_path=f"/ho-so/{dossier.code}"
        )
        (order,) = fake.orders.values()
        order.status, order.transaction_id = "paid", "TX000001"
        traveller.move_to(local(MONDAY, 14))
        assert _post(fake.callback_body(order), token=token).status_code == 200
        dossier.refresh_from_db()
        assert dossier.status == Status.PROCESSING
        # Paid Monday 14:00, before the cut-off: the clock runs from then, due Thursday.
        assert dossier.due_at == local(dt.date(2026, 10, 8), 17)
        assert _post(fake.callback_body(order), token=token).status_code == 200  # a repeat
        assert dossier.events.filter(type=EventType.PAYMENT_SETTLED).count() == 1
    finally:
        fake.stop()
