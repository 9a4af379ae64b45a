"""The dossier page, its official forms and the actions on it: each change is one call to a
``motcua.dossiers.services`` function (which checks the transition, bumps the version, writes
the event and the audit row). Views only read, validate forms and translate service errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.forms.utils import ErrorDict, ErrorList
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from motcua.agencies.queries import agency_subtree
from motcua.archive.forms import HeldUploads
from motcua.archive.queries import dossier_document, result_document
from motcua.archive.serving import document_filename, document_open
from motcua.core.access import client_ip, staff_required
from motcua.core.audit import audit_log
from motcua.core.errors import error_page
from motcua.core.models import StaffProfile
from motcua.core.people import person_name
from motcua.dossiers import rules, services
from motcua.dossiers.forms_docs.render import Format, form_response
from motcua.dossiers.models import (
    Dossier,
    EventType,
    Flag,
    GuidanceKind,
    Handover,
    Status,
)
from motcua.dossiers.queries import supplement_request
from motcua.dossiers.rules import Action
from motcua.dossiers.scope import WRITE_ROLES, can_write
from motcua.dossiers.uploads import result_content_type
from motcua.office import forms
from motcua.office.views.common import (
    detail_url,
    dossier_get,
    error_summary,
    request_profile,
    service_call,
)

# --- the dossier page ----------------------------------------------------------------------


@require_GET
@never_cache  # personal data: never kept by a shared browser or proxy (domain.md §12)
@staff_required()
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    dossier = dossier_get(request, code)
    writable = can_write(request.user, dossier)
    # Exactly what the rule table allows this person now, the primary action first; the
    # services refuse anything else anyway.
    standing = rules.actor_standing(request.user, dossier)
    allowed = rules.dossier_actions(request.user, dossier, standing=standing) if writable else []
    steps = list(dossier.procedure_version.steps.all())
    action_list = [
        _action_item(request, dossier, action, standing, primary=(i == 0))
        for i, action in enumerate(allowed)
    ]
    # Shown once: a reload after it shows the page as it is.
    request.session.pop(FAILED_ACTION, None)
    failed_item = next((item for item in action_list if item["failed"]), None)
    summary = (
        error_summary(
            failed_item["form"],
            _("Chưa thực hiện được “%(action)s”: hãy sửa các mục sau")
            % {"action": failed_item["label"]},
        )
        if failed_item is not None
        else None
    )
    can_leave = Action.HANDOVER in allowed and services.may_leave_workflow(request.user, dossier)
    events = list(dossier.events.select_related("actor").all())
    context = {
        "title": dossier.code,
        "dossier": dossier,
        "parts": list(dossier.parts.prefetch_related("documents")),
        "result_document": result_document(dossier),
        "handovers": list(dossier.handovers.select_related("from_unit", "to_unit")),
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
        "action_list": action_list,
        "summary": summary,
        "writable": writable,
        "printable": _printable_forms(dossier),
        "proposal": _proposal(dossier),
        "unit_names": _unit_names(dossier) if can_leave else [],
        "can_leave": can_leave,
        "holder": services.dossier_holder(dossier),
        "supplement": supplement_request(dossier),
        "now": timezone.now(),
        "GuidanceKind": GuidanceKind,
    }
    return render(request, "office/dossier.html", context)


# Each action's form on the page, with the key its template block and its URL use.
ACTION_FORMS: dict[Action, tuple[str, type[forms.VersionedForm]]] = {
    Action.ACCEPT: ("accept", forms.AcceptForm),
    Action.REQUEST_COMPLETION: ("completion", forms.SupplementForm),
    Action.COMPLETE: ("complete", forms.SupplementReceivedForm),
    Action.REJECT: ("reject", forms.RefuseForm),
    Action.HANDOVER: ("handover", forms.HandoverForm),
    Action.SEND_BACK: ("send_back", forms.SendBackForm),
    Action.REQUEST_SUPPLEMENT: ("supplement", forms.SupplementForm),
    Action.RECEIVE_SUPPLEMENT: ("supplement_received", forms.SupplementReceivedForm),
    Action.EXTEND: ("extend", forms.ExtendForm),
    Action.FINISH: ("finish", forms.FinishForm),
    Action.REFUSE: ("refuse", forms.RefuseForm),
    Action.STOP: ("stop", forms.RefuseForm),
    Action.DELIVER: ("deliver", forms.DeliverForm),
    Action.WITHDRAW: ("withdraw", forms.WithdrawForm),
    Action.DIGITISE: ("digitise", forms.DigitiseForm),
}


def _action_item(
    request: HttpRequest,
    dossier: Dossier,
    action: Action,
    standing: rules.Standing,
    *,
    primary: bool,
) -> dict[str, Any]:
    key, form_class = ACTION_FORMS[action]
    initial: dict[str, Any] = {"version": dossier.version}
    kwargs: dict[str, Any] = {}
    if action == Action.DELIVER:
        # What the applicant asked for at the counter (form 01) is the default.
        initial["channel"] = dossier.delivery_channel or "counter"
    if action == Action.HANDOVER:
        following = services.next_step(dossier)
        # Each step's unit by name, read in one query whatever the workflow's length.
        unit_names = {
            s.pk: s.unit_name for s in dossier.procedure_version.steps.select_related("unit")
        }
        kwargs = {
            "step_choices": [
                (s.pk, f"{s.position}. {s.name} ({unit_names[s.pk]})")
                for s in services.handover_steps(request.user, dossier)
                if following is None or s.pk != following.pk
            ],
            "people": _desk_people(dossier),
            "default_label": (
                _("Bước tiếp theo: %(position)s. %(step)s (%(unit)s)")
                % {
                    "position": following.position,
                    "step": following.name,
                    "unit": unit_names[following.pk],
                }
                if following is not None
                else _("— Chuyển đến đơn vị ghi dưới đây —")
            ),
        }
    if action == Action.DIGITISE:
        kwargs = {"parts": _part_choices(dossier)}
    failed = _failed_form(request, dossier, action, form_class, **kwargs)
    return {
        "key": key,
        "label": rules.action_label(action, dossier, standing),
        "primary": primary,
        "failed": failed is not None,
        "form": failed or form_class(initial=initial, auto_id=f"{key}_%s", **kwargs),
        # Files sent with this form when it last failed, by field.
        "kept": HeldUploads.recall(request, _held_slot(dossier, action)),
    }


def _part_choices(dossier: Dossier) -> list[tuple[int, str]]:
    """The dossier's parts, those not digitised yet marked so."""
    rows = dossier.parts.annotate(files=Count("documents")).order_by("id")
    return [
        (p.pk, p.name if p.files else _("%(name)s (chưa số hóa)") % {"name": p.name}) for p in rows
    ]


