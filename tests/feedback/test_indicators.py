"""The indicator counts (indicators.md: 1.5 and the QĐ 766 satisfaction group) and their use
by the reports."""

from __future__ import annotations

import datetime as dt

import time_machine

from motcua.feedback.models import Content, Feedback
from motcua.feedback.queries import pakn_counts
from motcua.feedback.services import (
    FeedbackInput,
    feedback_answer,
    feedback_mark_unsatisfied,
    feedback_publish,
    feedback_submit,
    rating_submit,
)
from motcua.reports.indicators import indicators_for_year
from tests.feedback.conftest import dossier_make
from tests.world import World, local

# A dossier filed at the counter with no PAKN: the online service and complaint handling do
# not apply (feedback.rubric).
WALK_IN_GOOD = {c.value: "2" for c in Content if c not in (Content.ONLINE, Content.COMPLAINTS)}
OCT = (local(dt.date(2026, 10, 1), 0), local(dt.date(2026, 11, 1), 0))


def at(day: int, month: int = 10, hour: int = 9) -> time_machine.travel:
    return time_machine.travel(local(dt.date(2026, month, day), hour), tick=False)


def submit(*, subject: str = "general", reference: str = "") -> Feedback:
    data = FeedbackInput(
        subject=subject, title="T", text="N", name="A", phone="0900", reference=reference
    )
    return feedback_submit(data=data)


def _history(world: World) -> None:
    resolved = [dossier_make(world, ended=local(dt.date(2026, 10, d), 10)) for d in (6, 7, 8, 9)]
    dossier_make(world, ended=local(dt.date(2026, 9, 30), 10))  # resolved before the period
    with at(12):
        rating_submit(dossier=resolved[0], answers=WALK_IN_GOOD | {"time": "0"})
        rating_submit(dossier=resolved[1], answers=WALK_IN_GOOD)
    with at(5):
        a = submit()  # answered and published in time
        b = submit(subject="dossier", reference=resolved[2].code)  # answered late
        c = submit()  # answered in time, then the person is unsatisfied
    with at(9):
        feedback_answer(feedback=a, actor=world.leader, answer="x")
        c = feedback_answer(feedback=c, actor=world.leader, answer="x")
    with at(13, hour=16):  # Tue 13/10, within 2 working days of Fri 9/10
        feedback_publish(feedback=a, actor=world.leader)
    with at(14):
        feedback_mark_unsatisfied(feedback=c, secret=c.secret)
    with at(20):
        submit()  # due 10/11: neither due in October nor late at its end
    with at(28):
        feedback_answer(feedback=b, actor=world.leader, answer="x")


def test_pakn_counts_numerators_and_denominators(world: World) -> None:
    _history(world)
    counts = pakn_counts(*OCT)
    assert (counts["on_time"], counts["due"]) == (2, 3)  # 1.5: A and C of A, B, C
    assert counts["total"] == 4
    assert (counts["unsatisfied"], counts["reopened"], counts["late"]) == (1, 1, 1)
    assert counts["satisfied"] == 2  # 4 − {C unsatisfied and reopened, B late}
    assert (counts["handled_on_time"], counts["handled"]) == (1, 3)
    assert (counts["rated_negative"], counts["rated"]) == (1, 2)
    # Resolved in October: 4; with a negative rating (1st) or a PAKN about it (3rd): 2.
    assert (counts["resolved_with_complaint"], counts["resolved"]) == (2, 4)
    assert counts["dossier_complaint_share"] == 50.0
    # Scoped to another agency: the PAKN handled by Sở Tư pháp and its dossiers drop out.
    scoped = pakn_counts(*OCT, agency_ids=[world.transport.pk])
    assert (scoped["due"], scoped["total"], scoped["resolved"]) == (0, 0, 0)
    justice = pakn_counts(*OCT, agency_ids=[world.justice.pk])
    assert (justice["due"], justice["total"], justice["resolved"]) == (1, 1, 4)  # only B routed


def test_unanswered_past_due_is_late_at_the_period_end(world: World) -> None:
    with at(5):
        submit()
    assert pakn_counts(*OCT)["late"] == 1  # due 26/10, still unanswered on 1/11
    with at(22):
        assert pakn_counts(OCT[0], local(dt.date(2026, 10, 23), 0))["late"] == 0


def test_the_reports_read_these_counts(world: World) -> None:
    _history(world)
    report = indicators_for_year(year=2026, date_to=dt.date(2026, 10, 31))
    row = report["seed"]["1.5"]
    assert (row["numerator"], row["denominator"], row["rate"]) == (2, 3, 66.67)
    items = {i["code"]: i for g in report["qd766"]["groups"] for i in g["indicators"]}
    on_time, satisfied = items["satisfaction.pakn_on_time"], items["satisfaction.pakn"]
    assert (on_time["numerator"], on_time["denominator"]) == (1, 3)
    assert (satisfied["numerator"], satisfied["denominator"]) == (2, 4)
    text = repr(report["qd766"])
    assert "'complaint_share': 40.0" in text  # year to date: 2 of 5 resolved
