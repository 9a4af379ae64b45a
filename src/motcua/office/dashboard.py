"""The leadership dashboard: this period's figures for the user's scope, each one a link to
the dossiers behind it.

The counts follow domain.md §7 (the same definitions as ``motcua.reports``) but are computed
here over ``dossier_scope_q`` — what the user may see, including what a service center
received — with the very ``Q`` objects the drill-down list uses, so a number and the list
behind it can never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency
from motcua.core.access import staff_profile
from motcua.core.formatting import pct, vn_date, vn_pct
from motcua.dossiers.models import (
    Channel,
    DeliveryChannel,
    Dossier,
    DossierClass,
    EndKind,
    Guidance,
    GuidanceKind,
    Status,
)
from motcua.dossiers.scope import READ_ALL_ROLES, scope_branches, user_agency_scope
from motcua.office.risk import RiskClock, risk_clock

AnyUser = AbstractBaseUser | AnonymousUser
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


DAY = dt.timedelta(days=1)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The quarter so far: provinces report by quarter (the seed report is quarterly)."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    return dt.date(today.year, first_month, 1), today


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


OPEN = Q(ended_at__isnull=True)
OPEN_RECEIVED = OPEN & Q(received_at__isnull=False)


@dataclass(frozen=True)
class Bounds:
    """A period as instants: ``start`` and ``end`` its first and last midnights (the end
    excluded), ``last_day`` the start of its last day (overdue: due before it, §7)."""

    start: dt.datetime
    end: dt.datetime
    last_day: dt.datetime

    @classmethod
    def of(cls, date_from: dt.date, date_to: dt.date) -> Bounds:
        return cls(_midnight(date_from), _midnight(date_to + DAY), _midnight(date_to))


def _overdue_q(b: Bounds) -> Q:
    # A dossier waiting for a supplement is within its due date (the clock is stopped). The
    # current status stands for "waiting at the end": exact for a period ending today.
    return Q(due_at__lt=b.last_day) & ~Q(status=Status.SUPPLEMENT_REQUESTED)


def period_filters(date_from: dt.date, date_to: dt.date, risk: RiskClock) -> list[PeriodFilter]:
    """The period's figures as filters over ``Dossier`` (domain.md §7, the same definitions
    as ``reports.queries``), and the two "now" figures: at risk, late without an apology.

    ``dashboard_figures`` counts them by other means (grouped index ranges); the tests check
    that each of its numbers is the length of the list these filters give."""
    now = risk.now
    b = Bounds.of(date_from, date_to)
    received = Q(received_at__gte=b.start, received_at__lt=b.end)
    ended_in = Q(ended_at__gte=b.start, ended_at__lt=b.end)
    resolved = ended_in & Q(end_kind=EndKind.RESULT)
    in_progress = Q(received_at__lt=b.end) & (OPEN | Q(ended_at__gte=b.end))
    overdue = in_progress & _overdue_q(b)
    within_due = in_progress & ~_overdue_q(b)
    # "Now" figures concern open received dossiers (as every processing dossier is): said
    # outright so that they are counted with the others, over the open dossiers' index.
    processing = Q(status=Status.PROCESSING) & OPEN_RECEIVED
    return [
        PeriodFilter("received", str(_("Tiếp nhận trong kỳ")), received),
        PeriodFilter(
            "received_online", str(_("Nộp trực tuyến")), received & Q(channel=Channel.ONLINE)
        ),
        PeriodFilter(
            "received_direct", str(_("Nộp trực tiếp")), received & Q(channel=Channel.DIRECT)
        ),
        PeriodFilter(
            "received_postal",
            str(_("Nộp qua bưu chính công ích")),
            received & Q(channel=Channel.POSTAL),
        ),
        PeriodFilter(
            "carried_over",
            str(_("Từ kỳ trước chuyển qua")),
            Q(received_at__lt=b.start) & (OPEN | Q(ended_at__gte=b.start)),
        ),
        PeriodFilter("resolved", str(_("Đã giải quyết")), resolved),
        PeriodFilter("early", str(_("Trước hạn")), resolved & Q(dossier_class=DossierClass.EARLY)),
        PeriodFilter(
            "on_time", str(_("Đúng hạn")), resolved & Q(dossier_class=DossierClass.ON_TIME)
        ),
        PeriodFilter("late", str(_("Quá hạn")), resolved & Q(dossier_class=DossierClass.LATE)),
        # Returned by post, whenever the delivery happened (domain.md §7).
        PeriodFilter(
            "postal_return",
            str(_("Trả kết quả qua bưu chính")),
            resolved & Q(delivery_channel=DeliveryChannel.POSTAL),
        ),
        PeriodFilter("refused", str(_("Trả lại")), ended_in & Q(end_kind=EndKind.REFUSED)),
        PeriodFilter(
            "withdrawn",
            str(_("Rút, dừng giải quyết")),
            ended_in & Q(end_kind__in=WITHDRAWN_KINDS),
        ),
        PeriodFilter("in_progress", str(_("Đang giải quyết cuối kỳ")), in_progress),
        PeriodFilter("in_progress_within_due", str(_("Đang giải quyết, trong hạn")), within_due),
        PeriodFilter("in_progress_overdue", str(_("Đang giải quyết, quá hạn")), overdue),
        # Due within one working day, or the current step over its budget (office.risk).
        PeriodFilter("at_risk", str(_("Có nguy cơ trễ hạn")), risk.at_risk_q() & OPEN_RECEIVED),
        PeriodFilter(
            "late_no_apology",
            str(_("Trễ hạn chưa có thư xin lỗi")),
            Q(has_apology=False)
            & ((resolved & Q(dossier_class=DossierClass.LATE)) | (processing & Q(due_at__lt=now))),
        ),
    ]


WITHDRAWN_KINDS = (EndKind.WITHDRAWN, EndKind.STOPPED)
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
    key: str, date_from: dt.date, date_to: dt.date, risk: RiskClock | None = None
) -> PeriodFilter | None:
    for f in period_filters(date_from, date_to, risk or risk_clock(timezone.now())):
        if f.key == key:
            return f
    return None


# The figures of the table by agency; an agency with none of them in the period is left out.
BY_AGENCY = ("received", "resolved", "late", "in_progress_overdue")


def received_scope(user: AnyUser) -> tuple[Q, bool]:
    """``core.access.dossier_scope_q`` for received dossiers, which every figure is about:
    the same agencies (merged ones included), without the branch for online dossiers not
    yet accepted (no ``received_at``), which holds none of them and reads a column that the
    dashboard's indexes do not hold (the level). The tests compare each figure with its
    list, which goes through ``dossier_scope_q``.

    And whether the scope is wide (the province, or a centre with what it received for
    other agencies) rather than a list of the user's own agencies."""
    branches = scope_branches(user)
    if branches is None:
        return Q(), True
    if branches.received is None:
        return branches.own, False
    return branches.own | branches.received, True


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


