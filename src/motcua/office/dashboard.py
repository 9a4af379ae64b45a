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
from motcua.core.access import READ_ALL_ROLES, staff_profile, user_agency_scope
from motcua.core.formatting import pct, vn_date, vn_pct
from motcua.dossiers.models import (
    Channel,
    DeliveryChannel,
    DossierClass,
    EndKind,
    Guidance,
    GuidanceKind,
    Status,
)
from motcua.office.queries import dossiers_for
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


def period_filters(date_from: dt.date, date_to: dt.date, risk: RiskClock) -> list[PeriodFilter]:
    """The period's figures as filters over ``Dossier`` (domain.md §7, the same definitions
    as ``reports.queries``), and the two "now" figures: at risk, late without an apology."""
    now = risk.now
    start, end = _midnight(date_from), _midnight(date_to + DAY)
    received = Q(received_at__gte=start, received_at__lt=end)
    last_day = _midnight(date_to)
    ended_in = Q(ended_at__gte=start, ended_at__lt=end)
    resolved = ended_in & Q(end_kind=EndKind.RESULT)
    in_progress = Q(received_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gte=end))
    # A dossier waiting for a supplement is within its due date (the clock is stopped). The
    # current status stands for "waiting at the end": exact for a period ending today.
    overdue_q = Q(due_at__lt=last_day) & ~Q(status=Status.SUPPLEMENT_REQUESTED)
    overdue = in_progress & overdue_q
    within_due = in_progress & ~overdue_q
    processing = Q(status=Status.PROCESSING)
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
            Q(received_at__lt=start) & (Q(ended_at__isnull=True) | Q(ended_at__gte=start)),
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
            ended_in & Q(end_kind__in=[EndKind.WITHDRAWN, EndKind.STOPPED]),
        ),
        PeriodFilter("in_progress", str(_("Đang giải quyết cuối kỳ")), in_progress),
        PeriodFilter("in_progress_within_due", str(_("Đang giải quyết, trong hạn")), within_due),
        PeriodFilter("in_progress_overdue", str(_("Đang giải quyết, quá hạn")), overdue),
        # Due within one working day, or the current step over its budget (office.risk).
        PeriodFilter("at_risk", str(_("Có nguy cơ trễ hạn")), risk.at_risk_q()),
        PeriodFilter(
            "late_no_apology",
            str(_("Trễ hạn chưa có thư xin lỗi")),
            Q(has_apology=False)
            & ((resolved & Q(dossier_class=DossierClass.LATE)) | (processing & Q(due_at__lt=now))),
        ),
    ]


def period_filter(
    key: str, date_from: dt.date, date_to: dt.date, risk: RiskClock | None = None
) -> PeriodFilter | None:
    for f in period_filters(date_from, date_to, risk or risk_clock(timezone.now())):
        if f.key == key:
            return f
    return None


# The figures of the table by agency; an agency with none of them in the period is left out.
BY_AGENCY = ("received", "resolved", "late", "in_progress_overdue")


def dashboard_figures(
    user: AnyUser,
    *,
    agency: Agency | None,
    date_from: dt.date,
    date_to: dt.date,
    risk: RiskClock | None = None,
) -> dict[str, Any]:
    """Counts (one query, grouped by agency) and their percentages, for the template; the
    guidance contacts by kind (one more query)."""
    filters = period_filters(date_from, date_to, risk or risk_clock(timezone.now()))
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
        "by_agency": [r for r in per_agency if any(r[k] for k in BY_AGENCY)],
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
