"""The counter: procedure search, receiving, guiding or refusing a visit, guidance contacts,
results waiting to be returned, and the register (form 07)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.agencies.models import Agency
from motcua.agencies.queries import scope_root
from motcua.archive.forms import HeldUploads
from motcua.archive.queries import documents_of_holder
from motcua.catalog.models import ProcedureVersion
from motcua.core.access import client_ip, staff_required
from motcua.core.audit import audit_log
from motcua.core.dbrouter import reads_from_replica
from motcua.dossiers import services
from motcua.dossiers.errors import ApplicantInvalid, DossierError
from motcua.dossiers.forms_docs import CONTENT_TYPES, render_guidance_sheet, render_register
from motcua.dossiers.forms_docs.render import Format
from motcua.dossiers.intake_points import (
    point_refusal,
    province_wide_listing,
    receivable_versions,
    receiving_points,
)
from motcua.dossiers.models import (
    Guidance,
    GuidanceKind,
    Status,
)
from motcua.dossiers.scope import (
    WRITE_ROLES,
    request_scope,
    user_agency_scope,
    works_at_counter,
)
from motcua.dossiers.uploads import UploadRefused, upload_check
from motcua.office import forms, queries
from motcua.office.views.common import (
    detail_url,
    error_summary,
    is_htmx,
    request_profile,
)

# --- the counter ------------------------------------------------------------------------------


def _picker(request: HttpRequest, query: str) -> list[ProcedureVersion]:
    """The procedures a search finds; at a one-stop counter only those it may receive
    (``dossiers.intake_points``): its committee's at its level and the province's
    boundary-free list."""
    if not query:
        return []
    profile = request_profile(request)
    if not works_at_counter(profile):
        return queries.procedure_search(query)
    found = queries.procedure_search(query, limit=PICKER_SCAN)
    return receivable_versions(profile.agency, found, timezone.localdate())[:PICKER_SHOWN]


# How many matches the picker reads before keeping the receivable ones, and shows.
PICKER_SCAN = 200
PICKER_SHOWN = 20


@require_GET
@staff_required()
@reads_from_replica()
def counter(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    context = {
        "title": _("Quầy tiếp nhận"),
        "query": query,
        "results": _picker(request, query),
        "GuidanceKind": GuidanceKind,
        "can_act": works_at_counter(request_profile(request)),
    }
    return render(request, "office/counter.html", context)


@require_GET
@staff_required()
@reads_from_replica()
def procedure_search(request: HttpRequest) -> HttpResponse:
    """The search-as-you-type results (an HTMX fragment)."""
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "office/_procedure_results.html",
        {"query": query, "results": _picker(request, query)},
    )


def _counter_unit(request: HttpRequest) -> Agency:
    """The unit that receives: the user's own service center (or agency)."""
    return request_profile(request).agency


