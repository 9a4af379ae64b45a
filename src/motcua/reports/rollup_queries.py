"""The period figures' grouped counts read from the daily rollup instead of the dossiers.

``rollup_grouped_counts`` returns what ``reports.queries._grouped_counts`` returns (counts per
(competent agency, field, level), late dossiers by reason and by steps) for whole local days,
so ``reports.queries.period_figures(..., source="rollup")`` lays out the same report. Flows
are sums of the period's days; carried over and in progress are sums before the start and
before the end (received minus ended). Overdue at the end is counted
on the few dossiers concerned (in progress at the end) with the
conditions of ``reports.period``; the late reasons and steps are the rollup's late rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any, cast

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.dossiers.models import CLOCK_PAUSED_STATUSES, Channel, Dossier, DossierClass, EndKind
from motcua.reports.period import Period, ended_after, overdue_exceptions, scope_q
from motcua.rollup.models import DayCount, Measure, MonthBalance, MonthCount
from motcua.rollup.services import month_start, next_month

GroupKey = tuple[int, int, str]
LateDetail = dict[int, dict[str, int]]
Span = tuple[dt.date, dt.date]  # first and last day, included

# Figures summed over the rows, and the internal sums the stock figures are made of.
FLOW_KEYS = (
    "received",
    "received_online",
    "received_direct",
    "received_postal",
    "resolved",
    "early",
    "on_time",
    "late",
    "late_apology",
    "postal_return",
    "refused",
    "withdrawn",
    "stopped",
    "cum_received",
    "cum_online",
    "cum_postal",
    "cum_resolved",
)


def _split(first: dt.date | None, last: dt.date) -> tuple[list[Span], Span | None]:
    """The days ``[first, last]`` (``first`` None: from the beginning) as the days of its
    partial months, read from ``DayCount``, and the span of its whole months (the first days
    of the first and last), read from ``MonthCount``."""
    full_from = dt.date.min if first is None else first
    if first is not None and first.day != 1:
        full_from = next_month(first)
    after = next_month(last)
    full_to = after if last + dt.timedelta(days=1) == after else month_start(last)
    # Whole months are [full_from, full_to).
    if first is not None and full_from >= full_to:
        return [(first, last)], None
    days = []
    if first is not None and first < full_from:
        days.append((first, full_from - dt.timedelta(days=1)))
    if full_to <= last:
        days.append((full_to, last))
    months = (full_from, full_to - dt.timedelta(days=1)) if full_from < full_to else None
    return days, months


def _within(spans: list[Span]) -> Q:
    q = Q(pk__in=[])
    for a, b in spans:
        q |= Q(day__gte=a, day__lte=b)
    return q


def _conditions(period: list[Span], year: list[Span], before: list[Span]) -> dict[str, Q]:
    """The sums of one table as conditions on its rows, given which of its rows fall in the
    period, in the year to the period's end, and before the period (since the checkpoint)."""
    rec = Q(measure=Measure.RECEIVED)
    ended = Q(measure=Measure.ENDED)
    in_period = _within(period)
    in_year = _within(year)
    resolved = ended & in_period & Q(end_kind=EndKind.RESULT)
    late = resolved & Q(dossier_class=DossierClass.LATE)
    return {
        "received": rec & in_period,
        "received_online": rec & in_period & Q(channel=Channel.ONLINE),
        "received_direct": rec & in_period & Q(channel=Channel.DIRECT),
        "received_postal": rec & in_period & Q(channel=Channel.POSTAL),
        "ended_in": ended & in_period,
        "rec_before": rec & _within(before),
        "ended_before": ended & _within(before),
        "resolved": resolved,
        "early": resolved & Q(dossier_class=DossierClass.EARLY),
        "on_time": resolved & Q(dossier_class=DossierClass.ON_TIME),
        "late": late,
        "late_apology": late & Q(has_apology=True),
        "postal_return": resolved & Q(postal_delivery=True),
        "refused": ended & in_period & Q(end_kind=EndKind.REFUSED),
        "withdrawn": ended & in_period & Q(end_kind=EndKind.WITHDRAWN),
        "stopped": ended & in_period & Q(end_kind=EndKind.STOPPED),
        "cum_received": rec & in_year,
        "cum_online": rec & in_year & Q(channel=Channel.ONLINE),
        "cum_postal": rec & in_year & Q(channel=Channel.POSTAL),
        "cum_resolved": ended & in_year & Q(end_kind=EndKind.RESULT),
    }


