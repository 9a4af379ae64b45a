"""The executive view's figures (issue 18.1): the province for a period, read from the daily
rollup through ``period_figures(source="rollup")``, so every number is the report's number.

Alerts: agencies whose on-time rate fell against the previous period of the same length,
dossiers in progress more than ``MOTCUA_EXEC_OVERDUE_DAYS`` past due, complaints (PAKN)
open past their answer deadline;
the QĐ 766 ranking is ``indicators_for_year``'s score per agency of the province level, kept
per period (``reports.ranking``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from motcua.agencies.models import Agency
from motcua.core.formatting import pct
from motcua.dossiers.models import CLOCK_PAUSED_STATUSES, Dossier, EndKind
from motcua.feedback.models import CLOSED_STATUSES, Feedback
from motcua.reports.indicators import indicators_for_agencies
from motcua.reports.queries import period_figures
from motcua.reports.ranking import RankingPeriod, ranked_agencies, ranking_snapshot

# The figures linked to the staff list, with the key the list filters by (office.dashboard).
LINKED = ("received", "received_online", "resolved", "early", "on_time", "late", "in_progress")


def presets(today: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Period presets: this month, this quarter, this year to date, last year."""
    month = today.replace(day=1)
    quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    jan1 = dt.date(today.year, 1, 1)
    last = dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return [
        ("month", month, today),
        ("quarter", quarter, today),
        ("year", jan1, today),
        ("last_year", *last),
    ]


def drill_link(key: str, date_from: dt.date, date_to: dt.date, agency_id: int | None) -> str:
    """The staff dossier list with the report's filters (as the dashboard links)."""
    params = {"ky": key, "date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    if agency_id is not None:
        params["co_quan"] = str(agency_id)
    return f"{reverse('office:inbox')}?{urlencode(params)}"


def _on_time_rate(row: dict[str, Any]) -> float | None:
    resolved = row["resolved_total"]
    if not resolved:
        return None
    return float(pct(row["resolved_early"] + row["resolved_on_time"], resolved))


def _months(date_to: dt.date, n: int = 12) -> list[tuple[dt.date, dt.date]]:
    out = []
    y, m = date_to.year, date_to.month
    for _i in range(n):
        first = dt.date(y, m, 1)
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        out.append((first, nxt - dt.timedelta(days=1)))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))


def monthly_trend(date_to: dt.date) -> list[dict[str, Any]]:
    """Received and resolved per month for the 12 months to ``date_to``, with the same
    months a year before: one grouped query over the monthly rollup (a month's figure is the
    sum of its days, as ``period_figures(source="rollup")`` counts it; the last month is
    whole, even past ``date_to``, as the chart shows months)."""
    from motcua.rollup.models import Measure, MonthCount

    months = _months(date_to)
    first = months[0][0].replace(year=months[0][0].year - 1)
    received = Q(measure=Measure.RECEIVED)
    resolved = Q(measure=Measure.ENDED, end_kind=EndKind.RESULT)
    rows = (
        MonthCount.objects.filter(day__gte=first, day__lte=months[-1][1])
        .order_by()
        .values(month=F("day"))
        .annotate(received=Sum("n", filter=received), resolved=Sum("n", filter=resolved))
    )
    by_month: dict[tuple[int, int], Any] = {(r["month"].year, r["month"].month): r for r in rows}

    def get(day: dt.date, key: str) -> int:
        return int((by_month.get((day.year, day.month)) or {}).get(key) or 0)

    return [
        {
            "month": month,
            "received": get(month, "received"),
            "resolved": get(month, "resolved"),
            "received_year_before": get(month.replace(year=month.year - 1), "received"),
            "resolved_year_before": get(month.replace(year=month.year - 1), "resolved"),
        }
        for month, _last in months
    ]


def trend_svg(rows: list[dict[str, Any]], width: int = 600, height: int = 160) -> str:
    """Received per month (bars) against the same months a year before (line), inline SVG."""
    top = max([1, *(r["received"] for r in rows), *(r["received_year_before"] for r in rows)])
    step = width / max(len(rows), 1)
    bars, points = [], []
    for i, r in enumerate(rows):
        h = r["received"] / top * (height - 20)
        x = i * step
        bars.append(
            f'<rect x="{x + 4:.1f}" y="{height - h:.1f}" width="{step - 8:.1f}" '
            f'height="{h:.1f}" fill="#2563eb"><title>{r["month"]:%m/%Y}: {r["received"]}'
            "</title></rect>"
        )
        yb = height - r["received_year_before"] / top * (height - 20)
        points.append(f"{x + step / 2:.1f},{yb:.1f}")
    line = f'<polyline points="{" ".join(points)}" fill="none" stroke="#dc2626" stroke-width="2"/>'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" width="100%">{"".join(bars)}{line}</svg>'
    )


