"""The executive view ``/dieu-hanh/`` (issue 18.1) for the provincial office and the
chairman (a leader of the province's committee, the root agency): the whole province."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.core.access import staff_required
from motcua.core.dbrouter import reads_from_replica
from motcua.core.models import Role
from motcua.office import forms
from motcua.office.dashboard import period_read
from motcua.office.views.common import request_profile
from motcua.reports.executive import executive_figures, presets, trend_svg

EXECUTIVE_ROLES = (Role.PROVINCIAL_OFFICE, Role.LEADER)


@require_GET
@staff_required(roles=EXECUTIVE_ROLES)
@reads_from_replica()
def executive(request: HttpRequest) -> HttpResponse:
    profile = request_profile(request)
    if profile.role == Role.LEADER and profile.agency.parent_id is not None:
        raise Http404  # only the chairman's committee sees the whole province
    today = timezone.localdate()
    form = forms.PeriodForm(request.GET or None)
    period = period_read(form, today)
    data = None
    if period is not None:
        data = executive_figures(*period)
        data["trend_svg"] = mark_safe(trend_svg(data["trend"]))  # numbers only, built here
    return render(
        request,
        "office/executive.html",
        {
            "title": _("Điều hành"),
            "form": form,
            "period": period,
            "presets": presets(today),
            "data": data,
        },
    )
