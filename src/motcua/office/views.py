"""The staff application: counter, processing, leadership and audit pages.

Function views; each change is one call to a ``motcua.dossiers.services`` function (which
checks the transition, bumps the version, writes the event and the audit row). Views only
read, validate forms and translate service errors into Vietnamese messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureVersion
from motcua.core.access import (
    LEADER_ROLES,
    READ_ALL_ROLES,
    WRITE_ROLES,
    agency_subtree,
    can_write,
    client_ip,
    counter_receives,
    scope_root,
    staff_profile,
    staff_required,
    user_agency_scope,
    works_at_counter,
)
from motcua.core.audit import audit_log
from motcua.core.models import Role, StaffProfile
from motcua.core.people import person_name
from motcua.dossiers import services
from motcua.dossiers.errors import ApplicantInvalid, ConflictError, DossierError
from motcua.dossiers.forms_docs import CONTENT_TYPES, render_register
from motcua.dossiers.forms_docs.render import Format, form_response
from motcua.dossiers.models import (
    Dossier,
    EventType,
    Flag,
    GuidanceKind,
    Status,
)
from motcua.dossiers.queries import dossier_for
from motcua.office import forms, queries
from motcua.office.dashboard import (
    PeriodFilter,
    dashboard_figures,
    period_filter,
    period_read,
)
from motcua.office.period_report import reports_context
from motcua.office.risk import risk_clock
from motcua.office.templatetags.office import unit_name

PROCESSING_SIDE = frozenset({Role.SPECIALIST, Role.LEADER, Role.CENTER_MANAGER})
DASHBOARD_ROLES = frozenset({*LEADER_ROLES, *READ_ALL_ROLES})


def _is_htmx(request: HttpRequest) -> bool:
    """Whether django-htmx's middleware saw an HTMX request (a partial page is wanted)."""
    return bool(getattr(request, "htmx", False))


def _profile(request: HttpRequest) -> StaffProfile:
    profile = staff_profile(request.user)
    assert profile is not None  # staff_required ran first
    return profile


# --- the dossier: one access path ---------------------------------------------------------


def dossier_get(request: HttpRequest, code: str, *, write: bool = False) -> Dossier:
    """The dossier ``code`` through the one access function: 404 for a dossier the user may
    not see (or change, with ``write``), the same as for a code that does not exist
    (domain.md §12). ``dossier_for`` writes the read to the audit trail."""
    return dossier_for(request.user, code, write=write)


def _call(request: HttpRequest, service: Callable[..., Any], **kwargs: Any) -> bool:
    """Run one service call; its errors become a Vietnamese message on the next page."""
    try:
        service(actor=request.user, **kwargs)
    except ConflictError as exc:
        messages.error(
            request,
            str(exc)
            or _("Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và thực hiện lại."),
        )
    except ApplicantInvalid as exc:
        messages.error(request, str(exc))
    except DossierError as exc:
        messages.error(request, str(exc))
    else:
        return True
    return False


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def _detail_url(dossier: Dossier) -> str:
    return reverse("office:dossier", args=[dossier.code])


# --- inbox ----------------------------------------------------------------------------------


