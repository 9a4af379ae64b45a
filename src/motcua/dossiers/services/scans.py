"""The periodic scans of deadlines, run by the worker (registered in ``dossiers.jobs``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core.audit import audit_log
from motcua.dossiers.classify import (
    LOCAL,
    local_date,
    step_over_at,
    supplement_last_day,
    supplement_wait_days,
)
from motcua.dossiers.errors import (
    TransitionError,
)
from motcua.dossiers.listeners import save_listeners_batched
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    EventType,
    Flag,
    Status,
)
from motcua.dossiers.queries import dossier_pay_by
from motcua.dossiers.services.base import (
    LIVE_STATUSES,
    OPEN_STATUSES,
    _add_flag,
    _calendar,
    _deadline_flag_holds,
    _deadline_flags_refresh,
    _now,
    _save,
)
from motcua.dossiers.services.ends import dossier_stop

# --- scans for the worker ---------------------------------------------------------------------


def _supplement_sent_in_time(dossier: Dossier, last_day: dt.date) -> bool:
    """Whether the applicant sent documents online for the current request by its last day."""
    assert dossier.supplement_requested_at is not None
    sent = DossierEvent.objects.filter(
        dossier=dossier,
        type=EventType.SUPPLEMENT_SUBMITTED,
        at__gte=dossier.supplement_requested_at,
    ).values_list("at", "data")
    return any(local_date(at) <= last_day and (data or {}).get("part_ids") for at, data in sent)


def dossiers_stop_expired_supplements(now: dt.datetime | None = None) -> list[Dossier]:
    """Stop the dossiers whose supplement has not come within the time allowed (form 05).

    The day is ``supplement_last_day``. A supplement the applicant sent online in time
    (``dossier_supplement_submit``, with at least one document, on or before the last day)
    has come, even if staff have not received it yet: that dossier is not stopped. A note
    alone, or files sent after the last day, do not hold the stop."""
    now = now or _now()
    days = supplement_wait_days()
    today = local_date(now)
    candidates = Dossier.objects.filter(
        status=Status.SUPPLEMENT_REQUESTED,
        supplement_requested_at__lt=now - dt.timedelta(days=days),
    ).only("pk", "supplement_requested_at")

    def past_due(dossier: Dossier) -> bool:
        assert dossier.supplement_requested_at is not None
        last_day = supplement_last_day(dossier.supplement_requested_at)
        return not (today <= last_day or _supplement_sent_in_time(dossier, last_day))

    reason = _("Không nhận được hồ sơ bổ sung trong thời hạn %(days)s ngày") % {"days": days}
    return _stop_each(candidates, past_due, str(reason))


def _stop_each(
    candidates: Iterable[Dossier], past_due: Callable[[Dossier], bool], reason: str
) -> list[Dossier]:
    """Stop (``dossier_stop``, by the system) each candidate ``past_due`` says is; one that
    changed meanwhile (supplemented, paid, withdrawn, ended) is refused by the rule table
    under its lock and left."""
    stopped = []
    for dossier in candidates:
        if not past_due(dossier):
            continue
        try:
            stopped.append(dossier_stop(dossier=dossier, actor="system", reason=reason))
        except TransitionError:
            continue
    return stopped


def dossiers_stop_unpaid(now: dt.datetime | None = None) -> list[Dossier]:
    """Stop processing ("Dừng xử lý") the dossiers still waiting for a fee owed before
    processing after its last day (``queries.dossier_pay_by``, the day the applicant was
    told), with the reason "không thực hiện nghĩa vụ tài chính đúng hạn": the dossier ends as
    stopped (``dossier_stop``: the event, the audit entry, the applicant's notice, the
    national portal's status 8).

    Idempotent: a stopped dossier no longer waits; one paid or withdrawn meanwhile is left
    (the rule table refuses, checked under the dossier's lock)."""
    now = now or _now()
    today = local_date(now)
    # Every dossier waiting since before today (a handful): the day each was told, not
    # today's MOTCUA_PAYMENT_WAIT_DAYS, decides (a setting changed since moves no one's day).
    candidates = Dossier.objects.filter(
        status=Status.AWAITING_PAYMENT,
        received_at__lt=dt.datetime.combine(today, dt.time(0), tzinfo=LOCAL),
    ).only("pk", "received_at")

    def past_due(dossier: Dossier) -> bool:
        last = dossier_pay_by(dossier)
        return last is not None and today > last

    return _stop_each(candidates, past_due, str(_("Không thực hiện nghĩa vụ tài chính đúng hạn")))


def dossiers_flag_overdue(now: dt.datetime | None = None) -> int:
    """Flag online dossiers not accepted in time and open dossiers past their due date.

    Flags only (no status change): the scan of the worker; returns how many were flagged.
    It also drops the deadline flags that a live dossier's current deadlines no longer
    justify (``base.DEADLINE_FLAGS``): the services drop them when they move a deadline, and
    this puts right the dossiers flagged before they did."""
    now = now or _now()
    count = 0
    targets = [
        (
            Dossier.objects.filter(status=Status.SUBMITTED, accept_by__lt=now),
            Flag.ACCEPTANCE_OVERDUE,
        ),
        (Dossier.objects.filter(status=Status.PROCESSING, due_at__lt=now), Flag.OVERDUE),
    ]
    for queryset, flag in targets:
        for pk in queryset.values_list("pk", flat=True):
            with transaction.atomic(), save_listeners_batched():
                locked = Dossier.objects.select_for_update().get(pk=pk)
                # Checked again under the lock: the dossier may have moved on meanwhile.
                if flag.value in (locked.flags or []) or not _deadline_flag_holds(
                    locked, flag, now
                ):
                    continue
                _add_flag(locked, flag)
                _save(locked, None, ["flags"])
                audit_log(
                    actor="system",
                    action="flag",
                    object_type="dossier",
                    object_id=locked.code,
                    data={"flag": flag.value},
                )
                count += 1
    _deadline_flags_clear_stale(now)
    return count


def _deadline_flags_clear_stale(now: dt.datetime) -> None:
    # Both flag codes contain "overdue"; JSON text matching works on SQLite and PostgreSQL
    # alike (``contains`` on a JSON list does not on SQLite), and the check below is exact.
    candidates = Dossier.objects.filter(
        status__in=LIVE_STATUSES, flags__icontains="overdue"
    ).values_list("pk", flat=True)
    for pk in candidates:
        with transaction.atomic(), save_listeners_batched():
            locked = Dossier.objects.select_for_update().get(pk=pk)
            before = list(locked.flags or [])
            if not _deadline_flags_refresh(locked, now):
                continue
            _save(locked, None, ["flags"])
            audit_log(
                actor="system",
                action="unflag",
                object_type="dossier",
                object_id=locked.code,
                data={"flags": sorted(set(before) - set(locked.flags))},
            )


def dossiers_step_over_refresh() -> int:
    """Compute again, on the calendar now in force, the instant each open dossier's current
    step runs over its budget (``Dossier.step_over_at``, kept by the services at every step
    change); returns how many changed. Called when the calendar's overrides change: a day
    made off or worked moves those instants. A derived value, not a change of the dossier:
    written without a new version (an open form stays valid) and without an audit entry
    (the calendar change itself is audited by the admin)."""
    calendar = _calendar()
    rows = Dossier.objects.filter(
        status__in=OPEN_STATUSES, current_step__isnull=False, current_step_since__isnull=False
    ).values_list("pk", "current_step__hours", "current_step_since", "step_over_at")
    changed = 0
    for pk, hours, since, kept in rows.iterator(chunk_size=2000):
        assert since is not None  # filtered above
        over = step_over_at(since, hours, calendar=calendar)
        if over != kept:
            changed += Dossier.objects.filter(pk=pk).update(step_over_at=over)
    return changed
