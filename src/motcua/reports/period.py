"""The period figures of domain.md §7, stated once: which dossiers each figure counts.

Every page, export and command that shows a figure of a period takes its meaning from here:
``reports.queries.period_figures`` (``motcua report``, the documents, the requested reports)
counts these conditions in one grouped query; the leadership dashboard
(``office.dashboard.period_counts``) counts the same conditions over its covering index
ranges; the dashboard's drill-down lists filter with them and show each dossier as it stood
at the period's end (``standing_at_end``).

A figure is a ``Q`` over the denormalised columns of ``Dossier`` (``figure_conditions``),
except one: "overdue at the end" depends on the history (was the dossier waiting for a
supplement at the end? which due date was in force then?). It is stated as the column test
``figure_conditions()["overdue"]`` plus the few dossiers whose history says otherwise
(``overdue_exceptions``); ``overdue_ids_q`` joins both into a filter.

Choices where domain.md §7 leaves room are listed in ``reports.queries``'s docstring.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency, AgencyKind
from motcua.agencies.queries import agency_inherited_ids
from motcua.dossiers.classify import LOCAL
from motcua.dossiers.models import (
    CLOCK_PAUSED_STATUSES,
    Channel,
    DeliveryChannel,
    Dossier,
    DossierClass,
    DossierEvent,
    EndKind,
    EventType,
    Status,
)

SUPPLEMENT_EVENTS = (EventType.SUPPLEMENT_REQUESTED, EventType.SUPPLEMENT_RECEIVED)


class ReportError(ValueError):
    """A report cannot be made with these arguments (message for the operator)."""


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL)


@dataclass(frozen=True)
class Period:
    """Whole local days ``[date_from, date_to]`` and the instants that bound them."""

    date_from: dt.date
    date_to: dt.date

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.date_from)

    @property
    def end(self) -> dt.datetime:
        """Exclusive: the first instant after the period (``to + 1`` at 00:00 local)."""
        return local_midnight(self.date_to + dt.timedelta(days=1))

    @property
    def last_day_start(self) -> dt.datetime:
        return local_midnight(self.date_to)

    @property
    def year_start(self) -> dt.date:
        """Start of the cumulative (lũy kế): 1 January of the year of the last day."""
        return dt.date(self.date_to.year, 1, 1)

    def is_over(self, now: dt.datetime) -> bool:
        """Whether the period has ended by ``now``: only then can a dossier's history since
        the end differ from what its columns say now."""
        return self.end <= now


def make_period(date_from: dt.date, date_to: dt.date) -> Period:
    if date_to < date_from:
        raise ReportError(
            f"the period ends ({date_to.isoformat()}) before it starts ({date_from.isoformat()})"
        )
    return Period(date_from, date_to)


# --- scope --------------------------------------------------------------------------------


def agency_subtree_ids(agency: Agency) -> list[int]:
    """The agency and everything under it, following ``parent`` (one query over agencies,
    which are a few thousand rows at most; this does not depend on ``path`` being kept)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    ids, todo = [], [agency.pk]
    seen: set[int] = set()
    while todo:
        pk = todo.pop()
        if pk in seen:
            continue
        seen.add(pk)
        ids.append(pk)
        todo.extend(children.get(pk, ()))
    return ids


def scope_agency_ids(agency: Agency, day: dt.date | None = None) -> list[int]:
    """The agencies of a report's scope: ``agency``'s subtree and, with ``day`` (the period's
    last day), the agencies whose dossiers passed into it through a merger by that day
    (``agencies.queries.agency_inherited_ids``)."""
    ids = agency_subtree_ids(agency)
    if day is not None:
        ids += sorted(agency_inherited_ids(ids, day))
    return ids


def counts_received(agency: Agency) -> bool:
    """Whether a scope's figures include the dossiers it received for other agencies: a
    service centre (or a one-stop unit) decides few dossiers itself; its figures are about
    what it received. Any other agency's figures are about what it decides, wherever the
    dossier was handed in."""
    return agency.kind == AgencyKind.SERVICE_CENTER


def scope_q(
    agency: Agency | None, day: dt.date | None = None, *, received: bool | None = None
) -> Q:
    """The dossiers of a scope's figures (``Q()``: the whole province): those whose
    competent agency is in ``scope_agency_ids(agency, day)``, and with ``received`` (by
    default ``counts_received(agency)``) those one of these agencies received."""
    if agency is None:
        return Q()
    ids = scope_agency_ids(agency, day)
    q = Q(agency_id__in=ids)
    if received is None:
        received = counts_received(agency)
    if received:
        q |= Q(receiving_unit_id__in=ids)
    return q


