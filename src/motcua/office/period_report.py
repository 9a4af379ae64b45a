"""The period report from the dashboard: ask for it, see whether it is made, download it.

The views only call the reports app: its service records the request
(``reports.services.report_request_create``), ``motcua worker`` makes the document
(``reports.jobs``: a province's document takes tens of seconds, too long for a request), and
its queries list and find the user's requests."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from motcua.core.access import client_ip, staff_required
from motcua.core.audit import audit_log
from motcua.core.dbrouter import reads_from_replica
from motcua.dossiers.scope import LEADER_ROLES
from motcua.office import forms
from motcua.office.dashboard import period_read
from motcua.reports.models import ReportFormat, ReportStatus
from motcua.reports.queries import report_request_done_for, report_request_list_for
from motcua.reports.services import ReportRefused, report_request_create, report_scope


def reports_context(request: HttpRequest) -> dict[str, Any]:
    """The user's latest report requests (one query) and whether one is still being made."""
    scope = report_scope(request.user)
    reports = report_request_list_for(request.user) if scope else []
    return {
        "report_scope": scope,
        "reports": reports,
        "reports_waiting": any(
            r.status in (ReportStatus.PENDING, ReportStatus.RUNNING) for r in reports
        ),
        "report_formats": ReportFormat.choices,
    }


@require_POST
@staff_required(roles=LEADER_ROLES)
def report_request(request: HttpRequest) -> HttpResponse:
    """Ask for the period report of the period shown, for the user's own scope."""
    form = forms.PeriodForm(request.POST)
    period = period_read(form, timezone.localdate())
    back = reverse("office:dashboard")
    if period is None:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(back)
    date_from, date_to = period
    # Back to the period, the list of reports open (``bao_cao``) and in view.
    back += f"?date_from={date_from.isoformat()}&date_to={date_to.isoformat()}&bao_cao=1#bao-cao"
    try:
        report_request_create(
            actor=request.user,
            date_from=date_from,
            date_to=date_to,
            fmt=request.POST.get("fmt", ""),
            ip=client_ip(request),
        )
    except ReportRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Đang lập báo cáo kỳ; tệp sẽ có trong danh sách bên dưới khi lập xong."),
        )
    return HttpResponseRedirect(back)


@require_GET
@staff_required(roles=LEADER_ROLES)
@reads_from_replica()
def report_list(request: HttpRequest) -> HttpResponse:
    """The user's report requests (refreshed by HTMX while one is being made)."""
    return render(request, "office/_reports.html", reports_context(request))


@require_GET
@never_cache
@staff_required(roles=LEADER_ROLES)
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    """A report the user asked for (only their own: its scope was checked when asked), once
    made; the download is audited."""
    report = report_request_done_for(request.user, pk)
    if report is None:
        raise Http404
    audit_log(
        actor=request.user,
        action="report.download",
        object_type="report",
        object_id=report.pk,
        data={
            "from": report.date_from.isoformat(),
            "to": report.date_to.isoformat(),
            "agency": report.agency.code if report.agency else None,
            "fmt": report.fmt,
        },
        ip=client_ip(request),
    )
    name = PurePath(report.file.name or f"bao-cao.{report.fmt}").name
    response = FileResponse(report.file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response