def rollup_flow_counts(scope: Q, period: Period) -> dict[GroupKey, dict[str, int]]:
    """The flows and stocks of the period per (agency, field, level), from the rollup:
    whole months from ``MonthCount``, the days of partial months from ``DayCount``, and the
    dossiers open at the start from the latest ``MonthBalance`` checkpoint at or before the
    period's month plus the flows since it. At most three queries, whose rows do not grow
    with the period's length (a year is 12 month rows per key) or the history before it.
    ``carried_over`` and ``in_progress`` as in ``figure_conditions``; no ``overdue``."""
    start, end = period.date_from, period.date_to
    checkpoint = MonthBalance.objects.filter(day__lte=start).aggregate(last=Max("day"))["last"]
    p_days, p_months = _split(start, end)
    y_days, y_months = _split(period.year_start, end)
    day_before = start - dt.timedelta(days=1)
    b_days: list[Span]
    b_months: Span | None
    if checkpoint is not None and checkpoint == start:
        b_days, b_months = [], None
    else:
        b_days, b_months = _split(checkpoint, day_before)
    groups: dict[GroupKey, dict[str, int]] = {}
    for model, period_spans, year_spans, before_spans in (
        (DayCount, p_days, y_days, b_days),
        (
            MonthCount,
            [p_months] if p_months else [],
            [y_months] if y_months else [],
            [b_months] if b_months else [],
        ),
    ):
        if not (period_spans or year_spans or before_spans):
            continue
        conds = _conditions(period_spans, year_spans, before_spans)
        rows = (
            model.objects.filter(scope, _within(period_spans + year_spans + before_spans))
            .order_by()
            .values("agency_id", "field_id", "level")
            .annotate(**{k: Sum("n", filter=c) for k, c in conds.items()})
        )
        for values in cast(Iterable[dict[str, Any]], rows):
            key = (values["agency_id"], values["field_id"], values["level"])
            group = groups.setdefault(key, {})
            for k in conds:
                group[k] = group.get(k, 0) + int(values[k] or 0)
    balances = Counter[GroupKey]()
    if checkpoint is not None:
        for agency_id, field_id, level, n in (
            MonthBalance.objects.filter(scope, day=checkpoint)
            .order_by()
            .values_list("agency_id", "field_id", "level")
            .annotate(total=Sum("n"))
        ):
            balances[(agency_id, field_id, level)] += int(n)
    out: dict[GroupKey, dict[str, int]] = {}
    for key in set(groups) | set(balances):
        v = groups.get(key, {})
        counts = {k: v.get(k, 0) for k in FLOW_KEYS}
        carried = balances[key] + v.get("rec_before", 0) - v.get("ended_before", 0)
        counts["carried_over"] = carried
        counts["in_progress"] = carried + counts["received"] - v.get("ended_in", 0)
        counts["overdue"] = 0
        out[key] = counts
    return out


# The ended dossiers' figures (what an on-time rate is made of).
ENDED_KEYS = ("resolved", "early", "on_time", "late", "refused", "withdrawn", "stopped")


def rollup_ended_counts(scope: Q, period: Period) -> dict[tuple[int, str], dict[str, int]]:
    """The period's ended dossiers per (agency, level), from the rollup's rows of its days and
    whole months only: ``ENDED_KEYS`` as ``rollup_flow_counts`` counts them, without the
    stocks (no checkpoint, no year to date), for figures made of the period's results alone."""
    p_days, p_months = _split(period.date_from, period.date_to)
    out: dict[tuple[int, str], dict[str, int]] = {}
    for model, spans in ((DayCount, p_days), (MonthCount, [p_months] if p_months else [])):
        if not spans:
            continue
        conds = {k: c for k, c in _conditions(spans, [], []).items() if k in ENDED_KEYS}
        rows = (
            model.objects.filter(scope, _within(spans), measure=Measure.ENDED)
            .order_by()
            .values("agency_id", "level")
            .annotate(**{k: Sum("n", filter=c) for k, c in conds.items()})
        )
        for values in cast(Iterable[dict[str, Any]], rows):
            counts = out.setdefault((values["agency_id"], values["level"]), {})
            for k in ENDED_KEYS:
                counts[k] = counts.get(k, 0) + int(values[k] or 0)
    return out


# The dashboard's monthly charts' figures (``office.dashboard.MonthFigures``).
MONTH_KEYS = ("received_online", "received_direct", "received_postal", "resolved", "on_time")


def rollup_month_flows(
    scope: Q, date_from: dt.date, date_to: dt.date
) -> dict[dt.date, dict[str, int]]:
    """The period's ``MONTH_KEYS`` per month (its first day), the period cut at month ends:
    the whole months from ``MonthCount``, the days of the partial first and last months from
    ``DayCount``, one grouped query per table (a year is twelve month rows per key). As
    ``reports.period.figure_conditions`` counts them: received by channel, resolved (ended
    with a result), and ``on_time`` the resolved ones early or on time. Months with nothing
    are left out."""
    p_days, p_months = _split(date_from, date_to)
    out: dict[dt.date, dict[str, int]] = {}
    for model, spans in ((DayCount, p_days), (MonthCount, [p_months] if p_months else [])):
        if not spans:
            continue
        conds = _conditions(spans, [], [])
        sums = {k: Sum("n", filter=conds[k]) for k in MONTH_KEYS if k != "on_time"}
        sums["on_time"] = Sum("n", filter=conds["early"] | conds["on_time"])
        rows = model.objects.filter(scope, _within(spans)).order_by().values("day").annotate(**sums)
        for values in cast(Iterable[dict[str, Any]], rows):
            month = out.setdefault(month_start(values["day"]), dict.fromkeys(MONTH_KEYS, 0))
            for k in MONTH_KEYS:
                month[k] += int(values[k] or 0)
    return out