@require_GET
@staff_required()
def inbox(request: HttpRequest) -> HttpResponse:
    profile = _profile(request)
    key = request.GET.get("f", "open")
    # Only roles that work on dossiers have a desk; oversight sees the whole scope.
    has_desk = profile.role in WRITE_ROLES
    mine = request.GET.get("cua", "") == "toi" and has_desk
    query = request.GET.get("q", "").strip()
    now = timezone.now()
    risk = risk_clock(now)  # the at-risk rule, once for the tabs, the counts and the badges
    current: Any = queries.filter_by_key(key, now, risk)
    # A dashboard figure links here with its period (and its agency, for the table by
    # agency): the same filter as its count.
    drill: dict[str, Any] | None = None
    if "ky" in request.GET:
        period = period_read(forms.PeriodForm(request.GET), timezone.localdate())
        figure = None
        if period is not None:
            figure = period_filter(request.GET["ky"], period[0], period[1], risk)
        if period is not None and figure is not None:
            current, mine = figure, False
            drill = {"label": figure.label, "from": period[0], "to": period[1], "agency": None}
            agency_id = request.GET.get("co_quan", "")
            if agency_id.isdigit():
                current = PeriodFilter(figure.key, figure.label, figure.q & Q(agency_id=agency_id))
                drill["agency"] = Agency.objects.filter(pk=agency_id).first()
    counts = queries.inbox_counts(request.user, mine=mine, now=now, risk=risk)
    dossiers = queries.inbox(request.user, q=current.q, mine=mine, query=query, key=current.key)
    page = Paginator(dossiers.values_list("pk", flat=True), 50)
    if drill is None and not query:
        # The tab's count is the list's length: the paginator need not count it again.
        page.count = counts[current.key]
    ids = page.get_page(request.GET.get("trang"))
    # The page chosen over ids, then read whole (``queries.inbox_rows``).
    page_obj: Page[Dossier] = Page(queries.inbox_rows(ids), ids.number, page)  # type: ignore[arg-type]
    for dossier in page_obj:
        risk.mark(dossier)
    context = {
        "title": _("Hồ sơ cần xử lý"),
        "filters": [(f, counts.get(f.key, 0)) for f in queries.inbox_filters(now, risk)],
        "current": current,
        "drill": drill,
        "mine": mine,
        "has_desk": has_desk,
        "query": query,
        "page": page_obj,
        "now": now,
        "unit_label": queries.user_unit_label(request.user),
    }
    template = "office/_inbox_table.html" if _is_htmx(request) else "office/inbox.html"
    return render(request, template, context)


# --- the dossier page ----------------------------------------------------------------------


@require_GET
@never_cache  # personal data: never kept by a shared browser or proxy (domain.md §12)
@staff_required()
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_get(request, code)
    writable = can_write(request.user, dossier)
    # Only the unit holding the current step acts on it (services.holder): the page offers
    # nothing else, the services refuse it anyway.
    holds = writable and services.dossier_may_act(request.user, dossier)
    decides = holds and services.dossier_may_act(request.user, dossier, decide=True)
    version_initial = {"version": dossier.version}
    steps = list(dossier.procedure_version.steps.all())
    following = services.next_step(dossier)
    step_choices = [
        (s.pk, f"{s.position}. {s.name} ({unit_name(s.unit)})")
        for s in (services.handover_steps(request.user, dossier) if holds else [])
        if following is None or s.pk != following.pk
    ]
    can_leave = holds and services.may_leave_workflow(request.user, dossier)
    status = dossier.status
    profile = _profile(request)
    actions: dict[str, Any] = {}
    if writable:
        if status == Status.SUBMITTED and works_at_counter(profile):
            actions["accept"] = forms.AcceptForm(initial=version_initial, auto_id="accept_%s")
            actions["completion"] = forms.SupplementForm(
                initial=version_initial, auto_id="completion_%s"
            )
            actions["reject"] = forms.RefuseForm(initial=version_initial, auto_id="reject_%s")
        if status in (Status.PROCESSING, Status.RESULT_READY) and holds:
            actions["handover"] = forms.HandoverForm(
                initial=version_initial,
                step_choices=step_choices,
                people=_desk_people(dossier),
                default_label=(
                    _("Bước tiếp theo: %(position)s. %(step)s (%(unit)s)")
                    % {
                        "position": following.position,
                        "step": following.name,
                        "unit": unit_name(following.unit),
                    }
                    if following is not None
                    else _("— Chuyển đến đơn vị ghi dưới đây —")
                ),
                auto_id="handover_%s",
            )
        if status == Status.PROCESSING and holds:
            actions["supplement"] = forms.SupplementForm(
                initial=version_initial, auto_id="supplement_%s"
            )
        if status == Status.PROCESSING and decides:
            if dossier.extension_count == 0:
                actions["extend"] = forms.ExtendForm(initial=version_initial, auto_id="extend_%s")
            actions["finish"] = forms.FinishForm(initial=version_initial, auto_id="finish_%s")
            actions["refuse"] = forms.RefuseForm(initial=version_initial, auto_id="refuse_%s")
        if status in (Status.PROCESSING, Status.SUPPLEMENT_REQUESTED):
            actions["withdraw"] = forms.WithdrawForm(initial=version_initial, auto_id="withdraw_%s")
        if status == Status.SUPPLEMENT_REQUESTED:
            actions["supplement_received"] = forms.SupplementReceivedForm(
                initial=version_initial, auto_id="supplement_received_%s"
            )
        if status == Status.RESULT_READY and _returns_result(profile, dossier):
            actions["deliver"] = forms.DeliverForm(
                # What the applicant asked for at the counter (form 01) is the default.
                initial={**version_initial, "channel": dossier.delivery_channel or "counter"},
                auto_id="deliver_%s",
            )
    events = list(dossier.events.select_related("actor").all())
    context = {
        "title": dossier.code,
        "dossier": dossier,
        "parts": list(dossier.parts.all()),
        "handovers": list(dossier.handovers.all()),
        "events": events,
        "postal_reference": next(
            (
                str(e.data.get("reference") or "")
                for e in reversed(events)
                if e.type == EventType.RESULT_DELIVERED
            ),
            "",
        ),
        "steps": steps,
        "explanation": dossier.due_explanation or {},
        "flags": [str(dict(Flag.choices).get(f, f)) for f in dossier.flags or []],
        "actions": actions,
        "writable": writable,
        "printable": _printable_forms(dossier),
        "unit_names": _unit_names(dossier) if "handover" in actions and can_leave else [],
        "can_leave": can_leave,
        "holder": services.dossier_holder(dossier),
        "now": timezone.now(),
        "GuidanceKind": GuidanceKind,
    }
    return render(request, "office/dossier.html", context)