# --- the figures --------------------------------------------------------------------------


def figure_conditions(period: Period) -> dict[str, Q]:
    """Each figure of domain.md §7 as a condition on a received dossier's columns.

    ``overdue`` is the column test of "in progress at the end and overdue": due (the legal
    due date, before any extension) on a local date before the last day, and not waiting
    for a supplement now. It is exact for a period not yet over; for a past one,
    ``overdue_exceptions`` lists the dossiers whose history says otherwise."""
    start, end = period.start, period.end
    jan1 = local_midnight(period.year_start)
    received = Q(received_at__gte=start, received_at__lt=end)
    ended_in = Q(ended_at__gte=start, ended_at__lt=end)
    resolved = ended_in & Q(end_kind=EndKind.RESULT)
    in_progress = Q(received_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gte=end))
    cum_received = Q(received_at__gte=jan1, received_at__lt=end)
    overdue = (
        in_progress & Q(due_at__lt=period.last_day_start) & ~Q(status__in=CLOCK_PAUSED_STATUSES)
    )
    late = resolved & Q(dossier_class=DossierClass.LATE)
    return {
        "received": received,
        "received_online": received & Q(channel=Channel.ONLINE),
        "received_direct": received & Q(channel=Channel.DIRECT),
        "received_postal": received & Q(channel=Channel.POSTAL),
        "carried_over": Q(received_at__lt=start)
        & (Q(ended_at__isnull=True) | Q(ended_at__gte=start)),
        "ended": ended_in,
        "resolved": resolved,
        "early": resolved & Q(dossier_class=DossierClass.EARLY),
        "on_time": resolved & Q(dossier_class=DossierClass.ON_TIME),
        "late": late,
        "late_apology": late & Q(has_apology=True),
        # Results returned by post, whenever the delivery happened. Only dossiers ended by a
        # result: a refused or withdrawn dossier's notice and papers handed back by post are
        # a delivery too, but not a result returned (domain.md §6; ``DELIVERABLE_ENDS``).
        "postal_return": resolved & Q(delivery_channel=DeliveryChannel.POSTAL),
        "refused": ended_in & Q(end_kind=EndKind.REFUSED),
        "withdrawn": ended_in & Q(end_kind=EndKind.WITHDRAWN),
        "stopped": ended_in & Q(end_kind=EndKind.STOPPED),
        "withdrawn_or_stopped": ended_in & Q(end_kind__in=[EndKind.WITHDRAWN, EndKind.STOPPED]),
        "in_progress": in_progress,
        "overdue": overdue,
        "cum_received": cum_received,
        "cum_online": cum_received & Q(channel=Channel.ONLINE),
        "cum_postal": cum_received & Q(channel=Channel.POSTAL),
        "cum_resolved": Q(ended_at__gte=jan1, ended_at__lt=end, end_kind=EndKind.RESULT),
    }


@dataclass(frozen=True)
class AtEnd:
    """A dossier in progress at a period's end, as it stood then."""

    waiting: bool  # waiting for a supplement (the clock stopped: within due, §7)
    due_at: dt.datetime | None  # the legal due date in force at the end
    overdue: bool


def _judge_at_end(
    *,
    due_at: dt.datetime | None,
    explanation: dict[str, Any],
    status: str,
    supplement_requested_at: dt.datetime | None,
    events: Sequence[tuple[str, dt.datetime, dict[str, Any]]],
    period: Period,
) -> AtEnd:
    """The rule for a dossier in progress at the end, from its columns and its supplement
    events (type, instant, data; in time order):

    - waiting at the end: the latest supplement event before it is a request; or it is
      waiting now and the request came before the end (live dossiers whose request was not
      logged as an event);
    - the due date in force: ``due_at`` is the latest legal due date; a supplement received
      after the end restarted the clock (ND 118/2025 Điều 19.5) and replaced the date in
      force then, which the live services record on the event (``due_at_before``) and the
      history import keeps in the explanation (``printed``/``computed`` and ``restarts``);
    - overdue: not waiting, and that date falls on a local date before the last day."""
    end = period.end
    before = [kind for kind, at, _data in events if at < end]
    waiting = (bool(before) and before[-1] == EventType.SUPPLEMENT_REQUESTED) or (
        status == Status.SUPPLEMENT_REQUESTED
        and supplement_requested_at is not None
        and supplement_requested_at < end
    )
    in_force = due_at
    later = [
        data for kind, at, data in events if at >= end and kind == EventType.SUPPLEMENT_RECEIVED
    ]
    if later:
        replaced = (later[0] or {}).get("due_at_before")
        if replaced:
            in_force = dt.datetime.fromisoformat(replaced)
        elif explanation.get("printed") or explanation.get("computed"):
            in_force = dt.datetime.fromisoformat(
                explanation.get("printed") or explanation["computed"]
            )
            for restart in explanation.get("restarts", ()):
                if dt.datetime.fromisoformat(restart["from"]) < end:
                    in_force = dt.datetime.fromisoformat(restart["due"])
    overdue = not waiting and in_force is not None and in_force < period.last_day_start
    return AtEnd(waiting=waiting, due_at=in_force, overdue=overdue)


