"""The inbox: the worklist of a user's scope, its tabs and the dashboard's drill-down lists."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.agencies.models import Agency, Level
from motcua.core.access import staff_home, staff_required
from motcua.core.dbrouter import reads_from_replica
from motcua.core.models import Role
from motcua.dossiers.models import (
    Dossier,
)
from motcua.dossiers.scope import WRITE_ROLES, request_scope
from motcua.office import forms, queries
from motcua.office.dashboard import (
    PeriodFilter,
    period_filter,
    period_read,
)
from motcua.office.risk import risk_clock
from motcua.office.views.common import (
    is_htmx,
    request_profile,
)
from motcua.reports.period import Period, standing_at_end

# --- inbox ----------------------------------------------------------------------------------


@require_GET
@staff_required()
@reads_from_replica()
def inbox(request: HttpRequest) -> HttpResponse:
    profile = request_profile(request)
    if profile.role == Role.ACCOUNTANT:
        # No dossier is theirs to see (``dossiers.scope``): the staff home (the logo, an old
        # bookmark) takes them to their own pages rather than an empty list.
        return redirect(staff_home(request.user))
    scope = request_scope(request)  # the user's scope, resolved once for the whole page
    key = request.GET.get("f", "open")
    # Only roles that work on dossiers have a desk; oversight sees the whole scope.
    has_desk = profile.role in WRITE_ROLES
    mine = request.GET.get("cua", "") == "toi" and has_desk
    query = request.GET.get("q", "").strip()
    now = timezone.now()
    risk = risk_clock(now)  # the at-risk rule, once for the tabs, the counts and the badges
    current: Any = queries.filter_by_key(key, now, risk, request.user)
    # A dashboard figure links here with its period (and its agency, for the table by
    # agency): the same filter and scope as its count (``dashboard.period_filter``).
    drill: dict[str, Any] | None = None
    if "ky" in request.GET:
        period = period_read(forms.PeriodForm(request.GET), timezone.localdate())
        figure = None
        if period is not None:
            figure = period_filter(request.GET["ky"], request.user, period[0], period[1], risk)
        if period is not None and figure is not None:
            current, mine = figure, False
            drill = {
                "label": figure.label,
                "from": period[0],
                "to": period[1],
                "agency": None,
                "level": None,
            }
            agency_id = request.GET.get("co_quan", "")
            if agency_id.isdigit():
                current = PeriodFilter(figure.key, figure.label, figure.q & Q(agency_id=agency_id))
                drill["agency"] = Agency.objects.filter(pk=agency_id).first()
            level = request.GET.get("cap", "")
            if level in Level.values:  # a row of the executive view's table by level
                current = PeriodFilter(current.key, current.label, current.q & Q(level=level))
                drill["level"] = {"code": level, "label": Level(level).label}
    counts = queries.inbox_counts(scope, mine=mine, now=now, risk=risk)
    dossiers = queries.inbox(scope, q=current.q, mine=mine, query=query, key=current.key)
    page = Paginator(dossiers.values_list("pk", flat=True), 50)
    if drill is None and not query:
        # The tab's count is the list's length: the paginator need not count it again.
        page.count = counts[current.key]
    ids = page.get_page(request.GET.get("trang"))
    # The page chosen over ids, then read whole (``queries.inbox_rows``).
    page_obj: Page[Dossier] = Page(queries.inbox_rows(ids), ids.number, page)  # type: ignore[arg-type]
    for dossier in page_obj:
        risk.mark(dossier)
    if drill is not None:
        # Each row as it stood at the period's end (its status, due date and days late
        # then), by the rule the figure counts with; not today's status.
        standing = standing_at_end(list(page_obj), Period(drill["from"], drill["to"]), now)
        for dossier in page_obj:
            setattr(dossier, "at_end", standing[dossier.pk])  # noqa: B010 (for the template)
    context = {
        "title": _("Hồ sơ cần xử lý"),
        "filters": [
            (f, counts.get(f.key, 0)) for f in queries.user_filters(request.user, now, risk)
        ],
        "current": current,
        "drill": drill,
        "mine": mine,
        "has_desk": has_desk,
        "query": query,
        "page": page_obj,
        "now": now,
        "unit_label": queries.user_unit_label(scope),
    }
    template = "office/_inbox_table.html" if is_htmx(request) else "office/inbox.html"
    return render(request, template, context)
