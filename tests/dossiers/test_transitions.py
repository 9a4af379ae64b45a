"""The transition table: in every state, exactly the allowed changes go through; every other
one is refused with a TransitionError naming the state, and changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import transaction

from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services import (
    TransitionError,
    dossier_accept,
    dossier_complete,
    dossier_deliver,
    dossier_extend,
    dossier_finish,
    dossier_handover,
    dossier_receive,
    dossier_receive_supplement,
    dossier_refuse,
    dossier_reject,
    dossier_request_completion,
    dossier_request_supplement,
    dossier_stop,
    dossier_submit,
    dossier_withdraw,
)
from motcua.fees.interchange import fees_import_text
from tests.dossiers.conftest import citizen_applicant, to_signing
from tests.world import MONDAY, World, local

S = Status
SERVICES: dict[str, tuple[Callable[[Dossier, World], Any], set[str]]] = {
    "accept": (lambda d, w: dossier_accept(dossier=d, actor=w.clerk), {S.SUBMITTED}),
    "request_completion": (
        lambda d, w: dossier_request_completion(dossier=d, actor=w.clerk, items=["A"], reason="B"),
        {S.SUBMITTED},
    ),
    "complete": (lambda d, w: dossier_complete(dossier=d, actor=w.citizen), {S.NEEDS_COMPLETION}),
    "reject": (
        lambda d, w: dossier_reject(dossier=d, actor=w.clerk, reason="x"),
        {S.SUBMITTED, S.NEEDS_COMPLETION},
    ),
    "handover": (
        lambda d, w: dossier_handover(dossier=d, actor=w.leader, to_unit="Văn thư"),
        {S.PROCESSING, S.RESULT_READY},
    ),
    "request_supplement": (
        lambda d, w: dossier_request_supplement(
            dossier=d, actor=w.specialist, items=["A"], reason="B"
        ),
        {S.PROCESSING},
    ),
    "receive_supplement": (
        lambda d, w: dossier_receive_supplement(dossier=d, actor=w.clerk),
        {S.SUPPLEMENT_REQUESTED},
    ),
    "extend": (
        lambda d, w: dossier_extend(
            dossier=d,
            actor=w.leader,
            reason="x",
            new_due_at=local(MONDAY + dt.timedelta(days=10), 17),
        ),
        {S.PROCESSING},
    ),
    "finish": (lambda d, w: dossier_finish(dossier=d, actor=w.leader), {S.PROCESSING}),
    "refuse": (
        lambda d, w: dossier_refuse(dossier=d, actor=w.leader, reason="x"),
        {S.PROCESSING, S.SUPPLEMENT_REQUESTED},
    ),
    "withdraw": (
        # Online before acceptance the applicant withdraws; later the holding unit records it;
        # while the fee owed first is awaited, the counter that received it (issue 17).
        lambda d, w: dossier_withdraw(
            dossier=d,
            actor=w.citizen
            if d.received_at is None
            else w.clerk
            if d.status == S.AWAITING_PAYMENT
            else w.leader,
        ),
        {S.SUBMITTED, S.NEEDS_COMPLETION, S.PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_PAYMENT},
    ),
    "stop": (
        # From "Chờ thanh toán" only the worker, after the last day to pay
        # (tests/fees/test_unpaid_end.py): before it, refused whoever asks.
        lambda d, w: dossier_stop(dossier=d, actor=w.leader, reason="x"),
        {S.PROCESSING, S.SUPPLEMENT_REQUESTED},
    ),
    "deliver": (
        lambda d, w: dossier_deliver(dossier=d, actor=w.clerk, channel="counter"),
        # A result, or a refused or withdrawn dossier's notice and papers (domain.md §6).
        {S.RESULT_READY, S.REFUSED, S.WITHDRAWN},
    ),
}


def in_state(world: World, status: Status) -> Dossier:
    """A dossier brought to ``status`` through the services."""
    if status in (S.SUBMITTED, S.NEEDS_COMPLETION, S.REJECTED):
        dossier = dossier_submit(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.citizen,
            owner=world.citizen,
        )
        if status == S.NEEDS_COMPLETION:
            SERVICES["request_completion"][0](dossier, world)
        if status == S.REJECTED:
            SERVICES["reject"][0](dossier, world)
        return dossier
    if status == S.AWAITING_PAYMENT:
        # A fee paid before processing (issue 17): the dossier waits after receipt.
        world.procedure.valid_from = dt.date(2026, 1, 1)
        world.procedure.save(update_fields=["valid_from"])
        fees_import_text(
            "procedure,version_from,kind,amount,pay_first\n1.001234,2026-01-01,le_phi,200000,1\n"
        )
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    if status == S.AWAITING_PAYMENT:
        return dossier
    # The counter hands it to the competent agency, whose appraisal passes it to the signing
    # step, where the leader records the result (``dossiers.rules``).
    dossier = to_signing(world, dossier)
    then = {
        S.SUPPLEMENT_REQUESTED: ["request_supplement"],
        S.RESULT_READY: ["finish"],
        S.REFUSED: ["refuse"],
        S.WITHDRAWN: ["withdraw"],
        S.STOPPED: ["stop"],
        S.DELIVERED: ["finish", "deliver"],
    }.get(status, [])
    for name in then:
        SERVICES[name][0](dossier, world)
    return dossier


class Rollback(Exception):
    pass


@pytest.mark.parametrize("status", list(Status))
def test_each_state_allows_exactly_its_changes(
    world: World, traveller: time_machine.Traveller, status: Status
) -> None:
    dossier = in_state(world, status)
    dossier.refresh_from_db()
    assert dossier.status == status
    for name, (service, allowed) in SERVICES.items():
        before = (dossier.version, dossier.status, dossier.events.count())
        if status in allowed:
            try:
                with transaction.atomic():
                    service(Dossier.objects.get(pk=dossier.pk), world)
                    raise Rollback
            except Rollback:
                pass
        else:
            with pytest.raises(TransitionError) as refused:
                service(Dossier.objects.get(pk=dossier.pk), world)
            assert str(status.label) in str(refused.value), name
        dossier.refresh_from_db()
        assert (dossier.version, dossier.status, dossier.events.count()) == before, name