def _supplement_events(
    pks: Iterable[int],
) -> dict[int, list[tuple[str, dt.datetime, dict[str, Any]]]]:
    """The supplement events of these dossiers, in time order (in slices of 2000 ids)."""
    ids = sorted(set(pks))
    out: dict[int, list[tuple[str, dt.datetime, dict[str, Any]]]] = defaultdict(list)
    for i in range(0, len(ids), 2000):
        rows = (
            DossierEvent.objects.filter(
                dossier_id__in=ids[i : i + 2000], type__in=SUPPLEMENT_EVENTS
            )
            .order_by("dossier_id", "at", "id")
            .values_list("dossier_id", "type", "at", "data")
        )
        for dossier_id, kind, at, data in rows:
            out[dossier_id].append((kind, at, data or {}))
    return out


@dataclass(frozen=True)
class OverdueException:
    """A dossier in progress at the end that ``figure_conditions()["overdue"]`` judges
    wrongly; ``overdue`` is the right answer. The key columns let a caller regroup it."""

    pk: int
    agency_id: int
    field_id: int
    level: str
    overdue: bool


_EXCEPTION_COLUMNS = (
    "pk",
    "agency_id",
    "field_id",
    "level",
    "due_at",
    "due_explanation",
    "status",
    "supplement_requested_at",
)


def ended_after(
    dossiers: QuerySet[Dossier], end: dt.datetime, *columns: str
) -> list[tuple[Any, ...]]:
    """``columns`` of the dossiers of ``dossiers`` ended at or after ``end`` (in progress at
    the end of a past period), one row each, read in ``ended_at`` order.

    For an old period this is a range of every dossier ended since. Asked for a grouped
    count, SQLite's planner skip-scans an index led by the agency and reads the table
    (1.2 s for 2021 at 1,000,000 dossiers); in ``ended_at`` order both planners read the
    range of ``dossier_at_end`` (SQLite 0.21 s), and the few matching rows are counted here."""
    return list(dossiers.filter(ended_at__gte=end).order_by("ended_at").values_list(*columns))


def overdue_exceptions(
    dossiers: QuerySet[Dossier], period: Period, now: dt.datetime
) -> list[OverdueException]:
    """The dossiers of ``dossiers`` in progress at the end of a past period whose history
    contradicts the column test ``overdue``: none while the period is not over (every
    supplement event so far is before the end, and the services keep the status in step
    with them), else at most two queries.

    Only a dossier that had a supplement request can differ, and only one that is past due
    by its column (it may have been waiting at the end) or whose clock restarted after the
    end (the date in force then was another); those currently waiting since a request
    before the end are within due by both tests."""
    if not period.is_over(now):
        return []
    end = period.end
    restarted_after = Exists(
        DossierEvent.objects.filter(
            dossier=OuterRef("pk"), type=EventType.SUPPLEMENT_RECEIVED, at__gte=end
        )
    )
    # In progress at the end is "open" or "ended after the end": two index ranges
    # (``dossier_at_end``), where the one condition with its OR read the table.
    # The conditions on the index's columns, then the history's (one subquery a row).
    indexed = (
        dossiers.filter(received_at__lt=end, supplement_requested_at__isnull=False)
        .exclude(status=Status.SUPPLEMENT_REQUESTED, supplement_requested_at__lt=end)
        .filter(Q(due_at__lt=period.last_day_start) | Q(supplement_requested_at__gte=end))
        .order_by()
    )
    candidates = indexed.filter(
        Q(due_at__lt=period.last_day_start)
        | (Q(supplement_requested_at__gte=end) & restarted_after)
    )
    rows = list(candidates.filter(ended_at__isnull=True).values(*_EXCEPTION_COLUMNS))
    # Ended after the end: the ids from ``dossier_at_end`` alone (asked for every column,
    # SQLite read the table row of every dossier ended since), then those few rows.
    ids = [pk for (pk,) in ended_after(indexed, end, "pk")]
    for i in range(0, len(ids), 500):
        rows += list(candidates.filter(pk__in=ids[i : i + 500]).values(*_EXCEPTION_COLUMNS))
    if not rows:
        return []
    events = _supplement_events(row["pk"] for row in rows)
    out = []
    for row in rows:
        judged = _judge_at_end(
            due_at=row["due_at"],
            explanation=row["due_explanation"] or {},
            status=row["status"],
            supplement_requested_at=row["supplement_requested_at"],
            events=events.get(row["pk"], ()),
            period=period,
        )
        by_columns = (
            row["due_at"] is not None
            and row["due_at"] < period.last_day_start
            and row["status"] not in CLOCK_PAUSED_STATUSES
        )
        if judged.overdue != by_columns:
            out.append(
                OverdueException(
                    row["pk"], row["agency_id"], row["field_id"], row["level"], judged.overdue
                )
            )
    return out


