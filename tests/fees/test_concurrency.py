"""Two clerks collecting at once get gap-free, distinct receipt numbers (the series row is
locked). Real concurrent connections with row locks: PostgreSQL only."""

from __future__ import annotations

import json
import threading
import time

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from pytest_django import Settings

from motcua.core.models import Role
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services import dossier_receive, dossier_withdraw
from motcua.fees.interchange import fees_import_text
from motcua.fees.models import CallbackOutcome, Method, Payment, PaymentStatus
from motcua.fees.platforms import sign
from motcua.fees.services import payment_callback_handle, payment_collect
from tests.dossiers.conftest import citizen_applicant
from tests.dossiers.test_concurrency import run_together
from tests.fees.conftest import FEE_CSV, VERSION_FROM
from tests.fees.test_awaiting_payment import PAY_FIRST_CSV
from tests.fees.test_online import SECRET
from tests.world import MONDAY, local, staff_create, world_build

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL"
    ),
]


def test_two_clerks_never_share_or_skip_a_receipt_number() -> None:
    world = world_build()
    world.procedure.valid_from = VERSION_FROM
    world.procedure.save(update_fields=["valid_from"])
    fees_import_text(FEE_CSV)
    second = staff_create("tiepnhan2", "Đỗ Minh Thư", world.center, Role.COUNTER_CLERK)
    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossiers = [
            dossier_receive(
                procedure_version=world.procedure,
                applicant=citizen_applicant(),
                actor=world.clerk,
                receiving_unit=world.center,
            )
            for _ in range(12)
        ]

        def collect(clerk: User, batch: list[Dossier]) -> list[int]:
            return [
                payment_collect(dossier=d, actor=clerk, method=Method.CASH).receipt_number or 0
                for d in batch
            ]

        results = run_together(
            [lambda: collect(world.clerk, dossiers[:6]), lambda: collect(second, dossiers[6:])]
        )
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(n for batch in results for n in batch)
    assert numbers == list(range(1, 13))
    assert Payment.objects.count() == 12


def test_a_callback_racing_a_withdrawal_waits_for_it_and_queues_a_refund(
    settings: Settings,
) -> None:
    """The applicant pays on a page opened before the counter withdrew the dossier: the
    callback arrives while the withdrawal holds the dossier's lock. It must wait, see the
    dossier withdrawn, record the payment and queue its refund (not try to start the work on
    an ended dossier, fail and leave the platform's money as a pending payment)."""
    settings.MOTCUA = {**settings.MOTCUA, "PAYMENT_SECRET": SECRET}
    world = world_build()
    world.procedure.valid_from = VERSION_FROM
    world.procedure.online_payment = True
    world.procedure.save(update_fields=["valid_from", "online_payment"])
    fees_import_text(FEE_CSV)
    fees_import_text(PAY_FIRST_CSV)
    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossier = dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
        )
        assert dossier.status == Status.AWAITING_PAYMENT
        payment = Payment.objects.create(
            dossier=dossier,
            agency=world.center,
            method=Method.ONLINE,
            amount=int(dossier.fee_total or 0),
            status=PaymentStatus.PENDING,
            order_id="ORD-RACE",
        )
        body = json.dumps(
            {
                "order_id": "ORD-RACE",
                "status": "paid",
                "amount": payment.amount,
                "transaction_id": "TX-RACE",
            }
        ).encode()
        locked = threading.Event()

        def withdraw() -> None:
            try:
                with transaction.atomic():
                    dossier_withdraw(dossier=dossier, actor=world.clerk, reason="Không nộp")
                    locked.set()
                    time.sleep(1.0)  # the callback arrives while this holds the lock
            finally:
                locked.set()
                connections.close_all()

        results: list[object] = []

        def callback() -> None:
            try:
                locked.wait(10)
                results.append(payment_callback_handle(body, sign(SECRET, body)))
            except Exception as exc:
                results.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=withdraw), threading.Thread(target=callback)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert results == [(CallbackOutcome.ACCEPTED, "paid")]
    dossier.refresh_from_db()
    payment.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    assert payment.status == PaymentStatus.REFUND_PENDING
    assert payment.receipt_number is not None
