"""An unpaid pay-first dossier ends (issue 17): the applicant withdraws it while it waits (the
portal, the counter, the API: one service, one rule), or the worker stops it the day after the
last day to pay, with the reason told to the applicant; it then counts as stopped — received,
not resolved, not in progress — in ``motcua report``, the rollup and the national portal."""

from __future__ import annotations

import datetime as dt
import json
from typing import TypedDict

import pytest
import time_machine
from django.test import Client
from pytest_django import Settings

from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.core.text import fold
from motcua.dossiers.errors import ActorNotAllowed, TransitionError
from motcua.dossiers.forms_docs.render import render_form
from motcua.dossiers.models import Dossier, EndKind, EventType, Status
from motcua.dossiers.rules import Action, dossier_actions
from motcua.dossiers.services import (
    dossier_accept,
    dossier_stop,
    dossier_submit,
    dossiers_stop_unpaid,
)
from motcua.fees.models import Method, Payment, PaymentStatus
from motcua.fees.services import payment_collect
from motcua.integrations.models import PortalStatus, StatusMapping
from motcua.notify.models import Message
from motcua.portal.queries import dossier_public_status
from motcua.reports.queries import period_figures
from tests.api.conftest import token_for
from tests.dossiers.conftest import citizen_applicant
from tests.dossiers.test_forms import docx_text
from tests.fees.test_awaiting_payment import _receive, pay_first  # noqa: F401
from tests.world import MONDAY, World, local

# Received Monday 5/10/2026: the last day to pay is 20/10 (15 days), the stop comes on 21/10.
LAST_DAY = dt.date(2026, 10, 20)
REASON = "Không thực hiện nghĩa vụ tài chính đúng hạn"


class Period(TypedDict):
    """A report's period, as ``period_figures`` takes it."""

    date_from: dt.date
    date_to: dt.date


def _paid_online(dossier: Dossier, world: World, order: str) -> Payment:
    """A part of the fee the applicant paid online on Monday morning."""
    return Payment.objects.create(
        dossier=dossier,
        agency=world.center,
        method=Method.ONLINE,
        amount=5000,
        status=PaymentStatus.PAID,
        order_id=order,
        paid_at=local(MONDAY, 9),
    )


def _online(world: World) -> Dossier:
    dossier = dossier_submit(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.citizen,
        owner=world.citizen,
    )
    return dossier_accept(dossier=dossier, actor=world.clerk)


def test_the_worker_stops_an_unpaid_dossier_the_day_after_the_last_day(
    pay_first: World,  # noqa: F811
    traveller: time_machine.Traveller,
) -> None:
    dossier = _receive(pay_first)
    assert dossier.status == Status.AWAITING_PAYMENT
    traveller.move_to(local(LAST_DAY, 23))
    assert dossiers_stop_unpaid() == []  # the whole last day is the applicant's
    with pytest.raises(TransitionError, match="20/10/2026"):
        dossier_stop(dossier=dossier, actor="system", reason=REASON)

    traveller.move_to(local(LAST_DAY + dt.timedelta(days=1), 0, 5))
    (stopped,) = dossiers_stop_unpaid()
    assert stopped.pk == dossier.pk
    dossier.refresh_from_db()
    assert (dossier.status, dossier.end_kind) == (Status.STOPPED, EndKind.STOPPED)
    assert dossier.end_reason == REASON
    assert dossier.ended_at == local(LAST_DAY + dt.timedelta(days=1), 0, 5)
    event = dossier.events.get(type=EventType.STOPPED)
    assert (event.actor_label, event.from_status) == ("system", Status.AWAITING_PAYMENT)
    assert AuditEvent.objects.filter(object_id=dossier.code, action__contains="stop").exists()
    # The applicant is told, with the reason.
    told = Message.objects.filter(kind="stopped", reference=f"dossier:{dossier.code}")
    assert told.exists() and all(fold(REASON) in fold(m.body) for m in told)
    # Idempotent: a second run finds nothing to stop and changes nothing.
    before = (dossier.version, Message.objects.count(), dossier.events.count())
    assert dossiers_stop_unpaid() == []
    dossier.refresh_from_db()
    assert (dossier.version, Message.objects.count(), dossier.events.count()) == before


def test_a_dossier_paid_in_time_is_not_stopped(
    pay_first: World,  # noqa: F811
    traveller: time_machine.Traveller,
) -> None:
    dossier = _receive(pay_first)
    traveller.move_to(local(LAST_DAY, 16))
    payment_collect(dossier=dossier, actor=pay_first.clerk, method=Method.CASH)
    traveller.move_to(local(LAST_DAY + dt.timedelta(days=3), 9))
    assert dossiers_stop_unpaid() == []
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_only_the_worker_stops_it(
    pay_first: World,  # noqa: F811
    traveller: time_machine.Traveller,
) -> None:
    dossier = _receive(pay_first)
    traveller.move_to(local(LAST_DAY + dt.timedelta(days=2), 9))
    for person in (pay_first.leader, pay_first.clerk):
        assert Action.STOP not in dossier_actions(person, dossier)
        with pytest.raises(ActorNotAllowed, match="hệ thống tự dừng"):
            dossier_stop(dossier=dossier, actor=person, reason="x")


