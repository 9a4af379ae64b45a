"""The leadership dashboard: this period's figures for the user's scope, each one a link to
the dossiers behind it.

The counts follow domain.md §7 (the same definitions as ``motcua.reports``) but are computed
here over ``dossier_scope_q`` — what the user may see, including what a service center
received — with the very ``Q`` objects the drill-down list uses, so a number and the list
behind it can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency
from motcua.core.formatting import pct, vn_pct
from motcua.dossiers.models import DossierClass, EndKind, Status
from motcua.office.queries import DUE_SOON, dossiers_for

AnyUser = AbstractBaseUser | AnonymousUser
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The quarter so far: provinces report by quarter (the seed report is quarterly)."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    return dt.date(today.year, first_month, 1), today


@dataclass(frozen=True)
class PeriodFilter:
    key: str
    label: str
    q: Q


def period_filters(date_from: dt.date, date_to: dt.date, now: dt.datetime) -> list[PeriodFilter]:
    """The period's figures as filters over ``Dossier`` (domain.md §7)."""
    start, end = _midnight(date_from), _midnight(date_to + dt.timedelta(days=1))
    last_day = _midnight(date_to)
    ended_in = Q(ended_at__gte=start, ended_at__lt=end)
    resolved = ended_in & Q(end_kind=EndKind.RESULT)
    in_progress = Q(received_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gte=end))
    # A dossier waiting for a supplement is within its due date (the clock is stopped). The
    # current status stands for "waiting at the end": exact for a period ending today.
    overdue = in_progress & Q(due_at__lt=last_day) & ~Q(status=Status.SUPPLEMENT_REQUESTED)
    processing = Q(status=Status.PROCESSING)
    return [
        PeriodFilter(
            "received", str(_("Tiếp nhận trong kỳ")), Q(received_at__gte=start, received_at__lt=end)
        ),
        PeriodFilter(
            "carried_over",
            str(_("Từ kỳ trước chuyển qua")),
            Q(received_at__lt=start) & (Q(ended_at__isnull=True) | Q(ended_at__gte=start)),
        ),
        PeriodFilter("resolved", str(_("Đã giải quyết")), resolved),
        PeriodFilter("early", str(_("Trước hạn")), resolved & Q(dossier_class=DossierClass.EARLY)),
        PeriodFilter(
            "on_time", str(_("Đúng hạn")), resolved & Q(dossier_class=DossierClass.ON_TIME)
        ),
        PeriodFilter("late", str(_("Quá hạn")), resolved & Q(dossier_class=DossierClass.LATE)),
        PeriodFilter("refused", str(_("Trả lại")), ended_in & Q(end_kind=EndKind.REFUSED)),
        PeriodFilter(
            "withdrawn",
            str(_("Rút, dừng giải quyết")),
            ended_in & Q(end_kind__in=[EndKind.WITHDRAWN, EndKind.STOPPED]),
        ),
        PeriodFilter("in_progress", str(_("Đang giải quyết cuối kỳ")), in_progress),
        PeriodFilter("in_progress_overdue", str(_("Đang giải quyết, quá hạn")), overdue),
        PeriodFilter(
            "at_risk",
            str(_("Có nguy cơ trễ hạn")),
            processing & Q(due_at__gte=now, due_at__lt=now + DUE_SOON),
        ),
        PeriodFilter(
            "late_no_apology",
            str(_("Trễ hạn chưa có thư xin lỗi")),
            Q(has_apology=False)
            & ((resolved & Q(dossier_class=DossierClass.LATE)) | (processing & Q(due_at__lt=now))),
        ),
    ]


def period_filter(key: str, date_from: dt.date, date_to: dt.date) -> PeriodFilter | None:
    for f in period_filters(date_from, date_to, timezone.now()):
        if f.key == key:
            return f
    return None


# The figures of the table by agency; an agency with none of them in the period is left out.
BY_AGENCY = ("received", "resolved", "late", "in_progress_overdue")


def dashboard_figures(
    user: AnyUser, *, agency: Agency | None, date_from: dt.date, date_to: dt.date
) -> dict[str, Any]:
    """Counts (one query, grouped by agency) and their percentages, for the template."""
    filters = period_filters(date_from, date_to, timezone.now())
    # Every figure needs a dossier still open or ended on or after the period's first day, so
    # the dossiers ended before it (most of history) are left out before counting: measured by
    # bench/office_pages.py --alternatives at 1M dossiers, the same numbers 3-10x faster.
    qs = dossiers_for(user).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=_midnight(date_from)),
        received_at__isnull=False,
    )
    # One grouped pass over those dossiers gives both the table by agency and, summed, the
    # totals (every dossier has one competent agency): half the rows read of two queries.
    grouped: Any = (
        qs.values("agency_id", "agency__name")
        .annotate(**{f.key: Count("pk", filter=f.q) for f in filters})
        .order_by("agency__name")
    )
    per_agency: list[dict[str, Any]] = list(grouped)
    counts: dict[str, int] = {f.key: sum(r[f.key] for r in per_agency) for f in filters}
    labels = {f.key: f.label for f in filters}
    received, carried = counts["received"], counts["carried_over"]
    resolved = counts["resolved"]
    return {
        "counts": counts,
        "labels": labels,
        "pct": {
            "early": vn_pct(pct(counts["early"], resolved)),
            "on_time": vn_pct(pct(counts["on_time"], resolved)),
            "late": vn_pct(pct(counts["late"], resolved)),
            "on_time_total": vn_pct(pct(counts["early"] + counts["on_time"], resolved)),
            "refused": vn_pct(pct(counts["refused"], received + carried)),
        },
        # received + carried over = resolved + returned + withdrawn + in progress (§7).
        "identity_holds": received + carried
        == resolved + counts["refused"] + counts["withdrawn"] + counts["in_progress"],
        "by_agency": [r for r in per_agency if any(r[k] for k in BY_AGENCY)],
    }