def ranking(year: int, date_to: dt.date) -> list[dict[str, Any]]:
    """The province-level agencies by their QĐ 766 score (best first), computed now: every
    agency's indicators in one grouped pass (``indicators_for_agencies``, period figures from
    the rollup). The pages read the kept snapshot instead (``reports.ranking``)."""
    agencies = ranked_agencies(dt.date(year, 1, 1), date_to)
    results = indicators_for_agencies(
        year=year, date_to=date_to, agencies=agencies, source="rollup"
    )
    out = []
    for agency in agencies:
        score = results[agency.pk]["qd766"]
        out.append(
            {
                "agency_id": agency.pk,
                "code": agency.code,
                "name": agency.name,
                "score": score["score"],
                "points": score["points"],
            }
        )
    out.sort(key=lambda r: (-r["score"], r["name"]))
    return out


def executive_figures(
    date_from: dt.date, date_to: dt.date, *, with_ranking: bool = True
) -> dict[str, Any]:
    """Everything the executive view shows for a period of the whole province; the QĐ 766
    ranking (``with_ranking``) is the kept snapshot of ``date_to``'s year
    (``reports.ranking``), with when it was computed."""
    figures = period_figures(date_from=date_from, date_to=date_to, source="rollup")
    length = date_to - date_from
    prev_to = date_from - dt.timedelta(days=1)
    previous = period_figures(date_from=prev_to - length, date_to=prev_to, source="rollup")
    ids = dict(Agency.objects.values_list("code", "pk"))
    before = {
        row["code"]: row
        for level in previous["table_ii06a"]["by_agency"]["levels"]
        for row in level["rows"]
    }
    agencies, alerts = [], []
    for level in figures["table_ii06a"]["by_agency"]["levels"]:
        for row in level["rows"]:
            agency_id = ids.get(row["code"])
            rate = _on_time_rate(row)
            then = _on_time_rate(before[row["code"]]) if row["code"] in before else None
            agencies.append(
                {
                    **row,
                    "level": level["name"],
                    "on_time_rate": rate,
                    "links": {
                        key: drill_link(key, date_from, date_to, agency_id)
                        for key in ("received", "resolved", "late", "in_progress")
                    },
                }
            )
            if rate is not None and then is not None and rate < then:
                alerts.append({"name": row["name"], "rate": rate, "before": then})
    links = {key: drill_link(key, date_from, date_to, None) for key in LINKED}
    days = int(settings.MOTCUA["EXEC_OVERDUE_DAYS"])
    # Dossiers in progress now whose due date passed more than N days ago, by agency.
    # Counted by agency id from ``dossier_at_end`` alone (no table rows), named after.
    by_agency = (
        Dossier.objects.filter(
            received_at__isnull=False,
            ended_at__isnull=True,
            due_at__lt=timezone.now() - dt.timedelta(days=days),
        )
        .exclude(status__in=CLOCK_PAUSED_STATUSES)
        .order_by()
        .values("agency_id")
        .annotate(n=Count("*"))
    )
    counts = {row["agency_id"]: row["n"] for row in by_agency}
    names = dict(Agency.objects.filter(pk__in=counts).values_list("pk", "name"))
    long_overdue = sorted(
        ({"agency__name": names[pk], "n": n} for pk, n in counts.items()),
        key=lambda r: (-r["n"], r["agency__name"]),
    )
    # Complaints and petitions (PAKN) still open past their answer deadline.
    complaints_late = (
        Feedback.objects.exclude(status__in=CLOSED_STATUSES)
        .filter(due_at__lt=timezone.now())
        .count()
    )
    return {
        "figures": figures,
        "links": links,
        "agencies": agencies,
        "alerts": alerts,
        "overdue_days": days,
        "long_overdue": long_overdue,
        "complaints_late": complaints_late,
        "trend": monthly_trend(date_to),
        "ranking": ranking_snapshot(RankingPeriod(date_to.year)) if with_ranking else None,
    }