@staff_required()
def counter_procedure(request: HttpRequest, version_id: int) -> HttpResponseBase:
    """A procedure's checklist and one form with the three outcomes of a visit: receive
    (form 01), guide (form 02) or refuse (form 03). The applicant is typed once; the button
    pressed decides which of the three forms validates the same data."""
    version = get_object_or_404(
        queries.current_versions().select_related("procedure", "agency", "field"),
        pk=version_id,
    )
    # Only a one-stop unit's counter receives, and only what ``intake_points`` lets it: its
    # committee's procedures at its level and the province's boundary-free list. Anyone else
    # gets the checklist to read, with the reason why there is no form.
    profile = request_profile(request)
    at_counter = works_at_counter(profile)
    refused = point_refusal(profile.agency, version, timezone.localdate()) if at_counter else None
    can_act = at_counter and refused is None
    data = request.POST if request.method == "POST" else None
    outcome = request.POST.get("outcome", "") if data is not None else ""
    if data is not None and not can_act:
        raise PermissionDenied
    # The applicant's stored documents, found only by the ID number typed for them (no
    # browsing of the archive): looked up on request, and again when the form comes back.
    id_number = (data.get("applicant_id_number", "") if data is not None else "").strip()
    reusable = documents_of_holder(id_number) if outcome in ("lookup", "receive") else []
    if reusable and outcome == "receive":
        # The form comes back with the list shown again: that is a look at the person's
        # documents too (the lookup itself is audited below).
        _lookup_audit(request, id_number, reusable)
    # The scans chosen (or held from an earlier try) survive the lookup and a failed
    # validation: shown as "Đã tải: …", never picked again (issue 13 item 7).
    keeper = HeldUploads(request) if data is not None else None
    if outcome == "lookup":
        _lookup_audit(request, id_number, reusable)
        # The form again with what was typed, without judging it yet.
        receive = forms.ReceiveForm(initial=_typed(data), version=version, reusable=reusable)
    else:
        receive = forms.ReceiveForm(
            data if outcome == "receive" else None,
            keeper.files if keeper is not None and outcome == "receive" else None,
            version=version,
            reusable=reusable,
        )
    # The parts the clerk did not tick: what form 02 lists if they guide (issue 16).
    ticked = set(data.getlist("parts")) if data is not None else set()
    missing = (
        [p.name for p in receive.required_parts if str(p.pk) not in ticked]
        if data is not None
        else []
    )
    guide = forms.GuideForm(
        data if outcome == "guide" else None,
        initial={"contact_phone": request_profile(request).phone},
        missing=missing,
    )
    reject = forms.RejectForm(data if outcome == "reject" else None)
    if data is not None:
        if outcome == "receive" and receive.is_valid():
            done = _counter_receive(request, version, receive)
            if done is not None:
                assert keeper is not None
                keeper.release()
                return done
        elif outcome == "guide" and guide.is_valid():
            done = _counter_guide(request, version, guide)
            if done is not None:
                return done
        elif outcome == "reject" and reject.is_valid():
            done = _counter_reject(request, version, reject)
            if done is not None:
                return done
    # The form that was submitted carries the values and errors shown for every field.
    shown = {"receive": receive, "guide": guide, "reject": reject}.get(outcome, receive)
    part_rows = receive.part_rows()
    if keeper is not None:
        _scans_hold(keeper, receive, part_rows)
    context = {
        "looked_up": outcome in ("lookup", "receive") and bool(id_number),
        "reusable": reusable,
        "title": version.name,
        "version": version,
        "parts": list(version.parts.all()),
        "steps": list(version.steps.select_related("unit")),
        "form": shown,
        "summary": (
            error_summary(shown, _("Chưa thực hiện được: hãy sửa các mục sau"))
            if data is not None and shown.is_bound
            else None
        ),
        "receive": receive,
        "part_rows": part_rows,
        "guide": guide,
        "missing": missing,
        # Receiving an incomplete dossier failed: the next step is the guidance sheet.
        "guide_open": outcome == "guide" or (outcome == "receive" and bool(missing)),
        "reject": reject,
        "outcome": outcome,
        "can_act": can_act,
        "at_counter": at_counter,
        "refused": refused,
        "places": receiving_points(version, timezone.localdate()) if refused else [],
        "listing": province_wide_listing(version, timezone.localdate()),
        "GuidanceKind": GuidanceKind,
    }
    return render(request, "office/counter_procedure.html", context)


def _scans_hold(keeper: HeldUploads, form: forms.ReceiveForm, rows: list[dict[str, Any]]) -> None:
    """The form comes back (a lookup, an error, another outcome): hold each part's scans
    that pass the content check for parts and show them on the part's row. A refused scan
    is not held; its error stays beside the field."""
    for row in rows:
        name = f"part-{row['part'].pk}"
        for upload in keeper.files.getlist(name):
            try:
                checked = upload_check(upload)
            except UploadRefused:
                continue
            keeper.hold(name, upload, content_type=checked.content_type, sha256=checked.sha256)
        row["kept"] = keeper.kept(name)


def _typed(data: Any) -> dict[str, Any]:
    """What was typed in the form, as initial values (lists for the multiple choices)."""
    values: dict[str, Any] = {}
    for key in data:
        values[key] = data.getlist(key) if key == "parts" else data.get(key)
    return values


