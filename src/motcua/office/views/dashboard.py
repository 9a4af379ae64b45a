"""The leadership dashboard: a period's figures for the user's scope, and its charts."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.agencies.letterheads import letterhead_for
from motcua.agencies.models import Agency
from motcua.agencies.queries import scope_root
from motcua.core.access import staff_required
from motcua.core.dbrouter import reads_from_replica
from motcua.core.middleware import keep_cache_control
from motcua.dossiers.scope import LEADER_ROLES, READ_ALL_ROLES
from motcua.office import charts, forms
from motcua.office.dashboard import (
    dashboard_figures,
    figures_by_month,
    late_by_agency,
    period_presets,
    period_read,
)
from motcua.office.period_report import reports_context
from motcua.office.views.common import (
    request_profile,
)

DASHBOARD_ROLES = frozenset({*LEADER_ROLES, *READ_ALL_ROLES})

# A chart's image may be kept this long by the person's browser (never by a proxy: private):
# the numbers of a period in progress change, and a browser keeps an image for the page's
# next view without asking.
CHART_MAX_AGE = 300

# --- leadership ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """What the dashboard and its charts show: the period asked for (None when invalid, the
    error then on ``form``) and the agency whose figures they are (None: the province)."""

    form: forms.PeriodForm
    period: tuple[dt.date, dt.date] | None
    agency: Agency | None


def dashboard_scope(request: HttpRequest) -> DashboardScope:
    """The period and scope of the dashboard's request, one rule for the page and its charts:
    the period of ``period_read`` (the quarter so far by default), the province for
    ``READ_ALL_ROLES``, the agency the user leads otherwise."""
    form = forms.PeriodForm(request.GET or None)
    period = period_read(form, timezone.localdate())
    profile = request_profile(request)
    agency = None if profile.role in READ_ALL_ROLES else scope_root(profile.agency)
    return DashboardScope(form, period, agency)


def _chart_url(key: str, date_from: dt.date, date_to: dt.date) -> str:
    query = urlencode({"date_from": date_from.isoformat(), "date_to": date_to.isoformat()})
    return f"{reverse('office:dashboard_chart', args=[key])}?{query}"


@require_GET
@staff_required(roles=DASHBOARD_ROLES)
@reads_from_replica()
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = dashboard_scope(request)
    form, agency = scope.form, scope.agency
    figures = None
    months = []
    chart_images: dict[str, dict[str, object]] = {}
    date_from = date_to = None
    today = timezone.localdate()
    if scope.period is not None:
        date_from, date_to = scope.period
        # The inputs show the period shown (the defaults too).
        form = forms.PeriodForm(initial={"date_from": date_from, "date_to": date_to})
        figures = dashboard_figures(
            request.user, agency=agency, date_from=date_from, date_to=date_to
        )
        # The charts' tables show the months: read here (the rollup's few rows for the
        # province); the charts themselves are drawn when the browser asks for their images.
        months = figures_by_month(request.user, date_from=date_from, date_to=date_to)
        chart_images = {
            c.key: {"chart": c, "src": _chart_url(c.key, date_from, date_to)}
            for c in charts.charts_shown(months, figures["by_agency"])
        }
    context = reports_context(request)
    return render(
        request,
        "office/dashboard.html",
        {
            "title": _("Tình hình giải quyết hồ sơ"),
            "form": form,
            "figures": figures,
            "months": months,
            "charts": chart_images,
            "late_rows": [r for r in figures["by_agency"] if r["late"]] if figures else [],
            "presets": period_presets(today),
            "date_from": date_from,
            "date_to": date_to,
            "date_from_iso": date_from.isoformat() if date_from else "",
            "date_to_iso": date_to.isoformat() if date_to else "",
            # The agency by its name of the period's end, as its documents print it.
            "scope_name": (
                letterhead_for(agency, date_to or today).unit if agency else _("Toàn tỉnh")
            ),
            # The list where the file appears stays open while one is made (and after).
            "reports_open": context["reports_waiting"] or "bao_cao" in request.GET,
            **context,
        },
    )


@require_GET
@staff_required(roles=DASHBOARD_ROLES)
@reads_from_replica()
def dashboard_chart(request: HttpRequest, key: str) -> HttpResponse:
    """One chart of the dashboard as an SVG image, for the period and scope the page shows
    (``dashboard_scope``): the same figures, so the same numbers as the page's tables. 404
    for an unknown chart, an invalid period (the page shows no chart then) or a chart with
    nothing to show (the page has no image for it). Kept a few minutes by the browser, and
    answered 304 when its ``ETag`` (the SVG's hash) is the one the browser has."""
    if key not in charts.CHART_KEYS:
        raise Http404
    scope = dashboard_scope(request)
    if scope.period is None:
        raise Http404
    date_from, date_to = scope.period
    months = []
    rows = []
    if key == "late":
        rows = late_by_agency(request.user, date_from=date_from, date_to=date_to)
    else:
        months = figures_by_month(request.user, date_from=date_from, date_to=date_to)
    svg = charts.chart_svg(key, months, rows)
    if svg is None:
        raise Http404
    etag = '"' + hashlib.sha256(svg).hexdigest()[:32] + '"'
    response = get_conditional_response(
        request, etag=etag, response=HttpResponse(svg, content_type="image/svg+xml")
    )
    assert response is not None  # the answer given, or 304
    response["ETag"] = etag
    # Figures of agencies, no personal data: the browser may keep it (the signed-in person's
    # no-store rule, core.middleware, is lifted for this answer alone).
    patch_cache_control(response, private=True, max_age=CHART_MAX_AGE)
    # Another person, or another language, on the same browser: asked again.
    patch_vary_headers(response, ["Cookie"])
    return keep_cache_control(response)
