"""Period figures (domain.md §7): the numbers behind section III of the quarterly report.

Everything here is a read over the denormalised, indexed columns of ``Dossier`` (house style:
a period report is a handful of grouped counts). One grouped query with conditional counts
gives every count of the period and of the cumulative, per (competent agency, field, level);
the totals, the per-agency and per-field rows of biểu II.06a are sums of those few hundred
rows. Three small queries add what cannot be a plain count: late reasons and steps, in-progress
dossiers that were waiting for a supplement at the end, and guidance contacts.

Choices made where domain.md §7 leaves room (each is tested in tests/reports/):

- Period bounds: whole local days (Asia/Ho_Chi_Minh): ``[from 00:00, to + 1 day 00:00)`` as
  aware instants; stored instants are UTC, so 2022-06-04T17:30Z (5/6 00:30 local) is inside
  a period starting 5/6.
- The conditions of each figure are stated once, in ``reports.period`` (which the dashboard
  counts and lists with too); this module counts them and lays out the report.
- Scope: the dossier's *competent* agency (``Dossier.agency``) is the scope agency or one of
  its descendants (the ``parent`` tree, which the materialised ``path`` mirrors); no scope
  means the whole province. After a merger the scope also takes in the agencies whose work
  passed into it by the period's last day (their successor, or their parent's, is in the
  scope: ``agencies.queries.agency_inherited_ids``). Domain.md says only that a merged
  agency keeps its past dossiers (§2); a provincial office reports by the agencies that
  exist at the period's end, so the successor's figures carry over what its predecessors
  left open and its lũy kế includes their work of the same year, and the province's total
  is still the sum of its current agencies. The predecessor's own report keeps its history;
  a successor's report for a period that ended before the merger inherits nothing. The
  receiving unit is not used for an agency that decides (a department, a committee): the
  history interchange format does not carry it, and an agency's figures must not change with
  where a dossier happened to be handed in. A service centre's figures are about what it
  received (``reports.period.counts_received``): its dossiers are those whose competent
  agency is in its subtree or which a unit of its subtree received, the same scope as its
  manager's dashboard. Guidance
  contacts are scoped by the unit that gave them (and the units taken over).
- A dossier without ``received_at`` (rejected at intake, or submitted and never accepted) is
  excluded from every figure.
- Carried over: received before the period start and not ended before it (ended at or after
  the start instant, or not ended).
- Resolved / returned / withdrawn: ended in the period, by ``end_kind`` (result / refused /
  withdrawn or stopped; withdrawn and stopped are also given apart). Postal return counts the
  resolved dossiers whose result was delivered by post, whenever the delivery happened.
- In progress at the end: received before the end instant and not ended before it.
  Overdue: the legal due date (``due_at``, before any extension, as for classification)
  falls on a local date *before* the period's last day (so a dossier due on the last day
  itself is within due), unless the dossier was waiting for a supplement at the end: the
  latest supplement event before the end is a request (or it is waiting now and the request
  came before the end). A dossier without a due date is within due. The due date is the one
  in force at the end: when a supplement received after the period restarted the clock, the
  date it replaced (from the event or the import's due-date explanation) is used.
- Identity: received + carried over = resolved + returned + withdrawn + in progress holds by
  construction (each dossier received before the end and not ended before the start falls in
  exactly one right-hand term), given that no dossier ends before its receipt (the importer
  refuses such a record).
- Cumulative: from 1 January of the year of the period's last day (``to``) to the period's
  end; resolved counts results ended in that span.
- Percentages: ``motcua.core.formatting.pct`` (half up, two decimals); returned is a share of
  received + carried over.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency, Level
from motcua.catalog.models import Field
from motcua.core.dbrouter import reads_from_replica
from motcua.core.formatting import pct
from motcua.dossiers.models import Dossier, Guidance, GuidanceKind
from motcua.reports.models import ReportRequest, ReportStatus
from motcua.reports.period import (
    Period,
    ReportError,
    agency_subtree_ids,
    figure_conditions,
    local_midnight,
    make_period,
    overdue_exceptions,
    scope_agency_ids,
    scope_q,
)

__all__ = [
    "PERIOD_REPORT_SCHEMA",
    "Period",
    "ReportError",
    "agency_subtree_ids",
    "guidance_counts",
    "ii06a_columns",
    "local_midnight",
    "make_period",
    "period_figures",
    "report_request_done_for",
    "report_request_list_for",
    "scope_agency_ids",
    "scoped_dossiers",
    "sum_counts",
]

# The counts of one row; the same names are keys of every row of the grouped query.
COUNT_KEYS = (
    "received",
    "received_online",
    "received_direct",
    "received_postal",
    "carried_over",
    "resolved",
    "early",
    "on_time",
    "late",
    "late_apology",
    "postal_return",
    "refused",
    "withdrawn",
    "stopped",
    "in_progress",
    "overdue",
    "cum_received",
    "cum_online",
    "cum_postal",
    "cum_resolved",
)

# The JSON schema the figures are valid under (a copy of spec/period-report.schema.json).
PERIOD_REPORT_SCHEMA = Path(__file__).with_name("period-report.schema.json")

LEVEL_ORDER = [Level.PROVINCE, Level.DISTRICT, Level.COMMUNE]


def scoped_dossiers(agency: Agency | None, day: dt.date | None = None) -> QuerySet[Dossier]:
    """Received dossiers in the scope (never-received ones are excluded everywhere); with
    ``day``, including what the scope inherited through mergers by that day
    (``reports.period.scope_q``)."""
    return Dossier.objects.filter(scope_q(agency, day), received_at__isnull=False).order_by()


def _relevant(qs: QuerySet[Dossier], period: Period) -> QuerySet[Dossier]:
    """Only dossiers that can count anywhere: received before the end and not ended before
    the earlier of the period start and 1 January (keeps the scan to the period's rows)."""
    lower = min(period.start, local_midnight(period.year_start))
    return qs.filter(received_at__lt=period.end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=lower)
    )