def _lookup_audit(request: HttpRequest, id_number: str, found: list[Any]) -> None:
    """A clerk looked at a person's stored documents (personal data, domain.md §12)."""
    if not id_number:
        return
    audit_log(
        actor=request.user,
        action="document.lookup",
        object_type="holder",
        object_id=id_number,
        data={"found": [d.pk for d in found]},
        ip=client_ip(request),
    )


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
    extra_reason = form.cleaned_data.get("extra_reason", "")
    parts = [
        services.PartInput(
            part=parts_by_pk[pk],
            name=parts_by_pk[pk].name,
            kind=parts_by_pk[pk].kind,
            copies=parts_by_pk[pk].copies,
            **form.part_digitisation(pk),
        )
        for pk in form.cleaned_data["parts"]
        if pk in parts_by_pk
    ] + [
        services.PartInput(name=name, not_digitised_reason=extra_reason)
        for name in form.extra_part_names()
    ]
    try:
        dossier = services.dossier_receive(
            procedure_version=version,
            applicant=_applicant(form),
            actor=request.user,
            receiving_unit=_counter_unit(request),
            channel=form.cleaned_data["channel"],
            parts=parts,
            result_channel=form.cleaned_data["delivery"],
            postal_item_number=form.cleaned_data["postal_item_number"],
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
    return HttpResponseRedirect(detail_url(dossier) + "?moi=1")


def _counter_guide(
    request: HttpRequest, version: ProcedureVersion, form: forms.GuideForm
) -> HttpResponse | None:
    """The dossier is incomplete: record the guidance with its numbered sheet (form 02) and
    hand the sheet over as a PDF; the visit creates no dossier."""
    try:
        guidance = services.guidance_sheet_issue(
            unit=_counter_unit(request),
            actor=request.user,
            procedure_version=version,
            applicant=_applicant(form),
            items=form.item_list(),
            reason=form.cleaned_data["guide_reason"],
            contact_phone=form.cleaned_data["contact_phone"],
        )
    except DossierError as exc:
        form.add_error(None, str(exc))
        return None
    return HttpResponseRedirect(reverse("office:guidance_sheet", args=[guidance.pk]))


@require_GET
@staff_required()
def guidance_sheet(request: HttpRequest, guidance_id: int) -> HttpResponse:
    """The guidance sheet (form 02) given at the counter, as a PDF (or ``?fmt=docx``), for the
    staff of the unit that gave it and those above it."""
    guidance = get_object_or_404(
        Guidance.objects.select_related("unit", "actor", "procedure_version"),
        pk=guidance_id,
        sheet_number__isnull=False,
        unit__in=user_agency_scope(request_scope(request)),
    )
    fmt: Format = "docx" if request.GET.get("fmt") == "docx" else "pdf"
    content = render_guidance_sheet(guidance, fmt=fmt)
    audit_log(
        actor=request.user,
        action="guidance.print",
        object_type="guidance",
        object_id=guidance.pk,
        data={"fmt": fmt},
        ip=client_ip(request),
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = f"mau-02-huong-dan-{guidance.sheet_year}-{guidance.sheet_number}.{fmt}"
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"  # personal data (domain.md §12)
    return response


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
    return HttpResponseRedirect(detail_url(dossier))


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
    if is_htmx(request):
        return render(request, "office/_flash.html", {"message": message, "ok": ok})
    (messages.success if ok else messages.error)(request, message)
    return HttpResponseRedirect(request.POST.get("next") or reverse("office:counter"))


@require_GET
@staff_required()
@reads_from_replica()
def counter_results(request: HttpRequest) -> HttpResponse:
    """Results waiting to be returned, at the counter or by post."""
    qs = (
        queries.dossiers_for(request_scope(request))
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
@reads_from_replica()
def register(request: HttpRequest) -> HttpResponse:
    """The register (form 07) of the dossiers received in a period."""
    form = forms.PeriodForm(request.GET or None)
    today = timezone.localdate()
    date_from, date_to = today.replace(day=1), today
    if form.is_valid():
        date_from = form.cleaned_data["date_from"] or date_from
        date_to = form.cleaned_data["date_to"] or date_to
    if not form.errors:
        # The boxes show the period listed (the defaults too), as the text under them says.
        form = forms.PeriodForm(initial={"date_from": date_from, "date_to": date_to})
    start = timezone.make_aware(dt.datetime.combine(date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min))
    profile = request_profile(request)
    qs = (
        queries.dossiers_for(request_scope(request))
        .filter(received_at__gte=start, received_at__lt=end)
        .filter(
            Q(receiving_unit__in=user_agency_scope(request_scope(request))) | Q(receiving_unit=None)
        )
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
