"""The leadership dashboard: a period's figures for the user's scope, each one a link to
the dossiers behind it.

The figures are the report's (domain.md §7): their conditions and their scope come from
``reports.period``, the one statement that ``motcua report`` counts too; this module only
counts them faster (``period_counts``: grouped index ranges, a ``FILTER`` per condition) and
makes the drill-down filters (``period_filter``). For any past period the dashboard shows
``motcua report``'s numbers for the agency the user leads
(tests/reports/test_dashboard_equals_report.py).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency
from motcua.agencies.queries import scope_root
from motcua.core.access import staff_profile
from motcua.core.dbrouter import reads_from_replica
from motcua.core.formatting import vn_date, vn_rate
from motcua.core.models import Role
from motcua.dossiers.models import Channel, Dossier, GuidanceKind, Status
from motcua.dossiers.scope import READ_ALL_ROLES, sees_received
from motcua.office.risk import RiskClock, risk_clock
from motcua.reports.period import (
    OverdueException,
    Period,
    figure_conditions,
    overdue_exceptions,
    overdue_q,
    scope_q,
    within_due_q,
)
from motcua.reports.queries import guidance_counts as report_guidance_counts

AnyUser = AbstractBaseUser | AnonymousUser


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The quarter so far: provinces report by quarter (the seed report is quarterly)."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    return dt.date(today.year, first_month, 1), today


@dataclass(frozen=True)
class Preset:
    label: str
    date_from: dt.date
    date_to: dt.date


def period_presets(today: dt.date) -> list[Preset]:
    """The periods leaders report on (quarter, half-year, year: the provinces' reporting
    periods), this one so far and the last one whole, offered beside the dates."""
    quarter = (today.month - 1) // 3
    q_start = dt.date(today.year, 3 * quarter + 1, 1)
    prev_q_start = dt.date(today.year - (quarter == 0), 3 * ((quarter - 1) % 4) + 1, 1)
    half_start = dt.date(today.year, 1 if today.month <= 6 else 7, 1)
    prev_half_start = (
        dt.date(today.year - 1, 7, 1) if today.month <= 6 else dt.date(today.year, 1, 1)
    )
    day = dt.timedelta(days=1)
    return [
        Preset(str(_("Quý này")), q_start, today),
        Preset(str(_("Quý trước")), prev_q_start, q_start - day),
        Preset(str(_("6 tháng này")), half_start, today),
        Preset(str(_("6 tháng trước")), prev_half_start, half_start - day),
        Preset(str(_("Năm nay")), dt.date(today.year, 1, 1), today),
        Preset(str(_("Năm trước")), dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
    ]


def period_read(form: Any, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The period a ``PeriodForm`` asks for, a missing end taken from the default period
    (the quarter so far); None, with the error added to the form, when it is invalid or
    reversed (no figures are shown for a period that ends before it starts)."""
    default_from, default_to = default_period(today)
    if not form.is_bound:
        return default_from, default_to
    if not form.is_valid():
        return None
    date_from = form.cleaned_data["date_from"] or default_from
    date_to = form.cleaned_data["date_to"] or default_to
    if date_to < date_from:
        form.add_error(
            None,
            _("Kỳ không hợp lệ: ngày kết thúc (%(end)s) trước ngày bắt đầu (%(start)s).")
            % {"start": vn_date(date_from), "end": vn_date(date_to)},
        )
        return None
    return date_from, date_to


@dataclass(frozen=True)
class PeriodFilter:
    key: str
    label: str
    q: Q