GroupKey = tuple[int, int, str]  # (agency id, field id, level)


LateDetail = dict[int, dict[str, int]]


def _grouped_counts(
    qs: QuerySet[Dossier], period: Period
) -> tuple[dict[GroupKey, dict[str, int]], LateDetail, LateDetail]:
    """One scan: conditional counts per (agency, field, level, late reason, late steps). The
    late reason and steps are part of the key so that footnote 1 needs no second query; they
    are summed away for everything else. Returns the counts per (agency, field, level) and the
    late dossiers per agency by reason and by steps."""
    conds = figure_conditions(period)
    counts = {key: Count("pk", filter=conds[key]) for key in COUNT_KEYS}
    rows = (
        _relevant(qs, period)
        .values("agency_id", "field_id", "level", "late_reason", "late_steps")
        .annotate(**counts)
    )
    groups: dict[GroupKey, dict[str, int]] = {}
    reasons: LateDetail = defaultdict(lambda: defaultdict(int))
    steps: LateDetail = defaultdict(lambda: defaultdict(int))
    for values in cast(Iterable[dict[str, Any]], rows):
        key = (values["agency_id"], values["field_id"], values["level"])
        group = groups.setdefault(key, dict.fromkeys(counts, 0))
        for k in counts:
            group[k] += values[k]
        if values["late"]:
            reasons[key[0]][values["late_reason"]] += values["late"]
            steps[key[0]][values["late_steps"]] += values["late"]
    # Past periods: the few dossiers whose history contradicts the overdue column test.
    for e in overdue_exceptions(qs, period, timezone.now()):
        group = groups.setdefault((e.agency_id, e.field_id, e.level), dict.fromkeys(counts, 0))
        group["overdue"] += 1 if e.overdue else -1
    return groups, reasons, steps


