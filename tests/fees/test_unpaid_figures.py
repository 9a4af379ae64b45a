"""A closed period's figures do not change when a dossier that waited for its fee through it is
later withdrawn or stopped unpaid: its clock never started, so it was never overdue (review of
issue 17: the provisional due date printed at receipt used to make it overdue in every past
period it waited through)."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import pytest
import time_machine

from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services import dossier_withdraw, dossiers_stop_unpaid
from motcua.reports.queries import period_figures
from tests.fees.test_awaiting_payment import _receive, pay_first  # noqa: F401
from tests.world import MONDAY, World, local


class Period(TypedDict):
    """A report's period, as ``period_figures`` takes it."""

    date_from: dt.date
    date_to: dt.date


# Received Monday 5/10/2026; the last day to pay is 20/10. The closed period ends on 16/10,
# after the provisional due date printed at receipt.
PERIOD: Period = {"date_from": MONDAY, "date_to": dt.date(2026, 10, 16)}


def _in_progress() -> tuple[dict[str, int], dict[str, int]]:
    on_dossiers = period_figures(**PERIOD)["in_progress"]
    from_rollup = period_figures(**PERIOD, source="rollup")["in_progress"]
    return on_dossiers, from_rollup


@pytest.mark.parametrize("end", ["stopped", "withdrawn"])
def test_a_closed_period_stays_the_same_after_an_unpaid_end(
    pay_first: World,  # noqa: F811
    traveller: time_machine.Traveller,
    end: str,
) -> None:
    dossier: Dossier = _receive(pay_first)
    assert dossier.status == Status.AWAITING_PAYMENT
    assert dossier.due_at is not None and dossier.due_at < local(dt.date(2026, 10, 16), 0)
    traveller.move_to(local(dt.date(2026, 10, 17), 9))
    before = _in_progress()
    assert before[0]["overdue"] == 0 and before[0]["total"] == 1
    assert before[0] == before[1]
    if end == "stopped":
        traveller.move_to(local(dt.date(2026, 10, 21), 9))
        assert [d.code for d in dossiers_stop_unpaid()] == [dossier.code]
    else:
        dossier_withdraw(dossier=dossier, actor=pay_first.clerk, reason="Không nộp phí")
    dossier.refresh_from_db()
    assert dossier.status == (Status.STOPPED if end == "stopped" else Status.WITHDRAWN)
    assert _in_progress() == before