# The dashboard's figures of domain.md §7, by the key of ``reports.period.figure_conditions``
# they are; the dashboard names two apart ("within due" and "overdue" of in progress) and
# adds two "now" figures that no report has (at risk, late without an apology).
FIGURE_OF = {
    "received": "received",
    "received_online": "received_online",
    "received_direct": "received_direct",
    "received_postal": "received_postal",
    "carried_over": "carried_over",
    "resolved": "resolved",
    "early": "early",
    "on_time": "on_time",
    "late": "late",
    "postal_return": "postal_return",
    "refused": "refused",
    "withdrawn": "withdrawn_or_stopped",
    "in_progress": "in_progress",
}
LABELS = {
    "received": _("Tiếp nhận trong kỳ"),
    "received_online": _("Nộp trực tuyến"),
    "received_direct": _("Nộp trực tiếp"),
    "received_postal": _("Nộp qua bưu chính công ích"),
    "carried_over": _("Từ kỳ trước chuyển qua"),
    "resolved": _("Đã giải quyết"),
    "early": _("Trước hạn"),
    "on_time": _("Đúng hạn"),
    "late": _("Quá hạn"),
    "postal_return": _("Trả kết quả qua bưu chính"),
    "refused": _("Trả lại"),
    "withdrawn": _("Rút, dừng giải quyết"),
    "in_progress": _("Đang giải quyết cuối kỳ"),
    "in_progress_within_due": _("Đang giải quyết, trong hạn"),
    "in_progress_overdue": _("Đang giải quyết, quá hạn"),
    "at_risk": _("Có nguy cơ trễ hạn"),
    "late_no_apology": _("Trễ hạn chưa có thư xin lỗi"),
}

OPEN = Q(ended_at__isnull=True)
OPEN_RECEIVED = OPEN & Q(received_at__isnull=False)


def period_filters(
    date_from: dt.date,
    date_to: dt.date,
    risk: RiskClock,
    exceptions: Sequence[OverdueException] = (),
) -> list[PeriodFilter]:
    """The period's figures as filters over ``Dossier``: the conditions of
    ``reports.period`` (the report's own), "overdue" corrected by ``exceptions``
    (``reports.period.overdue_exceptions`` over the same dossiers; none for a period not
    yet over), and the two "now" figures: at risk, late without an apology.

    ``period_counts`` counts them by other means (grouped index ranges); the tests check
    that each of its numbers is the length of the list these filters give, and that they
    are ``motcua report``'s numbers."""
    period = Period(date_from, date_to)
    conds = figure_conditions(period)
    figures = [PeriodFilter(key, str(LABELS[key]), conds[c]) for key, c in FIGURE_OF.items()]
    figures += [
        PeriodFilter(
            "in_progress_within_due",
            str(LABELS["in_progress_within_due"]),
            within_due_q(exceptions, period),
        ),
        PeriodFilter(
            "in_progress_overdue", str(LABELS["in_progress_overdue"]), overdue_q(exceptions, period)
        ),
    ]
    # "Now" figures concern open received dossiers (as every processing dossier is): said
    # outright so that they are counted with the others, over the open dossiers' index.
    processing = Q(status=Status.PROCESSING) & OPEN_RECEIVED
    figures += [
        # Due within one working day, or the current step over its budget (office.risk).
        PeriodFilter("at_risk", str(LABELS["at_risk"]), risk.at_risk_q() & OPEN_RECEIVED),
        PeriodFilter(
            "late_no_apology",
            str(LABELS["late_no_apology"]),
            Q(has_apology=False) & (conds["late"] | (processing & Q(due_at__lt=risk.now))),
        ),
    ]
    return figures


RECEIVED_BY_CHANNEL = {
    Channel.ONLINE: "received_online",
    Channel.DIRECT: "received_direct",
    Channel.POSTAL: "received_postal",
}
# The ended-in-the-period query's counts, in its order.
ENDED_KEYS = (
    "carried_over",
    "resolved",
    "early",
    "on_time",
    "late",
    "postal_return",
    "late_no_apology",
    "refused",
    "withdrawn",
)


def period_filter(
    key: str, user: AnyUser, date_from: dt.date, date_to: dt.date, risk: RiskClock | None = None
) -> PeriodFilter | None:
    """The drill-down list of one figure for ``user``: its filter within the figures' scope
    (``figure_scope``), so that the list is the dossiers the number counts."""
    risk = risk or risk_clock(timezone.now())
    scope, _wide = figure_scope(user, date_to)
    exceptions: Sequence[OverdueException] = ()
    if key in ("in_progress_overdue", "in_progress_within_due"):
        exceptions = overdue_exceptions(
            Dossier.objects.filter(scope, received_at__isnull=False),
            Period(date_from, date_to),
            risk.now,
        )
    for f in period_filters(date_from, date_to, risk, exceptions):
        if f.key == key:
            return PeriodFilter(f.key, f.label, f.q & scope)
    return None


# The figures of the table by agency; an agency with none of them in the period is left out.
BY_AGENCY = ("received", "resolved", "late", "in_progress_overdue")