def sum_counts(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for row in rows:
        for k, v in row.items():
            total[k] += v
    for k in COUNT_KEYS:
        total.setdefault(k, 0)
    return dict(total)


def _as_float(value: Any) -> float:
    return float(value)


def ii06a_columns(c: dict[str, int]) -> dict[str, int]:
    """Biểu II.06a (TT 01/2020/TT-VPCP): refused and withdrawn/stopped dossiers are shown inside
    "resolved, on time" (domain.md §7), so received + carried over = resolved + in progress."""
    others = c["refused"] + c["withdrawn"] + c["stopped"]
    overdue = c["overdue"]
    return {
        "received_total": c["received"] + c["carried_over"],
        "received_online": c["received_online"],
        "received_direct_postal": c["received_direct"] + c["received_postal"],
        "carried_over": c["carried_over"],
        "resolved_total": c["resolved"] + others,
        "resolved_early": c["early"],
        "resolved_on_time": c["on_time"] + others,
        "resolved_late": c["late"],
        "in_progress_total": c["in_progress"],
        "in_progress_within_due": c["in_progress"] - overdue,
        "in_progress_overdue": overdue,
    }


II06A_COLUMNS = [
    ("tt", "TT"),
    ("name", "Lĩnh vực / cơ quan giải quyết"),
    ("received_total", "Tổng số hồ sơ tiếp nhận"),
    ("received_online", "Trực tuyến"),
    ("received_direct_postal", "Trực tiếp, dịch vụ bưu chính"),
    ("carried_over", "Từ kỳ trước chuyển qua"),
    ("resolved_total", "Tổng số hồ sơ đã giải quyết"),
    ("resolved_early", "Trước hạn"),
    ("resolved_on_time", "Đúng hạn"),
    ("resolved_late", "Quá hạn"),
    ("in_progress_total", "Tổng số hồ sơ đang giải quyết"),
    ("in_progress_within_due", "Trong hạn"),
    ("in_progress_overdue", "Quá hạn"),
]


def _ii06a_table(
    groups: dict[GroupKey, dict[str, int]],
    dim: int,
    names: dict[int, tuple[str, str]],
) -> dict[str, Any]:
    """Rows of biểu II.06a by field (dim 1) or by agency (dim 0), under level subtotals."""
    by_level: dict[str, dict[int, list[dict[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for key, counts in groups.items():
        by_level[key[2]][int(key[dim])].append(counts)
    levels = []
    for level in _level_sorted(by_level):
        rows = []
        for pk, parts in by_level[level].items():
            code, name = names.get(pk, ("", str(pk)))
            rows.append({"code": code, "name": name, **ii06a_columns(sum_counts(parts))})
        rows.sort(key=lambda r: (str(r["name"]), str(r["code"])))
        for i, row in enumerate(rows, start=1):
            row["tt"] = i
        level_counts = sum_counts(c for parts in by_level[level].values() for c in parts)
        levels.append(
            {
                "level": level,
                "name": str(Level(level).label) if level in Level.values else level,
                "subtotal": ii06a_columns(level_counts),
                "rows": rows,
            }
        )
    return {"levels": levels, "total": ii06a_columns(sum_counts(groups.values()))}


@reads_from_replica()
def period_figures(
    *,
    date_from: dt.date,
    date_to: dt.date,
    agency: Agency | None = None,
    source: str = "dossiers",
) -> dict[str, Any]:
    """The figures of a period report for a scope, as a JSON-ready dict valid under
    ``spec/period-report.schema.json`` (plus extra keys: ``withdrawn_detail``, ``by_level``,
    ``table_ii06a``, ``identity``). Definitions and choices: this module's docstring.

    ``source="rollup"`` counts from the daily rollup (``motcua.rollup``): the same figures,
    at a cost that does not grow with the period's dossiers."""
    period = make_period(date_from, date_to)
    if source == "rollup":
        from motcua.reports.rollup_queries import rollup_grouped_counts

        groups, late_reasons, late_steps = rollup_grouped_counts(agency, period)
    else:
        qs = scoped_dossiers(agency, period.date_to)
        groups, late_reasons, late_steps = _grouped_counts(qs, period)
    return figures_from_counts(agency, period, groups, late_reasons, late_steps)


def figures_from_counts(
    agency: Agency | None,
    period: Period,
    groups: dict[GroupKey, dict[str, int]],
    late_reasons: LateDetail,
    late_steps: LateDetail,
) -> dict[str, Any]:
    """``period_figures`` laid out from the grouped counts of its scope (so that counts read
    once for many scopes, ``reports.indicators.indicators_for_agencies``, give each scope's
    report)."""
    date_from, date_to = period.date_from, period.date_to
    # A group that counts nothing in the period (its dossiers ended before it) shows no row.
    groups = {key: c for key, c in groups.items() if any(c.values())}
    t = sum_counts(groups.values())

    agency_ids = {key[0] for key in groups}
    agencies = {
        a.pk: (a.code, a.name)
        for a in Agency.objects.filter(pk__in=agency_ids).only("code", "name")
    }
    field_ids = {key[1] for key in groups}
    fields = {f.pk: ("", f.name) for f in Field.objects.filter(pk__in=field_ids)}

    received_total = t["received"]
    resolved_total = t["resolved"]
    overdue = t["overdue"]
    withdrawn_total = t["withdrawn"] + t["stopped"]

    per_agency = _rollup(groups, 0)

    def by_agency(count_key: str) -> list[dict[str, Any]]:
        items = [
            {"agency": agencies[pk][0], "name": agencies[pk][1], "count": c[count_key]}
            for pk, c in per_agency.items()
            if c[count_key]
        ]
        items.sort(key=_by_count_then_code)
        return items

    guidance = guidance_counts(agency, period)

    figures: dict[str, Any] = {
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "scope": {
            "agency": agency.code if agency else None,
            "name": agency.name if agency else _("Toàn tỉnh"),
        },
        "received": {
            "total": received_total,
            "online": t["received_online"],
            "direct": t["received_direct"],
            "postal": t["received_postal"],
            "online_pct": _as_float(pct(t["received_online"], received_total)),
            "postal_pct": _as_float(pct(t["received_postal"], received_total)),
        },
        "carried_over": t["carried_over"],
        "resolved": {
            "total": resolved_total,
            "early": t["early"],
            "on_time": t["on_time"],
            "late": t["late"],
            "early_pct": _as_float(pct(t["early"], resolved_total)),
            "on_time_pct": _as_float(pct(t["on_time"], resolved_total)),
            "late_pct": _as_float(pct(t["late"], resolved_total)),
            "postal_return": t["postal_return"],
            "postal_return_pct": _as_float(pct(t["postal_return"], resolved_total)),
        },
        "returned": {
            "total": t["refused"],
            "pct": _as_float(pct(t["refused"], received_total + t["carried_over"])),
            "by_agency": by_agency("refused"),
        },
        "withdrawn": withdrawn_total,
        "withdrawn_detail": {"withdrawn": t["withdrawn"], "stopped": t["stopped"]},
        "in_progress": {
            "total": t["in_progress"],
            "within_due": t["in_progress"] - overdue,
            "overdue": overdue,
        },
        "late_by_agency": _late_by_agency(agencies, per_agency, late_reasons, late_steps),
        "guidance": guidance["period"],
        "cumulative": {
            "from": period.year_start.isoformat(),
            "received": t["cum_received"],
            "online": t["cum_online"],
            "postal": t["cum_postal"],
            "resolved": t["cum_resolved"],
            "guidance": guidance["cumulative"],
        },
        "by_level": _by_level(groups),
        "by_agency_level": _by_agency_level(groups, agencies),
        "identity": {
            "left": received_total + t["carried_over"],
            "right": resolved_total + t["refused"] + withdrawn_total + t["in_progress"],
        },
        "table_ii06a": {
            "columns": [{"key": k, "label": label} for k, label in II06A_COLUMNS],
            "by_field": _ii06a_table(groups, 1, fields),
            "by_agency": _ii06a_table(groups, 0, agencies),
        },
    }
    figures["identity"]["holds"] = figures["identity"]["left"] == figures["identity"]["right"]
    return figures


def _rollup(groups: dict[GroupKey, dict[str, int]], dim: int) -> dict[Any, dict[str, int]]:
    """Sum the grouped counts over one dimension of the key (0 agency, 1 field, 2 level)."""
    parts: dict[Any, list[dict[str, int]]] = defaultdict(list)
    for key, counts in groups.items():
        parts[key[dim]].append(counts)
    return {k: sum_counts(v) for k, v in parts.items()}


def _level_sorted(levels: Iterable[str]) -> list[str]:
    present = set(levels)
    return [lv for lv in LEVEL_ORDER if lv in present] + sorted(
        lv for lv in present if lv not in LEVEL_ORDER
    )


def _by_level(groups: dict[GroupKey, dict[str, int]]) -> list[dict[str, Any]]:
    per_level = _rollup(groups, 2)
    return [{"level": level, **_report_row(per_level[level])} for level in _level_sorted(per_level)]


def _by_agency_level(
    groups: dict[GroupKey, dict[str, int]], names: dict[int, tuple[str, str]]
) -> list[dict[str, Any]]:
    """The report's figures per (level, competent agency), as ``by_level`` counts them (the
    period's received, its results; not biểu II.06a's totals with the carried over and the
    returned), by level then name."""
    parts: dict[tuple[str, int], list[dict[str, int]]] = defaultdict(list)
    for (agency_id, _field_id, level), counts in groups.items():
        parts[(level, agency_id)].append(counts)
    order = {level: i for i, level in enumerate(_level_sorted(level for level, _a in parts))}
    rows: list[dict[str, Any]] = [
        {
            "level": level,
            "code": names.get(agency_id, ("", ""))[0],
            "name": names.get(agency_id, ("", str(agency_id)))[1],
            **_report_row(sum_counts(counts)),
        }
        for (level, agency_id), counts in parts.items()
    ]
    rows.sort(key=lambda r: (order[r["level"]], str(r["name"]), str(r["code"])))
    return rows


def _report_row(c: dict[str, int]) -> dict[str, int]:
    """One row of the report's figures (by level, by agency) from its summed counts."""
    overdue = c["overdue"]
    return {
        "received": c["received"],
        "online": c["received_online"],
        "direct": c["received_direct"],
        "postal": c["received_postal"],
        "carried_over": c["carried_over"],
        "resolved": c["resolved"],
        "early": c["early"],
        "on_time": c["on_time"],
        "late": c["late"],
        "postal_return": c["postal_return"],
        "returned": c["refused"],
        "withdrawn": c["withdrawn"] + c["stopped"],
        "in_progress": c["in_progress"],
        "overdue": overdue,
    }


def _late_by_agency(
    agencies: dict[int, tuple[str, str]],
    per_agency: dict[int, dict[str, int]],
    reasons: LateDetail,
    steps: LateDetail,
) -> list[dict[str, Any]]:
    """Late dossiers by competent agency, with reasons and failing steps (seed footnote 1);
    steps are kept as recorded (e.g. "Sở KHĐT; UBND tỉnh" is one entry)."""
    items = []
    for pk, c in per_agency.items():
        if not c["late"]:
            continue
        items.append(
            {
                "agency": agencies[pk][0],
                "name": agencies[pk][1],
                "count": c["late"],
                "with_apology": c["late_apology"],
                "without_apology": c["late"] - c["late_apology"],
                "reasons": _ranked(reasons[pk], "reason"),
                # A late dossier with no step known (none recorded, no control-slip row
                # overran) names no step: the list shows only known ones, never "".
                "steps": _ranked(
                    {step: n for step, n in steps[pk].items() if step.strip()}, "step"
                ),
            }
        )
    items.sort(key=_by_count_then_code)
    return items


def _by_count_then_code(item: dict[str, Any]) -> tuple[int, str]:
    return (-int(item["count"]), str(item["agency"]))


def _ranked(counts: dict[str, int], label: str) -> list[dict[str, Any]]:
    return [
        {label: k, "count": n} for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def guidance_counts(agency: Agency | None, period: Period) -> dict[str, Any]:
    """Guidance contacts by kind in the period, and their cumulative total; scoped by the unit
    that gave them."""
    jan1 = local_midnight(period.year_start)
    qs = Guidance.objects.filter(at__gte=min(period.start, jan1), at__lt=period.end).order_by()
    if agency is not None:
        qs = qs.filter(unit_id__in=scope_agency_ids(agency, period.date_to))
    in_period = Q(at__gte=period.start)
    agg = qs.aggregate(
        direct=Count("pk", filter=in_period & Q(kind=GuidanceKind.DIRECT)),
        outgoing_call=Count("pk", filter=in_period & Q(kind=GuidanceKind.OUTGOING_CALL)),
        incoming_call=Count("pk", filter=in_period & Q(kind=GuidanceKind.INCOMING_CALL)),
        cumulative=Count("pk", filter=Q(at__gte=jan1)),
    )
    kinds = {k: agg[k] for k in ("direct", "outgoing_call", "incoming_call")}
    return {"period": {"total": sum(kinds.values()), **kinds}, "cumulative": agg["cumulative"]}


# --- the period reports asked for (reports.models.ReportRequest) -----------------------------


def report_request_list_for(
    user: AbstractBaseUser | AnonymousUser, limit: int = 5
) -> list[ReportRequest]:
    """The user's latest report requests, newest first (one query)."""
    if not user.is_authenticated:
        return []
    return list(ReportRequest.objects.filter(requested_by_id=user.pk)[:limit])


def report_request_done_for(
    user: AbstractBaseUser | AnonymousUser, pk: int
) -> ReportRequest | None:
    """A report the user asked for (only their own: its scope was checked when asked), once
    made; None otherwise ("missing" and "not yours" look the same)."""
    if not user.is_authenticated:
        return None
    return ReportRequest.objects.filter(
        pk=pk, requested_by_id=user.pk, status=ReportStatus.DONE
    ).first()
