"""The executive view ``/dieu-hanh/`` (issue 18.1) for the provincial office and the
chairman (a leader of the province's committee, the root agency): the whole province."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motcua.core.access import staff_required
from motcua.core.dbrouter import reads_from_replica
from motcua.core.models import Role
from motcua.office import forms
from motcua.office.dashboard import period_read
from motcua.office.views.common import request_profile
from motcua.reports.executive import executive_figures, presets, trend_svg

EXECUTIVE_ROLES = (Role.PROVINCIAL_OFFICE, Role.LEADER)
PRESET_LABELS = {
    "month": gettext_lazy("Tháng này"),
    "quarter": gettext_lazy("Quý này"),
    "year": gettext_lazy("Từ đầu năm"),
    "last_year": gettext_lazy("Năm trước"),
}


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
    if period is not None and not form.errors:
        # The boxes say the period shown: the default (the quarter so far), or what was
        # asked with a missing end filled in.
        form = forms.PeriodForm(initial={"date_from": period[0], "date_to": period[1]})
    data = None
    if period is not None:
        data = executive_figures(*period)
        data["trend_svg"] = mark_safe(trend_svg(data["trend"]))  # numbers only, built here
    choices = [
        {"label": PRESET_LABELS[key], "from": a, "to": b, "current": False}
        for key, a, b in presets(today)
    ]
    # The preset the period shown is (the first, when two are the same days: in January's
    # quarter, "this quarter" and "from the start of the year").
    for choice in choices:
        if period == (choice["from"], choice["to"]):
            choice["current"] = True
            break
    return render(
        request,
        "office/executive.html",
        {
            "title": _("Điều hành"),
            "form": form,
            "period": period,
            "presets": choices,
            "data": data,
        },
    )
