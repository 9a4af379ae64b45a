"""Pure classification rules (domain.md §6): no database, fast in bulk.

Used by the live services and by the history import alike, so that an imported dossier and a
live one are judged by the same function.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from motcua.catalog.models import DurationUnit
from motcua.dossiers.models import CLOCK_PAUSED_STATUSES, DossierClass, StepResult
from motcua.workdays import clock
from motcua.workdays.calendar import WorkCalendar

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(LOCAL).date()


# ND 118/2025 Điều 19.5: no supplement within 15 days closes the dossier (form 05).
SUPPLEMENT_WAIT_DAYS = 15


def supplement_wait_days() -> int:
    """The days an applicant has to send a requested supplement: the province's setting
    ``MOTCUA["SUPPLEMENT_WAIT_DAYS"]``, 15 by default."""
    return int(getattr(settings, "MOTCUA", {}).get("SUPPLEMENT_WAIT_DAYS", SUPPLEMENT_WAIT_DAYS))


def supplement_last_day(requested_at: dt.datetime, days: int | None = None) -> dt.date:
    """The last local day on which a supplement requested at ``requested_at`` may arrive.

    "15 days" are calendar days (the law says "ngày", not "ngày làm việc") and the whole 15th
    local day is allowed: a request on 1/3 may be answered until 16/3, and the dossier stops on
    17/3 (``services.dossiers_stop_expired_supplements``). The portal and the notice show it."""
    wait = supplement_wait_days() if days is None else days
    return local_date(requested_at) + dt.timedelta(days=wait)


# Issue 17: the days an applicant has to pay a fee due before processing; decided here like
# the supplement's wait (the law sets none; ``MOTCUA["PAYMENT_WAIT_DAYS"]``).
PAYMENT_WAIT_DAYS = 15


def payment_wait_days() -> int:
    """The days an applicant has to pay a fee owed before processing: the province's setting
    ``MOTCUA["PAYMENT_WAIT_DAYS"]``, 15 by default."""
    return int(getattr(settings, "MOTCUA", {}).get("PAYMENT_WAIT_DAYS", PAYMENT_WAIT_DAYS))


def payment_last_day(received_at: dt.datetime, days: int | None = None) -> dt.date:
    """The last local day to pay the fee of a dossier received at ``received_at`` whose fee is
    paid before processing: calendar days, the whole last day allowed (as for a supplement).
    The notice, the citizen's page and form 01 show it; the worker stops the dossier the day
    after (``services.dossiers_stop_unpaid``)."""
    if days is None:
        days = payment_wait_days()
    return local_date(received_at) + dt.timedelta(days=days)


def clock_runs(status: str) -> bool:
    """Whether the legal clock runs for a dossier in ``status``: not while it waits for the
    applicant (a supplement, ND 118/2025 Điều 19.5; a fee owed before processing)."""
    return status not in CLOCK_PAUSED_STATUSES


def clock_start(received_at: dt.datetime, paid_at: dt.datetime | None) -> dt.datetime:
    """The instant the legal clock starts for a dossier received at ``received_at``: for a fee
    paid before processing, the payment (the dossier waits with the clock stopped, as for a
    supplement, and the due date is computed as for a receipt then, cut-off included); the
    receipt itself otherwise, or when paid at the counter before it."""
    if paid_at is None or paid_at <= received_at:
        return received_at
    return paid_at


def classify(
    *, ended_at: dt.datetime, due_at: dt.datetime, unit: str, supplement_count: int
) -> DossierClass:
    """The class of a dossier ended by a result.

    Compares local dates of the end and of the due date (the due date before any extension):
    early before, on time on the same date (for ``working_hours``, only if the end is not after
    ``due_at``), late otherwise. A second supplement request during processing makes it late
    whatever the dates: the law allows one (ND 118/2025 Điều 19.5).
    """
    if supplement_count > 1:
        return DossierClass.LATE
    end_day, due_day = local_date(ended_at), local_date(due_at)
    if end_day < due_day:
        return DossierClass.EARLY
    if end_day == due_day:
        if unit == DurationUnit.WORKING_HOURS and ended_at > due_at:
            return DossierClass.LATE
        return DossierClass.ON_TIME
    return DossierClass.LATE


def step_over_at(
    since: dt.datetime,
    hours: Decimal,
    *,
    calendar: WorkCalendar,
    rules: clock.ClockRules = clock.DEFAULT_RULES,
) -> dt.datetime:
    """The instant after which a step begun at ``since`` with a budget of ``hours`` working
    hours has been held longer than its budget: for every later instant ``t``, more than
    ``hours`` office hours lie between ``since`` and ``t`` exactly when ``t`` is after it.

    The budget is complete at ``add_working_hours`` (the earliest instant it is); it is
    exceeded once office time runs again after that, which at 17:00 or 11:30 is the next
    opening. Kept on the dossier by the write path (``Dossier.step_over_at``), so "a step
    over its budget" is one comparison in SQL, whatever the number of dossiers."""
    complete = clock.add_working_hours(since, hours, calendar=calendar, rules=rules)
    return clock.next_working_moment(complete, calendar=calendar, rules=rules)


def step_result(*, finished_at: dt.datetime, step_due_at: dt.datetime) -> StepResult:
    """A control-slip row's result: the step's deadline is its start plus its budget in working
    hours along office hours; judged like a ``working_hours`` dossier (same date and not after
    the deadline is on time)."""
    end_day, due_day = local_date(finished_at), local_date(step_due_at)
    if end_day < due_day:
        return StepResult.EARLY
    if end_day == due_day and finished_at <= step_due_at:
        return StepResult.ON_TIME
    return StepResult.LATE


def acceptance_minutes_left(
    *,
    now: dt.datetime,
    accept_by: dt.datetime,
    calendar: WorkCalendar,
    rules: clock.ClockRules = clock.DEFAULT_RULES,
) -> int:
    """Whole office minutes left before ``accept_by``, the end of the 8 working hours an
    online dossier waits to be checked (ND 118/2025, online intake); negative once past.

    Counted along office hours by the legal clock: a dossier submitted at 16:00 on a Friday
    still has most of its time on Monday morning. Rounded toward "less time left" so that the
    counter never reads more than there is."""
    hours = clock.working_hours_between(now, accept_by, calendar=calendar, rules=rules)
    minutes = hours * 60
    return int(minutes.to_integral_value(rounding=ROUND_FLOOR))