def _proposal(dossier: Dossier) -> Handover | None:
    """The last hand-over's note and draft: what the current holder was sent with."""
    if dossier.ended_at is not None and dossier.status != Status.RESULT_READY:
        return None
    last = max(dossier.handovers.all(), key=lambda h: h.position, default=None)
    if last is None or not (last.note or last.draft_file):
        return None
    return last


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
    if dossier.received_at and EventType.PAYMENT_SETTLED in types:
        # Issue 17: printed again once the fee owed first is paid, with the real due date.
        found.append(("01", _("Giấy tiếp nhận và hẹn trả (mẫu 01, hẹn trả sau khi nộp phí)")))
    elif dossier.received_at:
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
        return HttpResponseRedirect(detail_url(dossier))
    audit_log(
        actor=request.user,
        action="dossier.print",
        object_type="dossier",
        object_id=dossier.code,
        data={"form": form, "fmt": fmt},
        ip=client_ip(request),
    )
    services.dossier_form_issued(
        dossier=dossier, form=form, fmt=fmt, data=response.content, actor=request.user
    )
    return response


# --- actions on a dossier --------------------------------------------------------------------


def _action(
    request: HttpRequest,
    code: str,
    action: Action,
    form_class: type[forms.VersionedForm],
    run: Callable[[Dossier, Any], bool],
    success: str,
    **form_kwargs: Any,
) -> HttpResponse:
    """One action's POST: the rule table first (the same answer as the service's guard: a
    refusal is a 403 with its message, whatever the form says), then the form, then the
    service."""
    dossier = dossier_get(request, code, write=True)
    refusal = rules.action_refusal(request.user, dossier, action)
    if refusal is not None:
        return error_page(
            request, status=403, heading=_("Không thực hiện được"), advice=str(refusal)
        )
    # A file sent with a form that fails is held and shown again on the dossier page
    # (archive.forms.HeldUploads); a held file sent back is used as if picked again.
    keeper = HeldUploads(request)
    slot = _held_slot(dossier, action)
    form = form_class(request.POST, keeper.files, **form_kwargs)
    if form.is_valid() and run(dossier, form):
        messages.success(request, success)
        keeper.release()
        keeper.forget(slot)
    else:
        # The page after the redirect shows this form again, open, with what was typed and
        # its errors beside the fields and in a summary at the top (a reason typed is not
        # lost). Files are held apart (``HeldUploads``); the version is the page's again.
        request.session[FAILED_ACTION] = {
            "slot": slot,
            "data": {
                name: request.POST.getlist(name)
                for name in form.fields
                if name in request.POST and name != "version"
            },
            "errors": {name: [str(m) for m in errors] for name, errors in form.errors.items()},
        }
        keeper.hold_form(form, content_type=result_content_type)
        keeper.remember(slot)
    return HttpResponseRedirect(detail_url(dossier))


