"""Dossiers at risk of being late (issue 5): due within one working day, or held at their
current step longer than the step's budget.

Both tests run on the legal clock (``motcua.workdays.clock``: working days and office hours,
holidays and make-up Saturdays), not on wall-clock hours: from Friday 17:30 a dossier due
Monday 17:00 has one working day left and is at risk; from Tuesday 17:30 one due Thursday
17:00 has two and is not. The clock is consulted once per request to turn each rule into
instant (``RiskClock``); the SQL then compares plain columns with it, so the filters use the
dossier indexes and the number of queries does not grow with the data. The instant a step
runs over its budget is kept on the dossier by the write path (``Dossier.step_over_at``,
``dossiers.classify.step_over_at``), so "over budget" is one comparison, not a join.

One working day is the office time of a day (8 h with the §5 hours) counted along office
hours from now: the same measure as ND 118/2025 Điều 19.6, which wants the apology letter
at least one working day before the due date, so a dossier flagged here is one whose
extension can no longer come in time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from motcua.dossiers.models import Dossier, Status
from motcua.workdays import clock
from motcua.workdays.calendar import WorkCalendar, get_calendar


@dataclass(frozen=True)
class StepOverrun:
    """The current step of a dossier held past its budget: which step, and by how much."""

    step: str
    budget: Decimal
    held: Decimal

    @property
    def over(self) -> Decimal:
        return self.held - self.budget


@dataclass(frozen=True)
class RiskClock:
    """The at-risk rule turned into instants for one moment ``now``.

    ``soon``: now plus one working day; a dossier due at or before it is due within one
    working day."""

    now: dt.datetime
    soon: dt.datetime
    calendar: WorkCalendar
    rules: clock.ClockRules

    def due_soon_q(self) -> Q:
        """Processing, not yet overdue, due within one working day."""
        return Q(status=Status.PROCESSING, due_at__gte=self.now, due_at__lte=self.soon)

    def over_budget_q(self) -> Q:
        """Processing, and the current step (started at the last hand-over, or at receipt
        for the counter's own step) held longer than its budget."""
        return Q(status=Status.PROCESSING, step_over_at__lt=self.now)

    def at_risk_q(self) -> Q:
        """At risk of being late: not yet overdue (that is its own figure), and due within one
        working day or with its current step over its budget."""
        not_late = Q(status=Status.PROCESSING, due_at__gte=self.now)
        return not_late & (self.due_soon_q() | self.over_budget_q())

    def is_due_soon(self, dossier: Dossier) -> bool:
        return (
            dossier.status == Status.PROCESSING
            and dossier.due_at is not None
            and self.now <= dossier.due_at <= self.soon
        )

    def step_overrun(self, dossier: Dossier) -> StepOverrun | None:
        """How long the current step has been held past its budget (None if it is not).
        Reads ``dossier.current_step``: select it with the dossiers."""
        if dossier.status != Status.PROCESSING or dossier.current_step_since is None:
            return None
        step = dossier.current_step
        if step is None:
            return None
        held = clock.working_hours_between(
            dossier.current_step_since, self.now, calendar=self.calendar, rules=self.rules
        )
        if held <= step.hours:
            return None
        return StepOverrun(step=step.name, budget=step.hours, held=held.quantize(Decimal("0.01")))

    def mark(self, dossier: Dossier) -> Dossier:
        """Note on ``dossier`` (for the templates) whether it is at risk and its step overrun,
        so that a list's badges need no further query."""
        overrun = self.step_overrun(dossier)
        setattr(dossier, "step_overrun", overrun)  # noqa: B010 (not a declared attribute)
        due_soon = self.is_due_soon(dossier)
        at_risk = not self.is_overdue(dossier) and (due_soon or overrun is not None)
        setattr(dossier, "at_risk", at_risk)  # noqa: B010
        return dossier

    def is_overdue(self, dossier: Dossier) -> bool:
        return (
            dossier.status == Status.PROCESSING
            and dossier.due_at is not None
            and dossier.due_at < self.now
        )


def risk_clock(now: dt.datetime | None = None) -> RiskClock:
    """The rule for ``now`` (default: now): one small query (the calendar's freshness check),
    whatever the number of dossiers."""
    now = now or timezone.now()
    calendar = get_calendar()
    rules = clock.DEFAULT_RULES
    soon = clock.add_working_hours(now, rules.hours_per_day, calendar=calendar, rules=rules)
    return RiskClock(now=now, soon=soon, calendar=calendar, rules=rules)
