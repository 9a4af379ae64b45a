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

from motcua.agencies.queries import scope_root
from motcua.core.access import staff_required
from motcua.dossiers.scope import LEADER_ROLES, READ_ALL_ROLES
from motcua.office import forms
from motcua.office.dashboard import (
    dashboard_figures,
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
def dashboard(request: HttpRequest) -> HttpResponse:
    form = forms.PeriodForm(request.GET or None)
    period = period_read(form, timezone.localdate())
    profile = request_profile(request)
    agency = None if profile.role in READ_ALL_ROLES else scope_root(profile.agency)
    figures = None
    date_from = date_to = None
    if period is not None:
        date_from, date_to = period
        # The inputs show the period shown (the defaults too).
        form = forms.PeriodForm(initial={"date_from": date_from, "date_to": date_to})
        figures = dashboard_figures(
            request.user, agency=agency, date_from=date_from, date_to=date_to
        )
    return render(
        request,
        "office/dashboard.html",
        {
            "title": _("Tình hình giải quyết hồ sơ"),
            "form": form,
            "figures": figures,
            "date_from": date_from,
            "date_to": date_to,
            "date_from_iso": date_from.isoformat() if date_from else "",
            "date_to_iso": date_to.isoformat() if date_to else "",
            "scope_name": agency.name if agency else _("Toàn tỉnh"),
            **reports_context(request),
        },
    )
