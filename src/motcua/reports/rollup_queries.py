"""The period figures' grouped counts read from the daily rollup instead of the dossiers.

``rollup_grouped_counts`` returns what ``reports.queries._grouped_counts`` returns (counts per
(competent agency, field, level), late dossiers by reason and by steps) for whole local days,
so ``reports.queries.period_figures(..., source="rollup")`` lays out the same report. Flows
are sums of the period's days; carried over and in progress are sums before the start and
before the end (received minus ended). Overdue at the end and the late reasons are counted
on the few dossiers concerned (in progress at the end; resolved late in the period) with the
conditions of ``reports.period``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, cast

from django.db.models import Count, Q, Sum
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.dossiers.models import Channel, Dossier, DossierClass, EndKind
from motcua.reports.period import Period, figure_conditions, overdue_exceptions, scope_q
from motcua.rollup.models import DayCount, Measure

GroupKey = tuple[int, int, str]
LateDetail = dict[int, dict[str, int]]


def _conditions(period: Period) -> dict[str, Q]:
    start, end = period.date_from, period.date_to
    jan1 = period.year_start
    rec = Q(measure=Measure.RECEIVED)
    ended = Q(measure=Measure.ENDED)
    in_period = Q(day__gte=start, day__lte=end)
    in_year = Q(day__gte=jan1, day__lte=end)
    before = Q(day__lt=start)
    resolved = ended & in_period & Q(end_kind=EndKind.RESULT)
    late = resolved & Q(dossier_class=DossierClass.LATE)
    return {
        "received": rec & in_period,
        "received_online": rec & in_period & Q(channel=Channel.ONLINE),
        "received_direct": rec & in_period & Q(channel=Channel.DIRECT),
        "received_postal": rec & in_period & Q(channel=Channel.POSTAL),
        "rec_before": rec & before,
        "ended_before": ended & before,
        "rec_to_end": rec,
        "ended_to_end": ended,
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


def rollup_grouped_counts(
    agency: Agency | None, period: Period
) -> tuple[dict[GroupKey, dict[str, int]], LateDetail, LateDetail]:
    """The counts of ``period_figures`` per (agency, field, level) from the rollup."""
    scope = scope_q(agency, period.date_to)
    conds = _conditions(period)
    sums = {key: Sum("n", filter=cond) for key, cond in conds.items()}
    rows = (
        DayCount.objects.filter(scope, day__lte=period.date_to)
        .order_by()
        .values("agency_id", "field_id", "level")
        .annotate(**sums)
    )
    groups: dict[GroupKey, dict[str, int]] = {}
    for values in cast(Iterable[dict[str, Any]], rows):
        v: dict[str, int] = {k: int(values[k] or 0) for k in conds}
        key = (values["agency_id"], values["field_id"], values["level"])
        counts = {k: v[k] for k in conds if not k.endswith(("_before", "_to_end"))}
        counts["carried_over"] = v["rec_before"] - v["ended_before"]
        counts["in_progress"] = v["rec_to_end"] - v["ended_to_end"]
        counts["overdue"] = 0
        groups[key] = counts

    dossiers = Dossier.objects.filter(scope, received_at__isnull=False).order_by()
    fig = figure_conditions(period)
    blank = dict.fromkeys(
        [k for k in conds if not k.endswith(("_before", "_to_end"))]
        + ["carried_over", "in_progress", "overdue"],
        0,
    )
    overdue = (
        dossiers.filter(fig["overdue"])
        .values("agency_id", "field_id", "level")
        .annotate(n=Count("pk"))
    )
    for row in overdue:
        key = (row["agency_id"], row["field_id"], row["level"])
        groups.setdefault(key, dict(blank))["overdue"] += row["n"]
    for e in overdue_exceptions(dossiers, period, timezone.now()):
        key = (e.agency_id, e.field_id, e.level)
        groups.setdefault(key, dict(blank))["overdue"] += 1 if e.overdue else -1

    reasons: LateDetail = defaultdict(lambda: defaultdict(int))
    steps: LateDetail = defaultdict(lambda: defaultdict(int))
    late: Any = (
        dossiers.filter(fig["late"])
        .values("agency_id", "late_reason", "late_steps")
        .annotate(n=Count("pk"))
    )
    for row in late:
        reasons[row["agency_id"]][row["late_reason"]] += row["n"]
        steps[row["agency_id"]][row["late_steps"]] += row["n"]
    return groups, reasons, steps


def rollup_table_rows() -> list[tuple[Any, ...]]:
    """Every rollup row as a sorted tuple (to compare the kept rollup with a rebuilt one)."""
    names = [f.attname for f in DayCount._meta.concrete_fields if f.attname != "id"]
    return sorted(DayCount.objects.values_list(*names))


__all__ = ["rollup_grouped_counts", "rollup_table_rows"]