def test_a_stopped_unpaid_dossier_counts_as_stopped_everywhere(
    pay_first: World,  # noqa: F811
    traveller: time_machine.Traveller,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _receive(pay_first)
    traveller.move_to(local(LAST_DAY + dt.timedelta(days=1), 9))
    dossiers_stop_unpaid()
    args: Period = {"date_from": MONDAY, "date_to": LAST_DAY + dt.timedelta(days=5)}
    counted = period_figures(**args)
    assert counted == period_figures(**args, source="rollup")
    assert main(["report", "--from", "2026-10-01", "--to", "2026-10-31"]) == 0
    printed = json.loads(capsys.readouterr().out)
    for figures in (counted, printed):
        assert figures["received"]["total"] == 1
        assert figures["resolved"]["total"] == 0
        assert figures["returned"]["total"] == 0
        assert figures["withdrawn"] == 1
        assert figures["withdrawn_detail"] == {"withdrawn": 0, "stopped": 1}
        assert figures["identity"]["holds"]
        assert figures["in_progress"]["total"] == 0
    # The national portal hears "Dừng xử lý".
    assert StatusMapping.objects.get(event_type="stopped").portal_status == PortalStatus.STOPPED


def test_withdrawn_while_waiting_at_the_counter_paid_online_part_refunded(
    pay_first: World,  # noqa: F811
    traveller: time_machine.Traveller,
    client: Client,
) -> None:
    dossier = _receive(pay_first)
    assert dossier_actions(pay_first.clerk, dossier) == [Action.WITHDRAW]
    # A part the applicant paid online before coming to the counter to withdraw.
    paid = _paid_online(dossier, pay_first, "ORD-COUNTER")
    client.force_login(pay_first.clerk)
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/rut-ho-so/",
        {"reason": "Không nộp", "version": dossier.version},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.status, dossier.end_kind) == (Status.WITHDRAWN, EndKind.WITHDRAWN)
    assert dossier.received_at is not None and dossier.ended_at is not None
    paid.refresh_from_db()
    assert paid.status == PaymentStatus.REFUND_PENDING
    assert AuditEvent.objects.filter(
        action="payment.refund_requested", object_id=str(paid.pk)
    ).exists()


def test_withdrawn_while_waiting_on_the_portal(
    pay_first: World,  # noqa: F811
    traveller: time_machine.Traveller,
    client: Client,
) -> None:
    dossier = _online(pay_first)
    assert dossier.status == Status.AWAITING_PAYMENT
    # A part paid online before the withdrawal goes back to the applicant.
    paid = _paid_online(dossier, pay_first, "ORD-1")
    client.force_login(pay_first.citizen)
    page = client.get(f"/ca-nhan/ho-so/{dossier.code}/")
    assert "Rút hồ sơ" in page.content.decode()
    response = client.post(f"/ca-nhan/ho-so/{dossier.code}/rut-ho-so/", {"reason": "Đổi ý"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.status, dossier.end_reason) == (Status.WITHDRAWN, "Đổi ý")
    paid.refresh_from_db()
    assert paid.status == PaymentStatus.REFUND_PENDING
    # Nothing left to withdraw: the form is gone and a second post is refused.
    assert "rut-ho-so" not in client.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    client.post(f"/ca-nhan/ho-so/{dossier.code}/rut-ho-so/")
    assert dossier.events.filter(type=EventType.WITHDRAWN).count() == 1


def test_withdrawn_while_waiting_through_the_api(
    pay_first: World,  # noqa: F811
    traveller: time_machine.Traveller,
    client: Client,
) -> None:
    dossier = _receive(pay_first)
    token = token_for(pay_first.clerk)
    response = client.post(
        f"/api/dossiers/{dossier.code}/withdraw",
        data={"expected_version": dossier.version},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.content
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN


def test_the_day_told_holds_whatever_the_setting_becomes(
    pay_first: World,  # noqa: F811
    traveller: time_machine.Traveller,
    settings: Settings,
) -> None:
    """Told at receipt "hết ngày 20/10/2026" (15 days); the province then lowers
    MOTCUA_PAYMENT_WAIT_DAYS to 5: the dossier is not stopped before the 21st, the form, the
    citizen's page and the rule still say the 20th; raised to 30, it is still stopped on the
    21st."""
    dossier = _receive(pay_first)
    settings.MOTCUA = {**settings.MOTCUA, "PAYMENT_WAIT_DAYS": 5}
    traveller.move_to(local(dt.date(2026, 10, 12), 9))
    assert dossiers_stop_unpaid() == []
    with pytest.raises(TransitionError, match="20/10/2026"):
        dossier_stop(dossier=dossier, actor="system", reason=REASON)
    assert "hết ngày 20/10/2026" in docx_text(render_form("01", dossier, fmt="docx"))
    assert "20/10/2026" in dossier_public_status(dossier).pay_by  # the citizen's page

    settings.MOTCUA = {**settings.MOTCUA, "PAYMENT_WAIT_DAYS": 30}
    traveller.move_to(local(LAST_DAY + dt.timedelta(days=1), 0, 5))
    (stopped,) = dossiers_stop_unpaid()
    assert stopped.pk == dossier.pk