def _returns_result(profile: StaffProfile, dossier: Dossier) -> bool:
    """The one-stop unit that received the dossier returns its result (ND 118/2025 Điều 8):
    its counter staff, not the deciding agency's leaders."""
    if not works_at_counter(profile):
        return False
    if dossier.receiving_unit_id is None:
        return counter_receives(profile, dossier.agency_id, dossier.level)
    return agency_subtree(scope_root(profile.agency)).filter(pk=dossier.receiving_unit_id).exists()


def _desk_people(dossier: Dossier) -> list[tuple[str, list[tuple[int, str]]]]:
    """The people a dossier can be handed to, by unit: the staff who act on dossiers in the
    competent agency's subtree and at the receiving unit (one query)."""
    units = agency_subtree(dossier.agency)
    where = Q(agency__in=units)
    if dossier.receiving_unit_id is not None:
        where |= Q(agency_id=dossier.receiving_unit_id)
    profiles = (
        StaffProfile.objects.filter(where, role__in=WRITE_ROLES, user__is_active=True)
        .select_related("agency", "user")
        .order_by("agency__path", "agency__name", "user__last_name", "user__first_name")
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for profile in profiles:
        groups.setdefault(profile.agency.name, []).append(
            (profile.user_id, person_name(profile.user))
        )
    return list(groups.items())


def _unit_names(dossier: Dossier) -> list[str]:
    """Suggestions for the next unit: the competent agency and its units, and the counter."""
    names = list(agency_subtree(dossier.agency).order_by("path").values_list("name", flat=True))
    if dossier.receiving_unit is not None:
        names.append(dossier.receiving_unit.name)
    return names


def _printable_forms(dossier: Dossier) -> list[tuple[str, str]]:
    """The official forms that exist for this dossier, in the order of its life."""
    # Only the types: without the model's ordering, no sort of the dossier's events.
    types = set(dossier.events.order_by().values_list("type", flat=True).distinct())
    found: list[tuple[str, str]] = []
    if dossier.received_at:
        found.append(("01", _("Giấy tiếp nhận và hẹn trả (mẫu 01)")))
    if types & {EventType.SUPPLEMENT_REQUESTED, EventType.COMPLETION_REQUESTED}:
        found.append(("02", _("Phiếu yêu cầu bổ sung (mẫu 02)")))
    if types & {EventType.REFUSED, EventType.REJECTED}:
        found.append(("03", _("Phiếu từ chối (mẫu 03)")))
    if EventType.EXTENSION in types:
        found.append(("04", _("Thư xin lỗi, hẹn lại (mẫu 04)")))
    if EventType.STOPPED in types:
        found.append(("05", _("Thông báo dừng giải quyết (mẫu 05)")))
    if dossier.received_at:
        found.append(("06", _("Phiếu kiểm soát quá trình (mẫu 06)")))
    return found


@require_GET
@staff_required()
def dossier_form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """An official form of the dossier as PDF (or DOCX with ``?fmt=docx``)."""
    dossier = dossier_get(request, code)
    if form not in dict(_printable_forms(dossier)):
        raise Http404
    fmt: Format = "docx" if request.GET.get("fmt") == "docx" else "pdf"
    try:
        response = form_response(form, dossier, fmt=fmt, inline=True)
    except ValueError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(_detail_url(dossier))
    audit_log(
        actor=request.user,
        action="dossier.print",
        object_type="dossier",
        object_id=dossier.code,
        data={"form": form, "fmt": fmt},
        ip=client_ip(request),
    )
    return response


# --- actions on a dossier --------------------------------------------------------------------


def _action(
    request: HttpRequest,
    code: str,
    form_class: type[forms.VersionedForm],
    run: Callable[[Dossier, Any], bool],
    success: str,
    *,
    decision: bool = False,
    holder: bool = False,
    **form_kwargs: Any,
) -> HttpResponse:
    dossier = dossier_get(request, code, write=True)
    if (decision or holder) and not services.dossier_may_act(
        request.user, dossier, decide=decision
    ):
        # The user sees the dossier (so 404 would hide nothing) but it is not at their step,
        # or the decision is not theirs. The service refuses it too.
        raise PermissionDenied
    form = form_class(request.POST, request.FILES, **form_kwargs)
    if not form.is_valid():
        _form_errors(request, form)
    elif run(dossier, form):
        messages.success(request, success)
    return HttpResponseRedirect(_detail_url(dossier))


def _version(form: Any) -> int:
    return int(form.cleaned_data["version"])


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_accept(request: HttpRequest, code: str) -> HttpResponse:
    profile = _profile(request)
    if not works_at_counter(profile):
        raise PermissionDenied
    return _action(
        request,
        code,
        forms.AcceptForm,
        lambda d, f: _call(
            request,
            services.dossier_accept,
            dossier=d,
            receiving_unit=profile.agency,
            expected_version=_version(f),
        ),
        _("Đã tiếp nhận hồ sơ."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_reject(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        forms.RefuseForm,
        lambda d, f: _call(
            request,
            services.dossier_reject,
            dossier=d,
            reason=f.cleaned_data["reason"],
            expected_version=_version(f),
        ),
        _("Đã từ chối tiếp nhận hồ sơ."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_request_completion(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        forms.SupplementForm,
        lambda d, f: _call(
            request,
            services.dossier_request_completion,
            dossier=d,
            items=f.item_list(),
            reason=f.cleaned_data["reason"],
            expected_version=_version(f),
        ),
        _("Đã yêu cầu người nộp hoàn thiện hồ sơ trực tuyến."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_withdraw(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        forms.WithdrawForm,
        lambda d, f: _call(
            request,
            services.dossier_withdraw,
            dossier=d,
            reason=f.cleaned_data["reason"],
            expected_version=_version(f),
        ),
        _("Đã ghi nhận người nộp rút hồ sơ."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_handover(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_get(request, code, write=True)
    steps = {s.pk: s for s in dossier.procedure_version.steps.all()}
    people = _desk_people(dossier)

    def run(d: Dossier, f: Any) -> bool:
        step = steps.get(f.cleaned_data["step"]) if f.cleaned_data["step"] else None
        return _call(
            request,
            services.dossier_handover,
            dossier=d,
            to_unit=f.cleaned_data["to_unit"],
            step=step,
            assignee=(
                User.objects.get(pk=f.cleaned_data["assignee"])
                if f.cleaned_data["assignee"]
                else None
            ),
            note=f.cleaned_data["note"],
            expected_version=_version(f),
        )

    return _action(
        request,
        code,
        forms.HandoverForm,
        run,
        _("Đã chuyển hồ sơ."),
        holder=True,
        step_choices=[(pk, str(s)) for pk, s in steps.items()],
        people=people,
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_request_supplement(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        forms.SupplementForm,
        lambda d, f: _call(
            request,
            services.dossier_request_supplement,
            dossier=d,
            items=f.item_list(),
            reason=f.cleaned_data["reason"],
            expected_version=_version(f),
        ),
        _("Đã gửi yêu cầu bổ sung hồ sơ; thời hạn giải quyết tạm dừng."),
        holder=True,
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_receive_supplement(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        forms.SupplementReceivedForm,
        lambda d, f: _call(
            request,
            services.dossier_receive_supplement,
            dossier=d,
            note=f.cleaned_data["note"],
            expected_version=_version(f),
        ),
        _("Đã nhận hồ sơ bổ sung; thời hạn giải quyết được tính lại."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_extend(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        forms.ExtendForm,
        lambda d, f: _call(
            request,
            services.dossier_extend,
            dossier=d,
            reason=f.cleaned_data["reason"],
            new_due_at=f.new_due_at(),
            expected_version=_version(f),
        ),
        _("Đã lập thư xin lỗi và hẹn lại ngày trả kết quả."),
        decision=True,
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_finish(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        forms.FinishForm,
        lambda d, f: _call(
            request,
            services.dossier_finish,
            dossier=d,
            result_file=f.cleaned_data.get("result_file"),
            late_reason=f.cleaned_data["late_reason"],
            note=f.cleaned_data["note"],
            expected_version=_version(f),
        ),
        _("Đã cập nhật kết quả giải quyết."),
        decision=True,
    )


@require_GET
@staff_required()
def result_file(request: HttpRequest, code: str) -> FileResponse:
    """Download the result document: through the dossier's access check, and audited."""
    dossier = dossier_get(request, code)
    if not dossier.result_file:
        raise Http404
    audit_log(
        actor=request.user,
        action="dossier.result_file.read",
        object_type="dossier",
        object_id=dossier.code,
        ip=client_ip(request),
    )
    name = PurePath(dossier.result_file.name or "ket-qua").name
    response = FileResponse(dossier.result_file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_refuse(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        forms.RefuseForm,
        lambda d, f: _call(
            request,
            services.dossier_refuse,
            dossier=d,
            reason=f.cleaned_data["reason"],
            expected_version=_version(f),
        ),
        _("Đã trả lại hồ sơ."),
        decision=True,
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_deliver(request: HttpRequest, code: str) -> HttpResponse:
    if not _returns_result(_profile(request), dossier_get(request, code, write=True)):
        raise PermissionDenied
    return _action(
        request,
        code,
        forms.DeliverForm,
        lambda d, f: _call(
            request,
            services.dossier_deliver,
            dossier=d,
            channel=f.cleaned_data["channel"],
            reference=f.cleaned_data["reference"],
            expected_version=_version(f),
        ),
        _("Đã trả kết quả cho người nộp."),
    )


# --- the counter ------------------------------------------------------------------------------


@require_GET
@staff_required()
def counter(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = {
        "title": _("Quầy tiếp nhận"),
        "query": query,
        "results": queries.procedure_search(query) if query else [],
        "GuidanceKind": GuidanceKind,
        "can_act": works_at_counter(_profile(request)),
    }
    return render(request, "office/counter.html", context)


@require_GET
@staff_required()
def procedure_search(request: HttpRequest) -> HttpResponse:
    """The search-as-you-type results (an HTMX fragment)."""
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "office/_procedure_results.html",
        {"query": query, "results": queries.procedure_search(query) if query else []},
    )


def _counter_unit(request: HttpRequest) -> Agency:
    """The unit that receives: the user's own service center (or agency)."""
    return _profile(request).agency


@staff_required()
def counter_procedure(request: HttpRequest, version_id: int) -> HttpResponseBase:
    """A procedure's checklist and one form with the three outcomes of a visit: receive
    (form 01), guide (form 02) or refuse (form 03). The applicant is typed once; the button
    pressed decides which of the three forms validates the same data."""
    version = get_object_or_404(
        queries.current_versions().select_related("procedure", "agency", "field"),
        pk=version_id,
    )
    # Only a one-stop unit's counter receives, and only the procedures of the committee it
    # serves at its level: a specialist typing the address of another agency's procedure
    # gets the checklist to read, not a dossier.
    can_act = counter_receives(_profile(request), version.agency_id, version.level)
    data = request.POST if request.method == "POST" else None
    outcome = request.POST.get("outcome", "") if data is not None else ""
    receive = forms.ReceiveForm(data if outcome == "receive" else None, version=version)
    guide = forms.GuideForm(data if outcome == "guide" else None)
    reject = forms.RejectForm(data if outcome == "reject" else None)
    if data is not None:
        if not can_act:
            raise PermissionDenied
        if outcome == "receive" and receive.is_valid():
            done = _counter_receive(request, version, receive)
            if done is not None:
                return done
        elif outcome == "guide" and guide.is_valid():
            return _counter_guide(request, version, guide)
        elif outcome == "reject" and reject.is_valid():
            done = _counter_reject(request, version, reject)
            if done is not None:
                return done
    # The form that was submitted carries the values and errors shown for every field.
    shown = {"receive": receive, "guide": guide, "reject": reject}.get(outcome, receive)
    context = {
        "title": version.name,
        "version": version,
        "parts": list(version.parts.all()),
        "steps": list(version.steps.all()),
        "form": shown,
        "receive": receive,
        "guide": guide,
        "reject": reject,
        "outcome": outcome,
        "can_act": can_act,
        "GuidanceKind": GuidanceKind,
    }
    return render(request, "office/counter_procedure.html", context)


def _applicant(form: forms.ApplicantForm) -> Any:
    from motcua.dossiers.applicants import Applicant

    return Applicant(**form.applicant_values())


def _applicant_errors(form: forms.ApplicantForm, exc: ApplicantInvalid) -> None:
    for name, message in exc.errors.items():
        field = f"applicant_{name}" if f"applicant_{name}" in form.fields else None
        if field is None and name in form.fields:
            field = name
        form.add_error(field, message)


def _counter_receive(
    request: HttpRequest, version: ProcedureVersion, form: forms.ReceiveForm
) -> HttpResponse | None:
    parts_by_pk = {p.pk: p for p in form.required_parts}
    parts = [
        services.PartInput(
            part=parts_by_pk[pk],
            name=parts_by_pk[pk].name,
            kind=parts_by_pk[pk].kind,
            copies=parts_by_pk[pk].copies,
        )
        for pk in form.cleaned_data["parts"]
        if pk in parts_by_pk
    ] + [services.PartInput(name=name) for name in form.extra_part_names()]
    try:
        dossier = services.dossier_receive(
            procedure_version=version,
            applicant=_applicant(form),
            actor=request.user,
            receiving_unit=_counter_unit(request),
            channel=form.cleaned_data["channel"],
            parts=parts,
            result_channel=form.cleaned_data["delivery"],
        )
    except ApplicantInvalid as exc:
        _applicant_errors(form, exc)
        return None
    except DossierError as exc:
        form.add_error(None, str(exc))
        return None
    messages.success(
        request,
        _("Đã tiếp nhận hồ sơ %(code)s. In giấy tiếp nhận và hẹn trả (mẫu 01) cho người nộp.")
        % {"code": dossier.code},
    )
    return HttpResponseRedirect(_detail_url(dossier) + "?moi=1")


def _counter_guide(
    request: HttpRequest, version: ProcedureVersion, form: forms.GuideForm
) -> HttpResponse:
    items = form.item_list()
    try:
        services.guidance_log(
            unit=_counter_unit(request),
            kind=GuidanceKind.DIRECT,
            actor=request.user,
            procedure_code=version.procedure.code,
            note="; ".join(items),
        )
    except DossierError as exc:
        messages.error(request, str(exc))
    # The guidance sheet (form 02 given at the counter) is printed from the page itself: the
    # visit created no dossier.
    return render(
        request,
        "office/guide_sheet.html",
        {
            "title": _("Phiếu hướng dẫn hoàn thiện hồ sơ"),
            "version": version,
            "applicant": form.cleaned_data,
            "items": items,
            "reason": form.cleaned_data["guide_reason"],
            "unit": _counter_unit(request),
            "today": timezone.localdate(),
        },
    )


def _counter_reject(
    request: HttpRequest, version: ProcedureVersion, form: forms.RejectForm
) -> HttpResponse | None:
    try:
        dossier = services.dossier_reject_at_counter(
            procedure_version=version,
            applicant=_applicant(form),
            actor=request.user,
            receiving_unit=_counter_unit(request),
            reason=form.cleaned_data["reject_reason"],
        )
    except ApplicantInvalid as exc:
        _applicant_errors(form, exc)
        return None
    except DossierError as exc:
        form.add_error(None, str(exc))
        return None
    messages.success(
        request,
        _("Đã lập phiếu từ chối tiếp nhận cho hồ sơ %(code)s (mẫu 03).") % {"code": dossier.code},
    )
    return HttpResponseRedirect(_detail_url(dossier))


@require_POST
@staff_required(roles=WRITE_ROLES)
def guidance(request: HttpRequest) -> HttpResponse:
    """Log a guidance contact in one click (the kind is the button pressed)."""
    form = forms.GuidanceForm(request.POST)
    if not form.is_valid():
        message, ok = _("Hình thức hướng dẫn không hợp lệ."), False
    else:
        try:
            services.guidance_log(
                unit=_counter_unit(request),
                kind=form.cleaned_data["kind"],
                actor=request.user,
                procedure_code=form.cleaned_data["procedure_code"],
                note=form.cleaned_data["note"],
            )
        except DossierError as exc:
            message, ok = str(exc), False
        else:
            label = GuidanceKind(form.cleaned_data["kind"]).label
            message = _("Đã ghi nhận: %(kind)s lúc %(time)s.") % {
                "kind": label,
                "time": timezone.localtime().strftime("%H:%M"),
            }
            ok = True
    if _is_htmx(request):
        return render(request, "office/_flash.html", {"message": message, "ok": ok})
    (messages.success if ok else messages.error)(request, message)
    return HttpResponseRedirect(request.POST.get("next") or reverse("office:counter"))


@require_GET
@staff_required()
def counter_results(request: HttpRequest) -> HttpResponse:
    """Results waiting to be returned, at the counter or by post."""
    qs = (
        queries.dossiers_for(request.user)
        .filter(status=Status.RESULT_READY)
        .select_related("procedure_version")
        .order_by("ended_at")
    )
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(Q(code__icontains=query) | Q(applicant_name__icontains=query))
    return render(
        request,
        "office/counter_results.html",
        {"title": _("Trả kết quả"), "dossiers": qs[:200], "query": query},
    )


@require_GET
@staff_required()
def register(request: HttpRequest) -> HttpResponse:
    """The register (form 07) of the dossiers received in a period."""
    form = forms.PeriodForm(request.GET or None)
    today = timezone.localdate()
    date_from, date_to = today.replace(day=1), today
    if form.is_valid():
        date_from = form.cleaned_data["date_from"] or date_from
        date_to = form.cleaned_data["date_to"] or date_to
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    profile = _profile(request)
    qs = (
        queries.dossiers_for(request.user)
        .filter(received_at__gte=start, received_at__lt=end)
        .filter(Q(receiving_unit__in=user_agency_scope(request.user)) | Q(receiving_unit=None))
        .select_related("procedure_version", "agency")
        .order_by("received_at", "id")
    )
    requested = request.GET.get("fmt")
    if requested in ("pdf", "docx"):
        fmt: Format = "pdf" if requested == "pdf" else "docx"
        content = render_register(
            fmt=fmt,
            unit=scope_root(profile.agency),
            dossiers=list(qs),
            date_from=date_from,
            date_to=date_to,
        )
        audit_log(
            actor=request.user,
            action="register.print",
            object_type="register",
            object_id=profile.agency.code,
            data={"from": date_from.isoformat(), "to": date_to.isoformat()},
            ip=client_ip(request),
        )
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = (
            f'{"inline" if fmt == "pdf" else "attachment"}; filename="mau-07.{fmt}"'
        )
        return response
    return render(
        request,
        "office/register.html",
        {
            "title": _("Sổ theo dõi hồ sơ"),
            "form": form,
            "dossiers": qs[:500],
            "date_from": date_from,
            "date_to": date_to,
        },
    )


# --- leadership ---------------------------------------------------------------------------------


@require_GET
@staff_required(roles=DASHBOARD_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = forms.PeriodForm(request.GET or None)
    period = period_read(form, timezone.localdate())
    profile = _profile(request)
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