def figure_scope(user: AnyUser, day: dt.date) -> tuple[Q, bool]:
    """The dossiers of the user's figures for a period ending on ``day``: the report's scope
    (``reports.period.scope_q``) of the agency they lead (a unit counts as its agency), with
    what their one-stop unit received if they work at the counter's side (a service centre's
    manager or leader: ``dossiers.scope.sees_received``); the province for the provincial
    office and auditors. The same scope as ``motcua report --agency`` of that agency, and
    within what the user may see (``dossier_scope_q``), so a figure's list is its number.

    And whether the scope is wide (the province, or a centre with what it received for
    other agencies) rather than a list of the user's own agencies."""
    profile = staff_profile(user)
    if profile is None or profile.role == Role.ADMINISTRATOR:
        return Q(pk__in=[]), False  # administrators see no dossier (dossiers.scope)
    if profile.role in READ_ALL_ROLES:
        return Q(), True
    received = sees_received(profile)
    return scope_q(scope_root(profile.agency), day, received=received), received


def _rows(qs: Any, index: str) -> list[tuple[Any, ...]]:
    """The rows of a grouped count over ``index``, which holds every column it reads.

    PostgreSQL picks the index-only scan itself. SQLite's planner, weighing the sort that
    GROUP BY needs, would rather read every row from the table by another index (three
    times slower at 1M dossiers): it is told the index."""
    if connection.vendor != "sqlite":
        return list(qs)
    sql, params = qs.query.sql_with_params()
    table = connection.ops.quote_name(Dossier._meta.db_table)
    sql = sql.replace(f"FROM {table}", f"FROM {table} INDEXED BY {index}", 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _rollup_flows(per: dict[int, Counter[str]], scope: Q, period: Period) -> None:
    """The figures of ``period_counts`` that the rollup holds, added to ``per`` by agency."""
    from motcua.reports.rollup_queries import rollup_flow_counts

    for (agency_id, _field, _level), g in rollup_flow_counts(scope, period).items():
        c = per[agency_id]
        for key in (*RECEIVED_BY_CHANNEL.values(), "received", "carried_over", "in_progress"):
            c[key] += g[key]
        for key in ("resolved", "early", "on_time", "late", "postal_return", "refused"):
            c[key] += g[key]
        c["withdrawn"] += g["withdrawn"] + g["stopped"]
        c["late_no_apology"] += g["late"] - g["late_apology"]
        # Overdue is subtracted by the queries over the dossiers.
        c["in_progress_within_due"] += g["in_progress"]


def period_counts(
    user: AnyUser,
    *,
    date_from: dt.date,
    date_to: dt.date,
    risk: RiskClock,
    agencies: Collection[int] | None = None,
    source: str = "dossiers",
    flows_only: bool = False,
) -> dict[int, Counter[str]]:
    """Every figure of ``period_filters`` by competent agency, in four queries grouped by
    agency over index ranges, so that each row is read once and tested against few
    conditions:

    * received in the period (``dossier_dash_received``): the received figures;
    * ended in the period (``dossier_dash_ended``): what ended in the period, by how, and
      the ones received before the start (carried over);
    * ended after the period's end (the same index; none for a period ending today): still
      in progress at the end;
    * still open (``dossier_dash_open``): carried over, in progress, and the "now" figures.

    The ranges only split the rows; what each row counts for is the report's condition
    (``reports.period.figure_conditions``, counted as a ``FILTER``), so this is a faster
    shape of the report's count, not a second statement of its rules; the tests compare the
    numbers with the lists and with ``motcua report``'s. For a past period, "overdue" is
    then corrected by ``reports.period.overdue_exceptions`` (at most two more queries).

    Each index holds every column its query reads, so the dossiers themselves are not read
    (they are wide, and the open ones are spread over the whole table). A figure counted in
    several ranges is counted over disjoint rows (not ended, ended in the period, ended after
    it), so the sums are the figures' own counts.

    Measured at 1M dossiers (bench/office_pages.py --alternatives): the single grouped pass
    with 17 ``FILTER`` clauses over the ~47k dossiers open or ended this quarter took
    150-250 ms on both databases, mostly reading scattered rows (PostgreSQL) and evaluating
    the clauses (SQLite).

    ``source="rollup"``: the flows, carried over and in progress from the rollup
    (``reports.rollup_queries.rollup_flow_counts``: the period's days and months and one
    balance row per key, whatever the period's length); the dossiers are read only for
    what depends on due dates (overdue at the end, the "now" figures): the open ones and
    those ended after the period.

    ``flows_only``: the flows alone (received, resolved and how, late: the rollup's or the
    first two queries), without what depends on due dates (carried over, in progress,
    overdue and the "now" figures are then incomplete): the late chart's bars."""
    period = Period(date_from, date_to)
    conds = figure_conditions(period)
    scope_q_, wide = figure_scope(user, date_to)
    if wide:
        # Every agency named (``agencies``: all their ids, or read here): each index is then
        # read agency by agency, its rows coming already grouped, where a range over all
        # agencies at once had to be sorted to be grouped (SQLite; 16 -> 6 ms for the
        # province's received dossiers at 1M). A condition every dossier meets.
        if agencies is None:
            agencies = list(Agency.objects.values_list("pk", flat=True))
        scope_q_ &= Q(agency_id__in=sorted(agencies))
    scope = Dossier.objects.filter(scope_q_).order_by()
    per: dict[int, Counter[str]] = defaultdict(Counter)

    def count(key: str, extra: Q | None = None) -> Count:
        q = conds[FIGURE_OF.get(key, key)]
        return Count("agency", filter=q if extra is None else q & extra)

    rolled = source == "rollup"
    if rolled:
        _rollup_flows(per, scope_q_, period)
    else:
        received = (
            scope.filter(conds["received"])
            .values_list("agency_id")
            .annotate(
                n=Count("agency"), **{key: count(key) for key in RECEIVED_BY_CHANNEL.values()}
            )
        )
        for agency_id, n, *by_channel in _rows(received, "dossier_dash_received"):
            c = per[agency_id]
            c["received"] += n
            for key, n_channel in zip(RECEIVED_BY_CHANNEL.values(), by_channel, strict=True):
                c[key] += n_channel

        # Ended in the period, by how, a FILTER each (grouped by the agency alone: its rows come
        # in that order; grouping by the kind too made SQLite sort them).
        ended = (
            scope.filter(conds["ended"])
            .values_list("agency_id")
            .annotate(
                **{
                    key: count("late", Q(has_apology=False))
                    if key == "late_no_apology"
                    else count(key)
                    for key in ENDED_KEYS
                }
            )
        )
        for agency_id, *counts in _rows(ended, "dossier_dash_ended"):
            c = per[agency_id]
            for key, n in zip(ENDED_KEYS, counts, strict=True):
                c[key] += n

    if flows_only:
        return per

    # Ended after the period's end, received before it: in progress at the end (a past
    # period's; none for a period ending today).
    ended_after = (
        scope.filter(ended_at__gte=period.end, received_at__lt=period.end)
        .values_list("agency_id")
        .annotate(n=count("in_progress"), carried=count("carried_over"), overdue=count("overdue"))
    )
    for agency_id, n, carried, overdue in _rows(ended_after, "dossier_dash_ended"):
        c = per[agency_id]
        if not rolled:
            c["carried_over"] += carried
            c["in_progress"] += n
            c["in_progress_within_due"] += n
        c["in_progress_overdue"] += overdue
        c["in_progress_within_due"] -= overdue

    open_rows = (
        scope.filter(OPEN_RECEIVED)
        .values_list("agency_id")
        .annotate(
            carried=count("carried_over"),
            in_progress=count("in_progress"),
            overdue=count("overdue"),
            at_risk=Count("agency", filter=risk.at_risk_q()),
            late_no_apology=Count(
                "agency",
                filter=Q(status=Status.PROCESSING, due_at__lt=risk.now, has_apology=False),
            ),
        )
    )
    for agency_id, carried, in_progress_n, overdue, at_risk, late_no_apology in _rows(
        open_rows, "dossier_dash_open"
    ):
        c = per[agency_id]
        if not rolled:
            c["carried_over"] += carried
            c["in_progress"] += in_progress_n
            c["in_progress_within_due"] += in_progress_n
        c["in_progress_overdue"] += overdue
        c["in_progress_within_due"] -= overdue
        c["at_risk"] += at_risk
        c["late_no_apology"] += late_no_apology

    # A past period: the dossiers whose history contradicts the overdue column test.
    for e in overdue_exceptions(scope.filter(received_at__isnull=False), period, risk.now):
        c = per[e.agency_id]
        step = 1 if e.overdue else -1
        c["in_progress_overdue"] += step
        c["in_progress_within_due"] -= step
    return per


def _source_for(user: AnyUser) -> str:
    """The province's figures (``READ_ALL_ROLES``) from the rollup, an agency's from its
    dossiers (a few thousand a quarter)."""
    profile = staff_profile(user)
    wide = profile is not None and profile.role in READ_ALL_ROLES
    return "rollup" if wide else "dossiers"


@reads_from_replica()
def late_by_agency(
    user: AnyUser, *, date_from: dt.date, date_to: dt.date, source: str | None = None
) -> list[dict[str, Any]]:
    """The dashboard's "late" by competent agency (its table's column, the late chart's
    bars) without its other figures: ``period_counts``' flows alone, so the late chart does
    not read the due-date figures (the open dossiers, overdue at the end) it does not show.
    Rows as ``dashboard_figures``' ``by_agency`` (``agency_id``, ``agency__name``, ``late``),
    the agencies with a late dossier."""
    names = dict(Agency.objects.values_list("pk", "name"))
    per = period_counts(
        user,
        date_from=date_from,
        date_to=date_to,
        risk=risk_clock(timezone.now()),
        agencies=names,
        source=source or _source_for(user),
        flows_only=True,
    )
    return [
        {"agency_id": agency_id, "agency__name": names[agency_id], "late": c["late"]}
        for agency_id, c in sorted(per.items(), key=lambda item: (names[item[0]], item[0]))
        if c["late"]
    ]


@reads_from_replica()
def dashboard_figures(
    user: AnyUser,
    *,
    agency: Agency | None,
    date_from: dt.date,
    date_to: dt.date,
    risk: RiskClock | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """Counts (four grouped queries, ``period_counts``) and their percentages, for the
    template; the names of the agencies in the table (one query); the guidance contacts by
    kind (one more query).

    The province's dashboard (the provincial office, auditors: ``READ_ALL_ROLES``) reads its
    flows from the rollup (``source`` None), so that a year costs what a month does at a
    million dossiers; an agency's reads its own dossiers (a few thousand a quarter).
    ``source`` "rollup" or "dossiers" forces one (the bench and the tests compare them)."""
    risk = risk or risk_clock(timezone.now())
    filters = period_filters(date_from, date_to, risk)
    # Every agency's name (a few hundred rows at most): the table's names and the list of
    # all agencies that ``period_counts`` reads agency by agency.
    names = dict(Agency.objects.values_list("pk", "name"))
    source = source or _source_for(user)
    per = period_counts(
        user, date_from=date_from, date_to=date_to, risk=risk, agencies=names, source=source
    )
    # Every dossier has one competent agency: the totals are the sums of the table's rows.
    counts: dict[str, int] = {f.key: sum(c[f.key] for c in per.values()) for f in filters}
    shown = [agency_id for agency_id, c in per.items() if any(c[k] for k in BY_AGENCY)]
    # Each cell's link made here: the template rendered five variables per cell (a province
    # has a hundred cells).
    period = urlencode({"date_from": date_from.isoformat(), "date_to": date_to.isoformat()})
    inbox = reverse("office:inbox")
    by_agency = sorted(
        (
            {"agency_id": agency_id, "agency__name": names[agency_id]}
            | {k: per[agency_id][k] for k in BY_AGENCY}
            | {
                "cells": [
                    (f"{inbox}?ky={k}&{period}&co_quan={agency_id}", per[agency_id][k])
                    for k in BY_AGENCY
                ]
            }
            for agency_id in shown
        ),
        key=lambda r: (r["agency__name"], r["agency_id"]),
    )
    labels = {f.key: f.label for f in filters}
    received, carried = counts["received"], counts["carried_over"]
    resolved = counts["resolved"]
    return {
        "counts": counts,
        "labels": labels,
        # One rule for every rate shown: "—" when there is nothing to divide.
        "pct": {
            "received_online": vn_rate(counts["received_online"], received),
            "received_postal": vn_rate(counts["received_postal"], received),
            "early": vn_rate(counts["early"], resolved),
            "on_time": vn_rate(counts["on_time"], resolved),
            "late": vn_rate(counts["late"], resolved),
            "postal_return": vn_rate(counts["postal_return"], resolved),
            "on_time_total": vn_rate(counts["early"] + counts["on_time"], resolved),
            "refused": vn_rate(counts["refused"], received + carried),
        },
        # received + carried over = resolved + returned + withdrawn + in progress (§7).
        "identity_holds": received + carried
        == resolved + counts["refused"] + counts["withdrawn"] + counts["in_progress"],
        "by_agency": by_agency,
        "guidance": guidance_counts(user, date_from=date_from, date_to=date_to),
    }


def guidance_counts(user: AnyUser, *, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """Guidance contacts given in the period by the user's scope, by kind: the report's
    figure (``reports.queries.guidance_counts``, scoped by the unit that gave them) for the
    agency the user leads, or the province. Contacts are not dossiers, so these numbers have
    no list of dossiers behind them."""
    profile = staff_profile(user)
    if profile is None or profile.role == Role.ADMINISTRATOR:
        return {kind.value: 0 for kind in GuidanceKind} | {"total": 0}
    agency = None if profile.role in READ_ALL_ROLES else scope_root(profile.agency)
    counts = report_guidance_counts(agency, Period(date_from, date_to))["period"]
    return {key: int(n) for key, n in counts.items()}


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date  # its first day
    online: int
    direct: int
    postal: int
    resolved: int
    on_time: int  # early or on time

    @property
    def received(self) -> int:
        return self.online + self.direct + self.postal

    @property
    def rate(self) -> str:
        return vn_rate(self.on_time, self.resolved)


def _months(date_from: dt.date, date_to: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The period cut at month ends: each piece's first and last day."""
    pieces = []
    start = date_from
    while start <= date_to:
        next_month = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        end = min(date_to, next_month - dt.timedelta(days=1))
        pieces.append((start, end))
        start = next_month
    return pieces


def figures_by_month(
    user: AnyUser, *, date_from: dt.date, date_to: dt.date, source: str | None = None
) -> list[MonthFigures]:
    """The dashboard's charts by month: received by channel, resolved and resolved early or
    on time. Each month's numbers are the report's figures for that month
    (``reports.period.figure_conditions``, within the user's ``figure_scope``), so the months
    add up to the period's figures.

    The province's (``READ_ALL_ROLES``, as ``dashboard_figures`` chooses) are read from the
    rollup (``reports.rollup_queries.rollup_month_flows``: two grouped queries, a few
    hundred rows whatever the period's length); another scope's from its dossiers: one
    query, a ``FILTER`` per month and figure, over the dossiers received or ended in the
    period. ``source`` "rollup" or "dossiers" forces one (the tests and the bench compare
    them)."""
    scope, _wide = figure_scope(user, date_to)
    months = _months(date_from, date_to)
    source = source or _source_for(user)
    if source == "rollup":
        from motcua.reports.rollup_queries import rollup_month_flows

        flows = rollup_month_flows(scope, date_from, date_to)
        rows = [flows.get(first.replace(day=1), {}) for first, _last in months]
    else:
        rows = _dossier_months(scope, date_from, date_to, months)
    return [
        MonthFigures(
            month=first.replace(day=1),
            online=row.get("received_online", 0),
            direct=row.get("received_direct", 0),
            postal=row.get("received_postal", 0),
            resolved=row.get("resolved", 0),
            on_time=row.get("on_time", 0),
        )
        for (first, _last), row in zip(months, rows, strict=True)
    ]


def _dossier_months(
    scope: Q, date_from: dt.date, date_to: dt.date, months: list[tuple[dt.date, dt.date]]
) -> list[dict[str, int]]:
    """``figures_by_month``'s counts per month counted on the dossiers (one query)."""
    period = Period(date_from, date_to)
    keys = ("received_online", "received_direct", "received_postal", "resolved")
    aggregates: dict[str, Count] = {}
    for i, (first, last) in enumerate(months):
        conds = figure_conditions(Period(first, last))
        for key in keys:
            aggregates[f"{key}_{i}"] = Count("pk", filter=conds[key])
        aggregates[f"on_time_{i}"] = Count("pk", filter=conds["early"] | conds["on_time"])
    touched = Q(received_at__gte=period.start, received_at__lt=period.end) | Q(
        ended_at__gte=period.start, ended_at__lt=period.end
    )
    row = Dossier.objects.filter(scope).filter(touched).aggregate(**aggregates)
    return [{key: row[f"{key}_{i}"] for key in (*keys, "on_time")} for i in range(len(months))]