# The session key of the action form that last failed on a dossier page (its slot, the
# values sent and the errors), shown once by the next page.
FAILED_ACTION = "motcua_failed_action"


def _failed_form(
    request: HttpRequest, dossier: Dossier, action: Action, form: Any, **kwargs: Any
) -> Any:
    """The action's form as it was sent, if it is the one that just failed; else None."""
    failed = request.session.get(FAILED_ACTION) or {}
    if failed.get("slot") != _held_slot(dossier, action):
        return None
    data = QueryDict(mutable=True)
    for name, values in failed.get("data", {}).items():
        data.setlist(name, values)
    data["version"] = str(dossier.version)
    bound = form(data, auto_id=form_auto_id(action), **kwargs)
    # The errors found when it was sent, not a new validation: a file held apart is not in
    # this data and would read as missing.
    bound._errors = ErrorDict(
        {name: ErrorList(messages) for name, messages in failed.get("errors", {}).items()}
    )
    return bound


def form_auto_id(action: Action) -> str:
    return f"{ACTION_FORMS[action][0]}_%s"


def _held_slot(dossier: Dossier, action: Action) -> str:
    return f"{dossier.code}:{ACTION_FORMS[action][0]}"


def _version(form: Any) -> int:
    return int(form.cleaned_data["version"])


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_accept(request: HttpRequest, code: str) -> HttpResponse:
    profile = request_profile(request)
    return _action(
        request,
        code,
        Action.ACCEPT,
        forms.AcceptForm,
        lambda d, f: service_call(
            request,
            services.dossier_accept,
            form=f,
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
        Action.REJECT,
        forms.RefuseForm,
        lambda d, f: service_call(
            request,
            services.dossier_reject,
            form=f,
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
        Action.REQUEST_COMPLETION,
        forms.SupplementForm,
        lambda d, f: service_call(
            request,
            services.dossier_request_completion,
            form=f,
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
        Action.WITHDRAW,
        forms.WithdrawForm,
        lambda d, f: service_call(
            request,
            services.dossier_withdraw,
            form=f,
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
        return service_call(
            request,
            services.dossier_handover,
            form=f,
            dossier=d,
            to_unit=f.cleaned_data["to_unit"],
            step=step,
            assignee=(
                User.objects.get(pk=f.cleaned_data["assignee"])
                if f.cleaned_data["assignee"]
                else None
            ),
            note=f.cleaned_data["note"],
            draft=f.cleaned_data.get("draft_file"),
            expected_version=_version(f),
        )

    return _action(
        request,
        code,
        Action.HANDOVER,
        forms.HandoverForm,
        run,
        _("Đã chuyển hồ sơ."),
        step_choices=[(pk, str(s)) for pk, s in steps.items()],
        people=people,
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_request_supplement(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        Action.REQUEST_SUPPLEMENT,
        forms.SupplementForm,
        lambda d, f: service_call(
            request,
            services.dossier_request_supplement,
            form=f,
            dossier=d,
            items=f.item_list(),
            reason=f.cleaned_data["reason"],
            expected_version=_version(f),
        ),
        _("Đã gửi yêu cầu bổ sung hồ sơ; thời hạn giải quyết tạm dừng."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_receive_supplement(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        Action.RECEIVE_SUPPLEMENT,
        forms.SupplementReceivedForm,
        lambda d, f: service_call(
            request,
            services.dossier_receive_supplement,
            form=f,
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
        Action.EXTEND,
        forms.ExtendForm,
        lambda d, f: service_call(
            request,
            services.dossier_extend,
            form=f,
            dossier=d,
            reason=f.cleaned_data["reason"],
            new_due_at=f.new_due_at(),
            expected_version=_version(f),
        ),
        _("Đã lập thư xin lỗi và hẹn lại ngày trả kết quả."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_finish(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        Action.FINISH,
        forms.FinishForm,
        lambda d, f: service_call(
            request,
            services.dossier_finish,
            form=f,
            dossier=d,
            result_file=f.cleaned_data.get("result_file"),
            late_reason=f.cleaned_data["late_reason"],
            note=f.cleaned_data["note"],
            expected_version=_version(f),
        ),
        _("Đã cập nhật kết quả giải quyết."),
    )


@require_GET
@staff_required()
def document_file(request: HttpRequest, code: str, document_id: int) -> FileResponse:
    """A document of the dossier (a part's file, the result), opened in the browser when it
    is a PDF or an image, else downloaded (``?tai=1``: always downloaded). Through the
    dossier's access check; a document of another dossier is a 404 like a missing one. Each
    open is audited (``archive.serving.document_open``)."""
    dossier = dossier_get(request, code)
    document = dossier_document(dossier, document_id)
    if document is None:
        raise Http404
    return document_open(
        document,
        actor=request.user,
        via="office",
        filename=document_filename(document, dossier.code),
        download=bool(request.GET.get("tai")),
    )


@require_GET
@staff_required()
def result_file(request: HttpRequest, code: str) -> HttpResponseRedirect:
    """The former download address of the result: now the result document's own address."""
    dossier = dossier_get(request, code)
    document = result_document(dossier)
    if document is None:
        raise Http404
    target = reverse("office:document", args=[dossier.code, document.pk])
    return HttpResponseRedirect(f"{target}?tai=1")


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_refuse(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        Action.REFUSE,
        forms.RefuseForm,
        lambda d, f: service_call(
            request,
            services.dossier_refuse,
            form=f,
            dossier=d,
            reason=f.cleaned_data["reason"],
            expected_version=_version(f),
        ),
        _("Đã trả lại hồ sơ."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_deliver(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        Action.DELIVER,
        forms.DeliverForm,
        lambda d, f: service_call(
            request,
            services.dossier_deliver,
            form=f,
            dossier=d,
            channel=f.cleaned_data["channel"],
            reference=f.cleaned_data["reference"],
            expected_version=_version(f),
        ),
        _("Đã trả kết quả cho người nộp."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_send_back(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        Action.SEND_BACK,
        forms.SendBackForm,
        lambda d, f: service_call(
            request,
            services.dossier_send_back,
            form=f,
            dossier=d,
            reason=f.cleaned_data["reason"],
            expected_version=_version(f),
        ),
        _("Đã trả lại bước trước để xử lý lại."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_stop(request: HttpRequest, code: str) -> HttpResponse:
    return _action(
        request,
        code,
        Action.STOP,
        forms.RefuseForm,
        lambda d, f: service_call(
            request,
            services.dossier_stop,
            form=f,
            dossier=d,
            reason=f.cleaned_data["reason"],
            expected_version=_version(f),
        ),
        _("Đã dừng giải quyết hồ sơ (mẫu 05)."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_complete(request: HttpRequest, code: str) -> HttpResponse:
    """The applicant brought the missing papers of an online dossier to the counter."""
    return _action(
        request,
        code,
        Action.COMPLETE,
        forms.SupplementReceivedForm,
        lambda d, f: service_call(
            request,
            services.dossier_complete,
            form=f,
            dossier=d,
            note=f.cleaned_data["note"],
            expected_version=_version(f),
        ),
        _("Đã ghi nhận hồ sơ được hoàn thiện; hồ sơ chờ tiếp nhận."),
    )


@require_POST
@staff_required(roles=WRITE_ROLES)
def dossier_digitise(request: HttpRequest, code: str) -> HttpResponse:
    """Scans added to a part of an open dossier (``dossier_part_digitise``)."""

    def run(d: Dossier, f: Any) -> bool:
        part = d.parts.filter(pk=f.cleaned_data["part"]).first()
        if part is None:  # the choices are the dossier's parts: only a forged form
            f.add_error(None, _("Hồ sơ không có thành phần này."))
            return False
        return service_call(
            request,
            services.dossier_part_digitise,
            form=f,
            dossier=d,
            part=part,
            files=f.part_files(),
            expected_version=_version(f),
        )

    return _action(
        request,
        code,
        Action.DIGITISE,
        forms.DigitiseForm,
        run,
        _("Đã lưu bản quét của thành phần hồ sơ."),
    )


@require_GET
@staff_required()
def handover_draft(request: HttpRequest, code: str, position: int) -> FileResponse:
    """Download the draft a hand-over carried: through the dossier's access check, audited."""
    dossier = dossier_get(request, code)
    row = dossier.handovers.filter(position=position).first()
    if row is None or not row.draft_file:
        raise Http404
    audit_log(
        actor=request.user,
        action="dossier.draft.read",
        object_type="dossier",
        object_id=dossier.code,
        data={"position": position},
        ip=client_ip(request),
    )
    name = PurePath(row.draft_file.name or "du-thao").name
    response = FileResponse(row.draft_file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response