def period_counts(
    user: AnyUser,
    *,
    date_from: dt.date,
    date_to: dt.date,
    risk: RiskClock,
    agencies: Collection[int] | None = None,
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

    Each index holds every column its query reads, so the dossiers themselves are not read
    (they are wide, and the open ones are spread over the whole table). A figure counted in
    several ranges is counted over disjoint rows (not ended, ended in the period, ended after
    it), so the sums are the figures' own counts; the tests compare them with the lists.

    Measured at 1M dossiers (bench/office_pages.py --alternatives): the single grouped pass
    with 17 ``FILTER`` clauses over the ~47k dossiers open or ended this quarter took
    150-250 ms on both databases, mostly reading scattered rows (PostgreSQL) and evaluating
    the clauses (SQLite)."""
    b = Bounds.of(date_from, date_to)
    scope_q, wide = received_scope(user)
    if wide:
        # Every agency named (``agencies``: all their ids, or read here): each index is then
        # read agency by agency, its rows coming already grouped, where a range over all
        # agencies at once had to be sorted to be grouped (SQLite; 16 -> 6 ms for the
        # province's received dossiers at 1M). A condition every dossier meets.
        if agencies is None:
            agencies = list(Agency.objects.values_list("pk", flat=True))
        scope_q &= Q(agency_id__in=sorted(agencies))
    scope = Dossier.objects.filter(scope_q).order_by()
    per: dict[int, Counter[str]] = defaultdict(Counter)

    received = (
        scope.filter(received_at__gte=b.start, received_at__lt=b.end)
        .values_list("agency_id")
        .annotate(
            n=Count("agency"),
            **{
                key: Count("agency", filter=Q(channel=ch))
                for ch, key in RECEIVED_BY_CHANNEL.items()
            },
        )
    )
    for agency_id, n, *by_channel in _rows(received, "dossier_dash_received"):
        c = per[agency_id]
        c["received"] += n
        for key, count in zip(RECEIVED_BY_CHANNEL.values(), by_channel, strict=True):
            c[key] += count

    # Ended in the period, by how, a FILTER each (grouped by the agency alone: its rows come
    # in that order; grouping by the kind too made SQLite sort them).
    resolved = Q(end_kind=EndKind.RESULT)
    late = resolved & Q(dossier_class=DossierClass.LATE)
    ended = (
        scope.filter(ended_at__gte=b.start, ended_at__lt=b.end)
        .values_list("agency_id")
        .annotate(
            carried_over=Count("agency", filter=Q(received_at__lt=b.start)),
            resolved=Count("agency", filter=resolved),
            early=Count("agency", filter=resolved & Q(dossier_class=DossierClass.EARLY)),
            on_time=Count("agency", filter=resolved & Q(dossier_class=DossierClass.ON_TIME)),
            late=Count("agency", filter=late),
            postal_return=Count(
                "agency", filter=resolved & Q(delivery_channel=DeliveryChannel.POSTAL)
            ),
            late_no_apology=Count("agency", filter=late & Q(has_apology=False)),
            refused=Count("agency", filter=Q(end_kind=EndKind.REFUSED)),
            withdrawn=Count("agency", filter=Q(end_kind__in=WITHDRAWN_KINDS)),
        )
    )
    for agency_id, *counts in _rows(ended, "dossier_dash_ended"):
        c = per[agency_id]
        for key, count in zip(ENDED_KEYS, counts, strict=True):
            c[key] += count

    # Ended after the period's end, received before it: in progress at the end (a past
    # period's; none for a period ending today).
    ended_after = (
        scope.filter(ended_at__gte=b.end, received_at__lt=b.end)
        .values_list("agency_id")
        .annotate(
            n=Count("agency"),
            carried=Count("agency", filter=Q(received_at__lt=b.start)),
            overdue=Count("agency", filter=_overdue_q(b)),
        )
    )
    for agency_id, n, carried, overdue in _rows(ended_after, "dossier_dash_ended"):
        c = per[agency_id]
        c["carried_over"] += carried
        c["in_progress"] += n
        c["in_progress_overdue"] += overdue
        c["in_progress_within_due"] += n - overdue

    in_progress = Q(received_at__lt=b.end)
    processing = Q(status=Status.PROCESSING)
    open_rows = (
        scope.filter(OPEN_RECEIVED)
        .values_list("agency_id")
        .annotate(
            carried=Count("agency", filter=Q(received_at__lt=b.start)),
            in_progress=Count("agency", filter=in_progress),
            overdue=Count("agency", filter=in_progress & _overdue_q(b)),
            at_risk=Count("agency", filter=risk.at_risk_q()),
            late_no_apology=Count(
                "agency", filter=processing & Q(due_at__lt=risk.now, has_apology=False)
            ),
        )
    )
    for agency_id, carried, in_progress_n, overdue, at_risk, late_no_apology in _rows(
        open_rows, "dossier_dash_open"
    ):
        c = per[agency_id]
        c["carried_over"] += carried
        c["in_progress"] += in_progress_n
        c["in_progress_overdue"] += overdue
        c["in_progress_within_due"] += in_progress_n - overdue
        c["at_risk"] += at_risk
        c["late_no_apology"] += late_no_apology
    return per


def dashboard_figures(
    user: AnyUser,
    *,
    agency: Agency | None,
    date_from: dt.date,
    date_to: dt.date,
    risk: RiskClock | None = None,
) -> dict[str, Any]:
    """Counts (four grouped queries, ``period_counts``) and their percentages, for the
    template; the names of the agencies in the table (one query); the guidance contacts by
    kind (one more query)."""
    risk = risk or risk_clock(timezone.now())
    filters = period_filters(date_from, date_to, risk)
    # Every agency's name (a few hundred rows at most): the table's names and the list of
    # all agencies that ``period_counts`` reads agency by agency.
    names = dict(Agency.objects.values_list("pk", "name"))
    per = period_counts(user, date_from=date_from, date_to=date_to, risk=risk, agencies=names)
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
        "pct": {
            "received_online": vn_pct(pct(counts["received_online"], received)),
            "received_postal": vn_pct(pct(counts["received_postal"], received)),
            "early": vn_pct(pct(counts["early"], resolved)),
            "on_time": vn_pct(pct(counts["on_time"], resolved)),
            "late": vn_pct(pct(counts["late"], resolved)),
            "postal_return": vn_pct(pct(counts["postal_return"], resolved)),
            "on_time_total": vn_pct(pct(counts["early"] + counts["on_time"], resolved)),
            "refused": vn_pct(pct(counts["refused"], received + carried)),
        },
        # received + carried over = resolved + returned + withdrawn + in progress (§7).
        "identity_holds": received + carried
        == resolved + counts["refused"] + counts["withdrawn"] + counts["in_progress"],
        "by_agency": by_agency,
        "guidance": guidance_counts(user, date_from=date_from, date_to=date_to),
    }


def guidance_counts(user: AnyUser, *, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """Guidance contacts given in the period by the user's scope, by kind (the report's
    figure: scoped by the unit that gave them, as ``reports.queries``). Contacts are not
    dossiers, so these numbers have no list of dossiers behind them."""
    qs = Guidance.objects.filter(
        at__gte=_midnight(date_from), at__lt=_midnight(date_to + DAY)
    ).order_by()
    profile = staff_profile(user)
    if profile is None:
        qs = qs.none()
    elif profile.role not in READ_ALL_ROLES:
        qs = qs.filter(unit__in=user_agency_scope(user))
    counts: dict[str, int] = qs.aggregate(
        **{kind.value: Count("pk", filter=Q(kind=kind)) for kind in GuidanceKind}
    )
    counts["total"] = sum(counts.values())
    return counts
