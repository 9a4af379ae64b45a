"""Fees collected per agency and period, for the centre's managers, the leaders and the
accountants (issue 17):
the page and its XLSX. The figures and the scope are the reports app's
(``reports.fees_collected``, ``reports.services.report_scope``): the user's own scope, never
one from the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from motcua.core.access import client_ip, staff_required
from motcua.core.audit import audit_log
from motcua.core.dbrouter import reads_from_replica
from motcua.core.models import Role
from motcua.dossiers.scope import LEADER_ROLES
from motcua.office import forms
from motcua.office.dashboard import period_read
from motcua.reports.fees_collected import fees_collected, fees_collected_xlsx
from motcua.reports.services import report_scope

# The leaders of the period report, and the agency's accountant (issue 17).
FEES_REPORT_ROLES = LEADER_ROLES | {Role.ACCOUNTANT}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
@never_cache
@staff_required(roles=FEES_REPORT_ROLES)
@reads_from_replica()
def fees_report(request: HttpRequest) -> HttpResponse:
    scope = report_scope(request.user, FEES_REPORT_ROLES)
    form = forms.PeriodForm(request.GET if request.GET.get("date_from") else None)
    period = period_read(form, timezone.localdate())
    if period is not None and not form.errors:
        # The boxes say the period shown: the default (the quarter so far), or what was
        # asked with a missing end filled in.
        form = forms.PeriodForm(initial={"date_from": period[0], "date_to": period[1]})
    report = None
    if scope is not None and period is not None:
        report = fees_collected(period[0], period[1], scope.agency, scope.name)
        if request.GET.get("fmt") == "xlsx":
            audit_log(
                actor=request.user,
                action="report.fees_download",
                object_type="report",
                object_id="fees",
                data={
                    "from": period[0].isoformat(),
                    "to": period[1].isoformat(),
                    "agency": scope.agency.code if scope.agency else None,
                },
                ip=client_ip(request),
            )
            response = HttpResponse(fees_collected_xlsx(report), content_type=XLSX)
            name = f"phi-le-phi-{period[0].isoformat()}-{period[1].isoformat()}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(
        request,
        "office/fees_report.html",
        {"form": form, "report": report, "scope": scope, "title": _("Phí, lệ phí đã thu")},
    )
