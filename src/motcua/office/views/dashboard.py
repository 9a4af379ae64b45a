"""The leadership dashboard: a period's figures for the user's scope."""

from __future__ import annotations

from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.agencies.letterheads import letterhead_for
from motcua.agencies.queries import scope_root
from motcua.core.access import staff_required
from motcua.core.dbrouter import reads_from_replica
from motcua.dossiers.scope import LEADER_ROLES, READ_ALL_ROLES
from motcua.office import charts, forms
from motcua.office.dashboard import (
    dashboard_figures,
    figures_by_month,
    period_presets,
    period_read,
)
from motcua.office.period_report import reports_context
from motcua.office.views.common import (
    request_profile,
)

DASHBOARD_ROLES = frozenset({*LEADER_ROLES, *READ_ALL_ROLES})

# --- leadership ---------------------------------------------------------------------------------


@require_GET
@staff_required(roles=DASHBOARD_ROLES)
@reads_from_replica()
def dashboard(request: HttpRequest) -> HttpResponse:
    form = forms.PeriodForm(request.GET or None)
    period = period_read(form, timezone.localdate())
    profile = request_profile(request)
    agency = None if profile.role in READ_ALL_ROLES else scope_root(profile.agency)
    figures = None
    months = []
    chart_list: list[charts.Chart] = []
    date_from = date_to = None
    today = timezone.localdate()
    if period is not None:
        date_from, date_to = period
        # The inputs show the period shown (the defaults too).
        form = forms.PeriodForm(initial={"date_from": date_from, "date_to": date_to})
        figures = dashboard_figures(
            request.user, agency=agency, date_from=date_from, date_to=date_to
        )
        months = figures_by_month(request.user, date_from=date_from, date_to=date_to)
        made = (
            charts.received_by_month(months, _("Hồ sơ tiếp nhận theo tháng và hình thức nộp")),
            charts.on_time_by_month(
                months, _("Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn theo tháng")
            ),
            charts.late_by_agency(figures["by_agency"], _("Hồ sơ giải quyết quá hạn theo cơ quan")),
        )
        chart_list = [c for c in made if c is not None]
    context = reports_context(request)
    return render(
        request,
        "office/dashboard.html",
        {
            "title": _("Tình hình giải quyết hồ sơ"),
            "form": form,
            "figures": figures,
            "months": months,
            "charts": {c.key: c for c in chart_list},
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