def overdue_q(exceptions: Sequence[OverdueException], period: Period) -> Q:
    """In progress at the end and overdue, as a filter: the column test corrected by the
    exceptions (``overdue_exceptions`` over the same dossiers)."""
    wrong = [e.pk for e in exceptions if not e.overdue]
    missed = [e.pk for e in exceptions if e.overdue]
    q = figure_conditions(period)["overdue"]
    if wrong:
        q &= ~Q(pk__in=wrong)
    if missed:
        q |= Q(pk__in=missed)
    return q


def within_due_q(exceptions: Sequence[OverdueException], period: Period) -> Q:
    """In progress at the end and within due: the rest of in progress."""
    return figure_conditions(period)["in_progress"] & ~overdue_q(exceptions, period)


# --- a dossier as it stood at the end -------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """A dossier as it stood at the end of a period (the drill-down lists show this, not
    today's status): ``state`` an ``EndKind`` if it had ended by then, else ``in_progress``
    or ``waiting``, or ``not_received``."""

    state: str
    label: str
    due_at: dt.datetime | None
    overdue: bool
    days_late: int  # local days from the due date to the period's last day, if overdue


IN_PROGRESS_LABEL = _("Đang giải quyết")
WAITING_LABEL = _("Tạm dừng, chờ bổ sung")
NOT_RECEIVED_LABEL = _("Chưa tiếp nhận")


def standing_at_end(
    dossiers: Sequence[Dossier], period: Period, now: dt.datetime
) -> dict[int, Standing]:
    """Each dossier as it stood at the period's end, by the rule of ``_judge_at_end`` (the one
    the overdue figure counts with); one query for the supplement events of those that had
    a supplement request, none while the period is not over."""
    end = period.end
    in_progress = [
        d
        for d in dossiers
        if d.received_at is not None
        and d.received_at < end
        and (d.ended_at is None or d.ended_at >= end)
    ]
    need = [d.pk for d in in_progress if d.supplement_requested_at is not None]
    events = _supplement_events(need) if need and period.is_over(now) else {}
    out: dict[int, Standing] = {}
    for d in dossiers:
        if d.received_at is None or d.received_at >= end:
            out[d.pk] = Standing("not_received", str(NOT_RECEIVED_LABEL), None, False, 0)
        elif d.ended_at is not None and d.ended_at < end:
            label = str(EndKind(d.end_kind).label) if d.end_kind in EndKind.values else ""
            out[d.pk] = Standing(d.end_kind, label, d.due_at, False, 0)
        else:
            judged = _judge_at_end(
                due_at=d.due_at,
                explanation=d.due_explanation or {},
                status=d.status,
                supplement_requested_at=d.supplement_requested_at,
                events=events.get(d.pk, ()),
                period=period,
            )
            days = 0
            if judged.overdue and judged.due_at is not None:
                days = (period.date_to - judged.due_at.astimezone(LOCAL).date()).days
            state = "waiting" if judged.waiting else "in_progress"
            then = WAITING_LABEL if judged.waiting else IN_PROGRESS_LABEL
            out[d.pk] = Standing(state, str(then), judged.due_at, judged.overdue, days)
    return out
