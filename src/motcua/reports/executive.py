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
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency, Level
from motcua.core.formatting import pct, vn_int
from motcua.dossiers.models import CLOCK_PAUSED_STATUSES, Dossier, EndKind
from motcua.feedback.models import CLOSED_STATUSES, Feedback
from motcua.reports.indicators import indicators_for_agencies
from motcua.reports.period import make_period, scope_q
from motcua.reports.queries import ii06a_columns, period_figures
from motcua.reports.ranking import RankingPeriod, ranked_agencies, ranking_snapshot
from motcua.reports.rollup_queries import FLOW_KEYS, rollup_ended_counts

# The figures linked to the staff list, with the key the list filters by (office.dashboard).
LINKED = (
    "received",
    "received_online",
    "resolved",
    "early",
    "on_time",
    "late",
    "in_progress",
    "in_progress_overdue",
)
# An agency's row is shown when one of these figures of the period is not 0.
AGENCY_ROW_SHOWN = ("received", "carried_over", "resolved", "returned", "withdrawn", "in_progress")
# The figures of the tables by agency and by level, with their lists.
ROW_LINKED = ("received", "resolved", "late", "in_progress", "in_progress_overdue")


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


def drill_link(
    key: str,
    date_from: dt.date,
    date_to: dt.date,
    agency_id: int | None,
    level: str | None = None,
) -> str:
    """The staff dossier list with the report's filters (as the dashboard links): the
    figure, the period, and the agency or the level of the row."""
    params = {"ky": key, "date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    if agency_id is not None:
        params["co_quan"] = str(agency_id)
    if level is not None:
        params["cap"] = level
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


def trend_legend(rows: list[dict[str, Any]]) -> tuple[str, str]:
    """What the bars and the line are: the year ("2026"), or the months when the twelve
    span two years ("11/2025–10/2026"); the line's is a year before."""
    if not rows:
        return "", ""
    first, last = rows[0]["month"], rows[-1]["month"]

    def span(shift: int) -> str:
        a, b = first.replace(year=first.year - shift), last.replace(year=last.year - shift)
        return str(a.year) if a.year == b.year else f"{a:%m/%Y}–{b:%m/%Y}"

    return span(0), span(1)


def trend_svg(rows: list[dict[str, Any]], width: int = 640, height: int = 240) -> str:
    """Received per month (bars) against the same months a year before (line and dots),
    inline SVG: a value axis (0, half, top), each month under its bar (T1…T12, the year
    under its first month and under each January), the two series in a legend, and every
    value as a ``<title>`` tooltip. Decorative for screen readers (``aria-hidden``): the
    page gives the same numbers as a table."""
    left, right, top_pad, bottom = 48, 8, 30, 36  # room for the axis, legend and labels
    plot_h = height - top_pad - bottom
    base = top_pad + plot_h
    top = max([1, *(r["received"] for r in rows), *(r["received_year_before"] for r in rows)])
    step = (width - left - right) / max(len(rows), 1)
    now_label, before_label = trend_legend(rows)

    def y(value: int) -> float:
        return base - value / top * plot_h

    text = 'font-size="13" fill="#333"'
    parts = []
    for value in sorted({0, top // 2, top}):  # the value axis and its grid lines
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="#d0d5dd" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" {text}>'
            f"{vn_int(value)}</text>"
        )
    points, dots = [], []
    for i, r in enumerate(rows):
        month: dt.date = r["month"]
        x = left + i * step
        cx = x + step / 2
        h = base - y(r["received"])
        parts.append(
            f'<rect x="{x + 4:.1f}" y="{y(r["received"]):.1f}" width="{step - 8:.1f}" '
            f'height="{h:.1f}" fill="#2563eb"><title>{month:%m/%Y}: '
            f"{vn_int(r['received'])}</title></rect>"
        )
        before = month.replace(year=month.year - 1)
        yb = y(r["received_year_before"])
        points.append(f"{cx:.1f},{yb:.1f}")
        dots.append(
            f'<circle cx="{cx:.1f}" cy="{yb:.1f}" r="3.5" fill="#dc2626"><title>'
            f"{before:%m/%Y}: {vn_int(r['received_year_before'])}</title></circle>"
        )
        parts.append(
            f'<text x="{cx:.1f}" y="{base + 15}" text-anchor="middle" {text}>'
            f"{_('T%(month)d') % {'month': month.month}}</text>"
        )
        if i == 0 or month.month == 1:
            parts.append(
                f'<text x="{cx:.1f}" y="{base + 31}" text-anchor="middle" {text}>'
                f"{month.year}</text>"
            )
    line = f'<polyline points="{" ".join(points)}" fill="none" stroke="#dc2626" stroke-width="2"/>'
    legend = (
        f'<rect x="{left}" y="6" width="14" height="14" fill="#2563eb"/>'
        f'<text x="{left + 20}" y="18" {text}>{escape(now_label)}</text>'
        f'<line x1="{left + 160}" x2="{left + 184}" y1="13" y2="13" stroke="#dc2626" '
        f'stroke-width="2"/><circle cx="{left + 172}" cy="13" r="3.5" fill="#dc2626"/>'
        f'<text x="{left + 190}" y="18" {text}>{escape(before_label)}</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-hidden="true" focusable="false" data-chart="trend">'
        f"{''.join(parts)}{line}{''.join(dots)}{legend}</svg>"
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


def previous_on_time_rates(date_from: dt.date, date_to: dt.date) -> dict[tuple[str, int], float]:
    """The on-time rate of each (level, agency) row of biểu II.06a for a period, as
    ``period_figures(source="rollup")`` lays it out, from the rollup's ended rows alone: the
    alerts compare the period with the one before, and only its ended dossiers matter, so
    the previous period's stocks (carried over, in progress, overdue: the costly part of a
    report) are not counted."""
    period = make_period(date_from, date_to)
    blank = dict.fromkeys(FLOW_KEYS, 0) | {"carried_over": 0, "in_progress": 0, "overdue": 0}
    out = {}
    for (agency_id, level), counts in rollup_ended_counts(scope_q(None, date_to), period).items():
        rate = _on_time_rate(ii06a_columns(blank | counts))
        if rate is not None:
            out[(level, agency_id)] = rate
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
    before = previous_on_time_rates(prev_to - length, prev_to)
    ids = dict(Agency.objects.values_list("code", "pk"))
    # The on-time rate as biểu II.06a states it (returned and withdrawn dossiers count as
    # resolved on time), the same as the previous period's for the alerts.
    ii06a = {
        (level["level"], row["code"]): row
        for level in figures["table_ii06a"]["by_agency"]["levels"]
        for row in level["rows"]
    }
    agencies, alerts = [], []
    # Each row's figures are the report's (received in the period, results), as the totals
    # and the levels above, so that each opens a list of exactly that many dossiers.
    for row in figures["by_agency_level"]:
        if not any(row[key] for key in AGENCY_ROW_SHOWN):
            continue  # counted only in the year to date, say: nothing of this period to show
        agency_id = ids.get(row["code"])
        table_row = ii06a.get((row["level"], row["code"]))
        rate = _on_time_rate(table_row) if table_row else None
        then = before.get((row["level"], agency_id)) if agency_id is not None else None
        agencies.append(
            {
                **row,
                "level_name": str(Level(row["level"]).label)
                if row["level"] in Level.values
                else row["level"],
                "on_time_rate": rate,
                "links": {
                    key: drill_link(key, date_from, date_to, agency_id) for key in ROW_LINKED
                },
            }
        )
        if rate is not None and then is not None and rate < then:
            alerts.append({"name": row["name"], "rate": rate, "before": then})
    links = {key: drill_link(key, date_from, date_to, None) for key in LINKED}
    levels = [
        {
            **row,
            "name": str(Level(row["level"]).label)
            if row["level"] in Level.values
            else row["level"],
            "links": {
                key: drill_link(key, date_from, date_to, None, row["level"]) for key in ROW_LINKED
            },
        }
        for row in figures["by_level"]
    ]
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
    trend = monthly_trend(date_to)
    return {
        "figures": figures,
        "links": links,
        "agencies": agencies,
        "levels": levels,
        "alerts": alerts,
        "overdue_days": days,
        "long_overdue": long_overdue,
        "complaints_late": complaints_late,
        "trend": trend,
        "trend_legend": trend_legend(trend),
        "ranking": ranking_snapshot(RankingPeriod(date_to.year)) if with_ranking else None,
    }