def rollup_grouped_counts(
    agency: Agency | None, period: Period
) -> tuple[dict[GroupKey, dict[str, int]], LateDetail, LateDetail]:
    """The counts of ``period_figures`` per (agency, field, level) from the rollup."""
    scope = scope_q(agency, period.date_to)
    groups = rollup_flow_counts(scope, period)
    blank = dict.fromkeys([*FLOW_KEYS, "carried_over", "in_progress", "overdue"], 0)
    dossiers = Dossier.objects.filter(scope, received_at__isnull=False).order_by()
    # In progress at the end is "still open" or "ended after the end": two ranges of
    # ``dossier_at_end``, each read from the index alone, where the one condition with its
    # OR made PostgreSQL read the table. The conditions are ``figure_conditions``'s
    # "overdue", said for each part without the OR.
    overdue_at_end = Q(received_at__lt=period.end, due_at__lt=period.last_day_start) & ~Q(
        status__in=CLOCK_PAUSED_STATUSES
    )
    for agency_id, field_id, level, n in (
        dossiers.filter(overdue_at_end, ended_at__isnull=True)
        .values_list("agency_id", "field_id", "level")
        .annotate(n=Count("*"))
    ):
        groups.setdefault((agency_id, field_id, level), dict(blank))["overdue"] += n
    for key in ended_after(
        dossiers.filter(overdue_at_end), period.end, "agency_id", "field_id", "level"
    ):
        groups.setdefault(key, dict(blank))["overdue"] += 1
    for e in overdue_exceptions(dossiers, period, timezone.now()):
        key = (e.agency_id, e.field_id, e.level)
        groups.setdefault(key, dict(blank))["overdue"] += 1 if e.overdue else -1

    # Footnote 1 (late results by reason and by steps) from the rollup's late rows: the
    # period's whole months and the days of its partial ones, like the flows.
    reasons: LateDetail = defaultdict(lambda: defaultdict(int))
    steps: LateDetail = defaultdict(lambda: defaultdict(int))
    p_days, p_months = _split(period.date_from, period.date_to)
    late_rows = Q(measure=Measure.ENDED, end_kind=EndKind.RESULT, dossier_class=DossierClass.LATE)
    for model, spans in ((DayCount, p_days), (MonthCount, [p_months] if p_months else [])):
        if not spans:
            continue
        late: Any = (
            model.objects.filter(scope, late_rows, _within(spans))
            .order_by()
            .values("agency_id", "late_reason", "late_steps")
            .annotate(total=Sum("n"))
        )
        for row in late:
            reasons[row["agency_id"]][row["late_reason"]] += row["total"]
            steps[row["agency_id"]][row["late_steps"]] += row["total"]
    return groups, reasons, steps


def rollup_columns(model: Any) -> list[str]:
    """A rollup table's columns, ``day`` first (the shared base puts it last otherwise)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "day")]
    return ["day", *names]


def _folded(model: Any) -> list[tuple[Any, ...]]:
    """A rollup table's counts, one tuple per key with the sum of its rows (changes are
    appended as rows of differences until ``rollup_compact`` folds them), zeros left out."""
    columns = rollup_columns(model)
    rows = (
        model.objects.order_by()
        .values(*columns[:-1])
        .annotate(total=Sum("n"))
        .values_list(*columns[:-1], "total")
    )
    return sorted(row for row in rows if row[-1])


def rollup_table_rows() -> list[tuple[Any, ...]]:
    """Every rollup count as a sorted tuple (to compare the kept rollup with a rebuilt one)."""
    return _folded(DayCount)


def rollup_month_rows() -> list[tuple[Any, ...]]:
    """Every ``MonthCount`` and ``MonthBalance`` count as a sorted tuple, tagged by table."""
    out: list[tuple[Any, ...]] = []
    for tag, model in (("month", MonthCount), ("balance", MonthBalance)):
        out += [(tag, *row) for row in _folded(model)]
    return sorted(out, key=repr)


__all__ = [
    "ENDED_KEYS",
    "MONTH_KEYS",
    "rollup_columns",
    "rollup_ended_counts",
    "rollup_flow_counts",
    "rollup_grouped_counts",
    "rollup_month_flows",
    "rollup_month_rows",
    "rollup_table_rows",
]
