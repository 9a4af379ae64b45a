"""Dossiers over the API: intake, every change of state, reads, lists, the official forms and
the guidance log. Every read goes through ``dossier_for`` (scoped and audited) and every
change through the one service for it (``motcua.dossiers.services``): this module only
translates JSON to service calls and dossiers back to JSON."""

# No ``from __future__ import annotations`` here: ninja reads the views' annotations
# (``Query[DossierFilter]``) at import time and cannot resolve them from strings.
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File as DjangoFile
from django.db import connection
from django.db.models import Prefetch, QuerySet, TextChoices
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import NinjaJSONEncoder

from motcua.agencies.models import Agency
from motcua.api.auth import STAFF_AUTH
from motcua.api.errors import FieldInvalid
from motcua.api.idempotency import OPENAPI_PARAMETER as IDEMPOTENCY_PARAMETER
from motcua.api.idempotency import idempotent
from motcua.api.limits import MAX_FILES, MAX_INT
from motcua.api.models import Scope
from motcua.api.schemas import (
    AcceptIn,
    ApplicantIn,
    DeliverIn,
    DossierCreatedOut,
    DossierFilter,
    DossierOut,
    DossierSummary,
    ErrorOut,
    ExtendIn,
    FinishIn,
    GuidanceIn,
    GuidanceOut,
    HandoverIn,
    ItemsIn,
    NewDossierIn,
    OptionalReasonIn,
    PartIn,
    PartsIn,
    ReasonIn,
    ReceiveIn,
    RejectAtCounterIn,
    SendBackIn,
    SubmitIn,
    VersionedIn,
)
from motcua.api.scopes import require_scope
from motcua.api.sync import DossierPagination
from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.queries import dossier_document, result_document
from motcua.archive.serving import document_filename, document_open
from motcua.catalog.models import Part, ProcedureVersion, WorkflowStep
from motcua.catalog.queries import procedure_current_version, version_parts
from motcua.core.access import staff_profile
from motcua.core.audit import Actor, audit_log
from motcua.core.dbrouter import reads_from_replica
from motcua.core.people import person_name
from motcua.dossiers import rules, services
from motcua.dossiers.held import dossier_held
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierPart,
    EventType,
    Handover,
)
from motcua.dossiers.models import Status as DossierStatus
from motcua.dossiers.queries import dossier_for, dossiers_visible_to
from motcua.dossiers.scope import WRITE_ROLES, request_scope, within_admits
from motcua.dossiers.uploads import UploadRefused, result_file_check, upload_check
from motcua.fees.queries import dossier_fee_summary

router = Router(auth=STAFF_AUTH, tags=["Hồ sơ"])
guidance_router = Router(auth=STAFF_AUTH, tags=["Sổ hướng dẫn"])

READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
CHANGE_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
CREATE_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
# Intake may also meet a dossier with the same external reference.
INTAKE_ERRORS: dict[int, Any] = {**CREATE_ERRORS, 409: ErrorOut}
IDEMPOTENT: dict[str, Any] = {"parameters": [IDEMPOTENCY_PARAMETER]}
INTAKE_NOTE = (
    "\n\nHeader `Idempotency-Key`: gửi lại cùng khóa và cùng nội dung trong 24 giờ nhận lại "
    "đúng phản hồi lần đầu, không tạo hồ sơ thứ hai (cùng khóa, nội dung khác: 422). "
    "`external_ref` (mã hồ sơ ở hệ thống nguồn) đã có: 409, `errors[0].msg` nêu mã hồ sơ đã có."
)

# The address of the new dossier (``GET /api/dossiers/{code}``) on each 201 that makes one.
CREATED_EXTRA: dict[str, Any] = {
    "responses": {
        201: {
            "headers": {
                "Location": {
                    "description": "Địa chỉ của hồ sơ vừa tạo (GET /api/dossiers/{code})",
                    "schema": {"type": "string"},
                }
            }
        }
    }
}

CHANGE_NOTE = (
    "\n\nGửi `expected_version` = trường `version` của hồ sơ đã đọc. 409: hồ sơ đã bị người "
    "khác thay đổi (không có gì được ghi). 422: thao tác không được phép ở trạng thái hiện "
    "tại hoặc thiếu thông tin (thông báo của nghiệp vụ trong `detail`). 404: hồ sơ không tồn "
    "tại hoặc ngoài phạm vi của tài khoản (hoặc tài khoản chỉ được xem)."
)


def _user(request: HttpRequest) -> AbstractBaseUser:
    user: AbstractBaseUser = request.auth  # type: ignore[attr-defined]
    return user


# --- serialising --------------------------------------------------------------------------------


def _agency(agency: Agency | None) -> dict[str, str] | None:
    return {"code": agency.code, "name": agency.name} if agency is not None else None


def document_data(
    document: Document, code: str, stored: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """A stored document of dossier ``code`` with the address of its bytes."""
    return {
        "id": document.pk,
        "name": document.name,
        "kind": document.kind,
        "content_type": document.content_type,
        "size": document.size,
        "sha256": document.sha256,
        "origin": document.origin,
        "reused": document.origin == Origin.REUSE,
        "created_at": stored(document.created_at) if stored else document.created_at,
        "url": reverse("api:dossier_document", kwargs={"code": code, "document_id": document.pk}),
    }


def dossier_data(dossier: Dossier, actor: Actor = None) -> dict[str, Any]:
    """The full dossier: its fields, parts, timeline and control slip, and what ``actor``
    may do to it now (``dossiers.rules``).

    A dossier whose service holds all its relations (``dossiers.held``: one just received,
    unchanged since) is shown as held, without reading it back; the result is the same as
    from the database (``test_receipt_response_is_what_a_read_shows``)."""
    held = dossier_held(dossier)
    if held is not None:
        return _dossier_dict(
            dossier,
            actor,
            parts=held.parts,
            events=held.events,
            handovers=held.handovers,
            result=next((d for d in held.documents if d.kind == DocumentKind.RESULT), None),
            stored=_as_stored,
        )
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "agency",
            "receiving_unit",
            "current_step",
            "current_unit",
        )
        .prefetch_related(
            "parts__documents",
            # The actor and the units joined rather than prefetched: one query each, not two
            # (three for the hand-overs).
            Prefetch("events", queryset=DossierEvent.objects.select_related("actor")),
            Prefetch("handovers", queryset=Handover.objects.select_related("from_unit", "to_unit")),
        )
        .get(pk=dossier.pk)
    )
    return _dossier_dict(
        dossier,
        actor,
        parts=dossier.parts.all(),
        events=dossier.events.all(),
        handovers=dossier.handovers.all(),
        result=result_document(dossier),
        stored=_as_read,
    )


def _as_read(value: Any) -> Any:
    return value


def _as_stored(value: Any) -> Any:
    """A value as the database gives it back: datetimes in UTC, JSON through its text (and,
    on PostgreSQL, with jsonb's key order: shorter keys first, then bytewise)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    if isinstance(value, dict | list):
        loaded = json.loads(json.dumps(value))
        return _jsonb_order(loaded) if connection.vendor == "postgresql" else loaded
    return value


def _jsonb_order(value: Any) -> Any:
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: (len(k.encode()), k.encode()))
        return {k: _jsonb_order(value[k]) for k in keys}
    if isinstance(value, list):
        return [_jsonb_order(v) for v in value]
    return value


def _label(choices: type[TextChoices], value: str) -> str:
    """What ``get_FOO_display()`` shows for a field with these choices: the label, or the
    value itself when it is none of them. Django's rebuilds the field's whole table of
    choices at each call; a dossier's events each asked for one (issue 15 item 9)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _dossier_dict(
    dossier: Dossier,
    actor: Actor,
    *,
    parts: Iterable[DossierPart],
    events: Iterable[DossierEvent],
    handovers: Iterable[Handover],
    result: Document | None,
    stored: Callable[[Any], Any],
) -> dict[str, Any]:
    version = dossier.procedure_version
    standing = rules.actor_standing(actor, dossier) if actor is not None else None
    return {
        "actions": [
            {"action": str(a), "label": rules.action_label(a, dossier, standing)}
            for a in (rules.dossier_actions(actor, dossier, standing=standing) if standing else [])
        ],
        "code": dossier.code,
        "version": dossier.version,
        "status": dossier.status,
        "status_label": _label(DossierStatus, dossier.status),
        "procedure": {
            "code": version.procedure.code,
            "name": version.name,
            "version": version.number,
        },
        "agency": _agency(dossier.agency),
        "receiving_unit": _agency(dossier.receiving_unit),
        "channel": dossier.channel,
        "applicant": {
            "kind": dossier.applicant_kind,
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "email": dossier.applicant_email,
            "address": dossier.applicant_address,
            "representative_name": dossier.representative_name,
            "representative_phone": dossier.representative_phone,
            "representative_id_number": dossier.representative_id_number,
        },
        **{
            name: stored(getattr(dossier, name))
            for name in (
                "submitted_at",
                "accept_by",
                "received_at",
                "due_at",
                "due_explanation",
                "extended_due_at",
                "printed_due_at",
                "ended_at",
                "end_kind",
                "dossier_class",
                "end_reason",
                "late_reason",
                "updated_at",
                "external_source",
                "external_ref",
                "postal_item_number",
                "postal_tracking",
                "delivered_at",
                "delivery_channel",
                "supplement_count",
                "extension_count",
                "has_apology",
                "result_sha256",
            )
        },
        "current_unit": dossier.current_unit_name,
        "fee": dossier_fee_summary(dossier),
        "flags": stored(list(dossier.flags or [])),
        "current_step": dossier.current_step.name if dossier.current_step else "",
        "result": document_data(result, dossier.code, stored) if result is not None else None,
        "parts": [
            {
                "id": p.pk,
                "name": p.name,
                "kind": p.kind,
                "copies": p.copies,
                "reused": p.reused,
                "not_digitised_reason": p.not_digitised_reason,
                "files": [document_data(d, dossier.code, stored) for d in p.documents.all()],
            }
            for p in parts
        ],
        "events": [
            {
                "type": e.type,
                "label": _label(EventType, e.type),
                "at": stored(e.at),
                "actor": e.actor_label or (person_name(e.actor) if e.actor else ""),
                "from_status": e.from_status,
                "to_status": e.to_status,
                "data": stored(e.data),
                "via": e.via,
            }
            for e in events
        ],
        "handovers": [
            {
                "from_unit": h.from_unit_name,
                "to_unit": h.to_unit_name,
                **{
                    name: stored(getattr(h, name))
                    for name in (
                        "position",
                        "at",
                        "giver",
                        "receiver",
                        "step_name",
                        "budget_hours",
                        "finished_at",
                        "used_hours",
                        "result",
                        "note",
                        "draft_sha256",
                    )
                },
            }
            for h in handovers
        ],
    }


def _out(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    """The dossier as the caller sees it, with the actions the caller may take now."""
    return dossier_data(dossier, _user(request))


# --- inputs to service arguments --------------------------------------------------------------


def _version_for(payload: NewDossierIn | RejectAtCounterIn) -> ProcedureVersion:
    agency = None
    if payload.agency:
        agency = Agency.objects.filter(code=payload.agency.strip()).first()
        if agency is None:
            raise FieldInvalid(
                ("body", "agency"), _("Không có cơ quan mã %(code)s.") % {"code": payload.agency}
            )
    version = procedure_current_version(payload.procedure.strip(), agency=agency)
    if version is None:
        raise FieldInvalid(
            ("body", "procedure"),
            _("Không có thủ tục mã %(code)s đang có hiệu lực%(at)s.")
            % {
                "code": payload.procedure,
                "at": _(" tại %(agency)s") % {"agency": agency.name} if agency else "",
            },
        )
    return version


def _applicant(data: ApplicantIn) -> services.Applicant:
    return services.Applicant(**data.dict())


def _parts(
    version: ProcedureVersion, parts: Sequence[PartIn], loc: str = "parts"
) -> list[services.PartInput]:
    by_position = {p.position: p for p in version_parts(version)}
    result = []
    for index, item in enumerate(parts):
        part: Part | None = None
        if item.part is not None:
            part = by_position.get(item.part)
            if part is None:
                raise FieldInvalid(
                    ("body", loc, index, "part"),
                    _("Thủ tục không có thành phần hồ sơ thứ %(n)s.") % {"n": item.part},
                )
        elif not item.name.strip():
            raise FieldInvalid(
                ("body", loc, index, "name"),
                _("Phải nêu tên giấy tờ hoặc thứ tự thành phần hồ sơ (part)."),
            )
        result.append(
            services.PartInput(
                part=part,
                name=item.name.strip() or (part.name if part else ""),
                kind=item.kind or (part.kind if part else ""),
                copies=item.copies or (part.copies if part else 1),
                reused=item.reused,
                not_digitised_reason=item.not_digitised_reason,
            )
        )
    return result


def _external(payload: NewDossierIn | RejectAtCounterIn) -> services.ExternalRef | None:
    ref = payload.external_ref.strip()
    return services.ExternalRef(payload.external_source.strip(), ref) if ref else None


def _counter_unit(
    request: HttpRequest, version: ProcedureVersion | None = None, *, receives: bool = True
) -> Agency:
    """The unit that receives: the caller's own agency (service center), as at the counter.

    The one check of every creating call: a role that acts, and, for a token limited to
    agencies, a new dossier (of ``version``'s competent agency, received by the unit unless
    ``receives`` is False: an online submission) or guidance entry (``version`` None: of the
    unit) inside them — the rule of reads (``within_admits``). Otherwise 403 ``forbidden``
    naming the agency, and nothing written."""
    user = _user(request)
    profile = staff_profile(user)
    if profile is None or profile.role not in WRITE_ROLES:
        raise HttpError(403, _("Tài khoản không có quyền tiếp nhận hồ sơ."))
    unit = profile.agency
    agency = version.agency if version is not None else unit
    if getattr(request, "api_token_limited", False) and not within_admits(
        request_scope(request), agency_id=agency.pk, receiving_unit_id=unit.pk if receives else None
    ):
        raise HttpError(
            403,
            _(
                "Mã truy cập này chỉ được dùng trong phạm vi các cơ quan đã chỉ định, "
                "không gồm %(agency)s (%(code)s)."
            )
            % {"agency": agency.name, "code": agency.code},
        )
    return unit


def _writable(request: HttpRequest, code: str) -> Dossier:
    return dossier_for(_user(request), code, write=True)


def _located(response: HttpResponse, result: Status[dict[str, Any]]) -> Status[dict[str, Any]]:
    """A 201 that made a dossier (or its replay, ``Idempotency-Key``) with, in ``Location``,
    the new dossier's address."""
    if result.status_code == 201:
        response["Location"] = reverse("api:dossier_get", kwargs={"code": result.value["code"]})
    return result


# --- intake -------------------------------------------------------------------------------------


@router.post(
    "",
    response={201: DossierCreatedOut, **INTAKE_ERRORS},
    summary="Tiếp nhận hồ sơ (trực tiếp hoặc qua bưu chính)",
    description="Hồ sơ đầy đủ, hợp lệ được tiếp nhận tại đơn vị của tài khoản; thời hạn "
    "giải quyết bắt đầu tính (mẫu 01). 422 kèm đường dẫn trường khi thông tin sai." + INTAKE_NOTE,
    openapi_extra={**CREATED_EXTRA, **IDEMPOTENT},
)
@require_scope(Scope.INTAKE)
def receive(
    request: HttpRequest, payload: ReceiveIn, response: HttpResponse
) -> Status[dict[str, Any]]:
    def create() -> Status[dict[str, Any]]:
        version = _version_for(payload)
        unit = _counter_unit(request, version)
        dossier = services.dossier_receive(
            procedure_version=version,
            applicant=_applicant(payload.applicant),
            actor=_user(request),
            receiving_unit=unit,
            channel=payload.channel,
            parts=_parts(version, payload.parts),
            external=_external(payload),
            result_channel=payload.result_channel,
            postal_item_number=payload.postal_item_number,
        )
        return Status(201, {**_out(request, dossier), "secret": dossier.secret})

    return _located(response, idempotent(request, payload, DossierCreatedOut, create))


@router.post(
    "/online",
    response={201: DossierCreatedOut, **INTAKE_ERRORS},
    summary="Nộp hồ sơ trực tuyến (từ Cổng dịch vụ công)",
    description="Hồ sơ chờ tiếp nhận: phải được tiếp nhận hoặc yêu cầu hoàn thiện trong 08 "
    "giờ làm việc." + INTAKE_NOTE,
    openapi_extra={**CREATED_EXTRA, **IDEMPOTENT},
)
@require_scope(Scope.INTAKE)
def submit(
    request: HttpRequest, payload: SubmitIn, response: HttpResponse
) -> Status[dict[str, Any]]:
    def create() -> Status[dict[str, Any]]:
        version = _version_for(payload)
        _counter_unit(request, version, receives=False)  # a role that acts, within the token
        dossier = services.dossier_submit(
            procedure_version=version,
            applicant=_applicant(payload.applicant),
            actor=_user(request),
            parts=_parts(version, payload.parts),
            external=_external(payload),
            result_channel=payload.result_channel,
        )
        return Status(201, {**_out(request, dossier), "secret": dossier.secret})

    return _located(response, idempotent(request, payload, DossierCreatedOut, create))


@router.post(
    "/rejections",
    response={201: DossierCreatedOut, **INTAKE_ERRORS},
    summary="Từ chối tiếp nhận tại Bộ phận Một cửa (mẫu 03)",
    description="Ghi nhận hồ sơ bị từ chối ngay khi nộp (trực tiếp hoặc bưu chính): có mã hồ "
    "sơ để in mẫu 03, không được tính là đã tiếp nhận." + INTAKE_NOTE,
    openapi_extra={**CREATED_EXTRA, **IDEMPOTENT},
)
@require_scope(Scope.INTAKE)
def reject_at_counter(
    request: HttpRequest, payload: RejectAtCounterIn, response: HttpResponse
) -> Status[dict[str, Any]]:
    def create() -> Status[dict[str, Any]]:
        version = _version_for(payload)
        unit = _counter_unit(request, version)
        dossier = services.dossier_reject_at_counter(
            procedure_version=version,
            applicant=_applicant(payload.applicant),
            actor=_user(request),
            receiving_unit=unit,
            reason=payload.reason,
            channel=payload.channel,
            external=_external(payload),
        )
        return Status(201, {**_out(request, dossier), "secret": dossier.secret})

    return _located(response, idempotent(request, payload, DossierCreatedOut, create))


# --- changes of state -------------------------------------------------------------------------


def _change(
    summary: str, path: str, description: str = "", scopes: tuple[str, ...] = (Scope.PROCESS,)
) -> Any:
    route = router.post(
        f"/{{code}}/{path}",
        response={200: DossierOut, **CHANGE_ERRORS},
        summary=summary,
        description=description + CHANGE_NOTE,
    )

    def decorate(view: Any) -> Any:
        return route(require_scope(*scopes)(view))

    return decorate


@_change("Tiếp nhận hồ sơ trực tuyến", "accept", "Thời hạn giải quyết bắt đầu tính.")
def accept(request: HttpRequest, code: str, payload: AcceptIn) -> dict[str, Any]:
    dossier = _writable(request, code)
    profile = staff_profile(_user(request))
    return _out(
        request,
        services.dossier_accept(
            dossier=dossier,
            actor=_user(request),
            receiving_unit=profile.agency if profile else None,
            expected_version=payload.expected_version,
        ),
    )


@_change("Yêu cầu hoàn thiện hồ sơ trực tuyến trước khi tiếp nhận (mẫu 02)", "request-completion")
def request_completion(request: HttpRequest, code: str, payload: ItemsIn) -> dict[str, Any]:
    return _out(
        request,
        services.dossier_request_completion(
            dossier=_writable(request, code),
            actor=_user(request),
            items=payload.items,
            reason=payload.reason,
            expected_version=payload.expected_version,
        ),
    )


@_change("Người nộp đã hoàn thiện hồ sơ trực tuyến", "complete")
def complete(request: HttpRequest, code: str, payload: PartsIn) -> dict[str, Any]:
    dossier = _writable(request, code)
    return _out(
        request,
        services.dossier_complete(
            dossier=dossier,
            actor=_user(request),
            parts=_parts(dossier.procedure_version, payload.parts),
            note=payload.note,
            expected_version=payload.expected_version,
        ),
    )


@_change("Từ chối tiếp nhận hồ sơ trực tuyến (mẫu 03)", "reject")
def reject(request: HttpRequest, code: str, payload: ReasonIn) -> dict[str, Any]:
    return _out(
        request,
        services.dossier_reject(
            dossier=_writable(request, code),
            actor=_user(request),
            reason=payload.reason,
            expected_version=payload.expected_version,
        ),
    )


@_change(
    "Chuyển hồ sơ (phiếu kiểm soát, mẫu 06)",
    "handover",
    "Mặc định chuyển sang bước tiếp theo của quy trình nội bộ.",
)
def handover(request: HttpRequest, code: str, payload: HandoverIn) -> dict[str, Any]:
    dossier = _writable(request, code)
    step = None
    if payload.step is not None:
        step = WorkflowStep.objects.filter(
            version_id=dossier.procedure_version_id, position=payload.step
        ).first()
        if step is None:
            raise FieldInvalid(
                ("body", "step"),
                _("Quy trình của thủ tục không có bước thứ %(n)s.") % {"n": payload.step},
            )
    services.dossier_handover(
        dossier=dossier,
        actor=_user(request),
        to_unit=payload.to_unit,
        step=step,
        receiver_name=payload.receiver_name,
        note=payload.note,
        expected_version=payload.expected_version,
    )
    return _out(request, dossier)


@_change("Yêu cầu bổ sung hồ sơ (mẫu 02)", "request-supplement", "Thời hạn giải quyết tạm dừng.")
def request_supplement(request: HttpRequest, code: str, payload: ItemsIn) -> dict[str, Any]:
    return _out(
        request,
        services.dossier_request_supplement(
            dossier=_writable(request, code),
            actor=_user(request),
            items=payload.items,
            reason=payload.reason,
            expected_version=payload.expected_version,
        ),
    )


@_change(
    "Nhận hồ sơ bổ sung",
    "receive-supplement",
    "Thời hạn giải quyết tính lại từ đầu (NĐ 118/2025 Điều 19.5).",
)
def receive_supplement(request: HttpRequest, code: str, payload: PartsIn) -> dict[str, Any]:
    dossier = _writable(request, code)
    return _out(
        request,
        services.dossier_receive_supplement(
            dossier=dossier,
            actor=_user(request),
            parts=_parts(dossier.procedure_version, payload.parts),
            note=payload.note,
            expected_version=payload.expected_version,
        ),
    )


@_change(
    "Xin lỗi và hẹn lại ngày trả kết quả (mẫu 04)",
    "extend",
    "Một lần, chậm nhất 01 ngày làm việc trước hạn (NĐ 118/2025 Điều 19.6).",
)
def extend(request: HttpRequest, code: str, payload: ExtendIn) -> dict[str, Any]:
    new_due_at = payload.new_due_at
    if timezone.is_naive(new_due_at):
        new_due_at = timezone.make_aware(new_due_at)
    return _out(
        request,
        services.dossier_extend(
            dossier=_writable(request, code),
            actor=_user(request),
            reason=payload.reason,
            new_due_at=new_due_at,
            expected_version=payload.expected_version,
        ),
    )


@_change(
    "Có kết quả giải quyết",
    "finish",
    "Hồ sơ kết thúc và được xếp loại trước hạn / đúng hạn / quá hạn.",
)
def finish(request: HttpRequest, code: str, payload: FinishIn) -> dict[str, Any]:
    return _out(
        request,
        services.dossier_finish(
            dossier=_writable(request, code),
            actor=_user(request),
            late_reason=payload.late_reason,
            note=payload.note,
            expected_version=payload.expected_version,
        ),
    )


@_change(
    "Có kết quả giải quyết, kèm tệp kết quả (multipart/form-data)",
    "result",
    "Như finish, gửi dạng multipart/form-data với tệp kết quả điện tử hoặc bản quét "
    "(result_file: PDF, DOCX, ảnh, XML, ZIP; tối đa 20 MB), lưu kèm SHA-256 "
    "(NĐ 118/2025 Điều 22).",
)
def finish_with_result(
    request: HttpRequest,
    code: str,
    expected_version: Form[int],
    result_file: File[UploadedFile],
    late_reason: Form[str] = "",
    note: Form[str] = "",
) -> dict[str, Any]:
    dossier = _writable(request, code)
    try:
        result_file_check(result_file)  # the one rule (dossiers.uploads), as the web form
    except UploadRefused as exc:
        raise FieldInvalid(("body", "result_file"), str(exc)) from exc
    return _out(
        request,
        services.dossier_finish(
            dossier=dossier,
            actor=_user(request),
            late_reason=late_reason,
            note=note,
            result_file=result_file,
            expected_version=expected_version,
        ),
    )


@router.post(
    "/{code}/parts/{part_id}/files",
    response={200: DossierOut, **CHANGE_ERRORS},
    summary="Số hóa thành phần hồ sơ: tải bản quét (multipart/form-data)",
    description="Thêm một hoặc nhiều bản quét (files: PDF, JPEG hoặc PNG, kiểm tra theo nội "
    "dung tệp) cho thành phần `part_id` của hồ sơ đang giải quyết; do Bộ phận Một cửa đã "
    "tiếp nhận hoặc đơn vị đang giữ hồ sơ thực hiện. Tệp sai loại: 422 với `errors[].loc` = "
    '`["body", "files", <thứ tự tệp>]`. Thành phần không thuộc hồ sơ: 404.' + CHANGE_NOTE,
    # At least one file (an empty list is no field at all in multipart), at most MAX_FILES.
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {"properties": {"files": {"minItems": 1, "maxItems": MAX_FILES}}}
                }
            }
        }
    },
)
@require_scope(Scope.PROCESS)
def digitise_part(
    request: HttpRequest,
    code: str,
    part_id: int,
    expected_version: Form[int],
    files: File[list[UploadedFile]],
) -> dict[str, Any]:
    dossier = _writable(request, code)
    part = dossier.parts.filter(pk=part_id).first() if part_id <= MAX_INT else None
    if part is None:
        raise Http404
    if len(files) > MAX_FILES:
        raise FieldInvalid(
            ("body", "files"), _("Gửi nhiều nhất %(n)s tệp một lần.") % {"n": MAX_FILES}
        )
    checked = []
    for index, upload in enumerate(files):
        try:
            checked.append(upload_check(upload))  # the one rule for parts (dossiers.uploads)
        except UploadRefused as exc:
            raise FieldInvalid(("body", "files", index), str(exc)) from exc
    return _out(
        request,
        services.dossier_part_digitise(
            dossier=dossier,
            actor=_user(request),
            part=part,
            files=[
                services.PartFile(
                    file=DjangoFile(c.upload, name=f"scan{c.extension}"),
                    content_type=c.content_type,
                    sha256=c.sha256,
                )
                for c in checked
            ],
            expected_version=expected_version,
        ),
    )


@_change("Trả lại hồ sơ không đủ điều kiện giải quyết (mẫu 03)", "refuse")
def refuse(request: HttpRequest, code: str, payload: ReasonIn) -> dict[str, Any]:
    return _out(
        request,
        services.dossier_refuse(
            dossier=_writable(request, code),
            actor=_user(request),
            reason=payload.reason,
            expected_version=payload.expected_version,
        ),
    )


@_change("Rút hồ sơ theo đề nghị của người nộp", "withdraw")
def withdraw(request: HttpRequest, code: str, payload: OptionalReasonIn) -> dict[str, Any]:
    return _out(
        request,
        services.dossier_withdraw(
            dossier=_writable(request, code),
            actor=_user(request),
            reason=payload.reason,
            expected_version=payload.expected_version,
        ),
    )


@_change(
    "Trả lại bước trước để xử lý lại",
    "send-back",
    "Lãnh đạo ở bước duyệt, ký không ký: hồ sơ về bước trước, về người đã đề xuất, kèm lý do.",
)
def send_back(request: HttpRequest, code: str, payload: SendBackIn) -> dict[str, Any]:
    services.dossier_send_back(
        dossier=_writable(request, code),
        actor=_user(request),
        reason=payload.reason,
        expected_version=payload.expected_version,
    )
    return _out(request, dossier_for(_user(request), code))


@_change("Dừng giải quyết hồ sơ (mẫu 05)", "stop")
def stop(request: HttpRequest, code: str, payload: ReasonIn) -> dict[str, Any]:
    return _out(
        request,
        services.dossier_stop(
            dossier=_writable(request, code),
            actor=_user(request),
            reason=payload.reason,
            expected_version=payload.expected_version,
        ),
    )


@_change(
    "Trả kết quả",
    "deliver",
    "Tại Bộ phận Một cửa (counter), qua bưu chính (postal, kèm số hiệu bưu gửi) hoặc "
    "trực tuyến (online).",
    scopes=(Scope.PROCESS, Scope.POSTAL),
)
def deliver(request: HttpRequest, code: str, payload: DeliverIn) -> dict[str, Any]:
    return _out(
        request,
        services.dossier_deliver(
            dossier=_writable(request, code),
            actor=_user(request),
            channel=payload.channel,
            reference=payload.reference,
            expected_version=payload.expected_version,
        ),
    )


@_change(
    "Gửi lại đơn bưu chính chuyển kết quả",
    "postal-order",
    "Đặt lại bưu chính đến lấy kết quả (hồ sơ đăng ký nhận kết quả qua bưu chính, chưa trả): "
    "đơn chưa gửi được thì gửi lại ngay, không có thì đặt đơn mới.",
)
def postal_order(request: HttpRequest, code: str, payload: VersionedIn) -> dict[str, Any]:
    return _out(
        request,
        services.dossier_postal_resend(
            dossier=_writable(request, code),
            actor=_user(request),
            expected_version=payload.expected_version,
        ),
    )


# --- reads ----------------------------------------------------------------------------------------


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@router.get(
    "",
    response={200: list[DossierSummary], 401: ErrorOut, 422: ErrorOut},
    summary="Danh sách hồ sơ trong phạm vi của tài khoản",
    description="Lọc theo cơ quan (gồm cấp dưới), trạng thái, hạn, kết quả, ngày tiếp nhận, "
    "hình thức nộp. Phân trang bằng limit/offset; sắp xếp ổn định: mới tạo trước.\n\n"
    "Đồng bộ: `updated_since` (hoặc `cursor` = `next` của trang trước) xếp theo "
    "(updated_at, id); hồ sơ thay đổi sau khi đã trả về sẽ được trả lại ở trang sau; chỉ "
    "gồm thay đổi đã ghi xong (trễ 30 giây, docs/api.md).",
)
@require_scope(Scope.READ)
@paginate(DossierPagination)
def dossier_list(request: HttpRequest, filters: Query[DossierFilter]) -> QuerySet[Dossier]:
    qs = dossiers_visible_to(_user(request)).select_related(
        "procedure_version__procedure", "agency"
    )
    if filters.agency:
        agency = Agency.objects.filter(code=filters.agency.strip()).first()
        if agency is None:
            raise FieldInvalid(
                ("query", "agency"), _("Không có cơ quan mã %(code)s.") % {"code": filters.agency}
            )
        if agency.path:
            qs = qs.filter(agency__path__startswith=agency.path)
        else:
            qs = qs.filter(agency=agency)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.due_before:
        due = filters.due_before
        qs = qs.filter(due_at__lt=timezone.make_aware(due) if timezone.is_naive(due) else due)
    if filters.dossier_class:
        qs = qs.filter(dossier_class=filters.dossier_class)
    if filters.received_from:
        qs = qs.filter(received_at__gte=_local_midnight(filters.received_from))
    if filters.received_to:
        next_day = filters.received_to + dt.timedelta(days=1)
        qs = qs.filter(received_at__lt=_local_midnight(next_day))
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    # The id is unique and increasing: pages never overlap or skip while rows are added.
    # A replica may serve the page (core.dbrouter): the list is evaluated by the paginator
    # after this returns, so the queryset is bound to the alias chosen now.
    with reads_from_replica() as alias:
        return qs.order_by("-id").using(alias)


@router.get(
    "/{code}",
    response={200: DossierOut, 304: None, **READ_ERRORS},
    url_name="dossier_get",
    openapi_extra={
        "responses": {
            200: {
                "headers": {
                    "ETag": {
                        "description": "Gửi lại trong If-None-Match để nhận 304 khi không đổi",
                        "schema": {"type": "string"},
                    }
                }
            }
        }
    },
    summary="Một hồ sơ: diễn biến, phiếu kiểm soát, cách tính hạn",
    description="Kèm `ETag`; gửi lại nó trong `If-None-Match`: 304, không kèm nội dung, khi "
    "hồ sơ (và những gì tài khoản được làm với nó) không đổi.",
)
@require_scope(Scope.READ)
def dossier_get(request: HttpRequest, code: str) -> HttpResponseBase:
    data = DossierOut.model_validate(_out(request, dossier_for(_user(request), code)))
    response = HttpResponse(
        json.dumps(data.model_dump(), cls=NinjaJSONEncoder),
        content_type="application/json; charset=utf-8",
    )
    # The ETag is the body's own hash: it changes with anything shown, the caller's
    # ``actions`` included (they depend on who asks), never while nothing shown changed.
    set_response_etag(response)
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


@router.get(
    "/{code}/documents/{document_id}",
    response={200: bytes, **READ_ERRORS},
    url_name="dossier_document",
    summary="Nội dung một tệp của hồ sơ (thành phần, kết quả)",
    description="Địa chỉ `url` của mỗi tệp trong `GET /api/dossiers/{code}` (`parts[].files[]`, "
    "`result`). Trả về đúng kiểu nội dung đã lưu (`Content-Type`); PDF, JPEG, PNG kèm "
    "`Content-Disposition: inline`, kiểu khác là tệp tải về. 404 (cùng một nội dung) khi hồ "
    "sơ không có, ngoài phạm vi, hoặc tệp không thuộc hồ sơ đó. Mỗi lần mở được ghi nhật ký.",
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    content_type: {"schema": {"type": "string", "format": "binary"}}
                    for content_type in ("application/pdf", "image/jpeg", "image/png", "*/*")
                }
            }
        }
    },
)
@require_scope(Scope.READ)
def dossier_document_file(request: HttpRequest, code: str, document_id: int) -> HttpResponseBase:
    dossier = dossier_for(_user(request), code)
    document = dossier_document(dossier, document_id) if document_id <= MAX_INT else None
    if document is None:
        raise Http404
    return document_open(
        document,
        actor=_user(request),
        via="api",
        filename=document_filename(document, dossier.code),
    )


FORM_FORMATS = ("docx", "pdf")


@router.get(
    "/{code}/forms/{form}.{fmt}",
    response={200: bytes, **READ_ERRORS, 422: ErrorOut},
    summary="Biểu mẫu chính thức của hồ sơ (mẫu 01–07, DOCX hoặc PDF)",
    description="Mẫu 01 giấy tiếp nhận, 02 yêu cầu bổ sung, 03 từ chối, 04 xin lỗi gia hạn, "
    "05 dừng giải quyết, 06 phiếu kiểm soát, 07 dòng sổ theo dõi của hồ sơ. 422 khi hồ sơ "
    "chưa có sự kiện mà mẫu cần.",
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                }
            }
        }
    },
)
@require_scope(Scope.READ)
def dossier_form(request: HttpRequest, code: str, form: str, fmt: str) -> HttpResponse:
    from motcua.dossiers.forms_docs import FORMS, form_response
    from motcua.dossiers.forms_docs.render import Format

    if form not in FORMS or fmt not in FORM_FORMATS:
        raise Http404
    file_format: Format = "pdf" if fmt == "pdf" else "docx"
    dossier = dossier_for(_user(request), code)
    extra: dict[str, Any] = {}
    if form == "07":
        # The register line of this one dossier, in the unit that received it.
        day = timezone.localdate(dossier.received_at or dossier.created_at)
        extra = {
            "unit": dossier.receiving_unit or dossier.agency,
            "dossiers": [dossier],
            "date_from": day,
            "date_to": day,
        }
    try:
        response = form_response(
            form,
            None if form == "07" else dossier,
            fmt=file_format,
            **extra,
        )
    except ValueError as exc:
        raise FieldInvalid(("path", "form"), str(exc)) from exc
    if form == "07":
        response["Content-Disposition"] = f'attachment; filename="mau-07-{dossier.code}.{fmt}"'
    audit_log(
        actor=_user(request),
        action="dossier.print",
        object_type="dossier",
        object_id=dossier.code,
        data={"form": form, "fmt": fmt, "via": "api"},
    )
    if form != "07":
        services.dossier_form_issued(
            dossier=dossier, form=form, fmt=fmt, data=response.content, actor=_user(request)
        )
    return response


# --- guidance ---------------------------------------------------------------------------------


@guidance_router.post(
    "",
    response={201: GuidanceOut, **CREATE_ERRORS},
    summary="Ghi sổ một lượt hướng dẫn (trực tiếp, gọi đi, nghe gọi đến)",
    description="Header `Idempotency-Key`: như khi tiếp nhận hồ sơ (gửi lại không ghi thêm).",
    openapi_extra=IDEMPOTENT,
)
@require_scope(Scope.INTAKE)
def guidance_create(request: HttpRequest, payload: GuidanceIn) -> Status[dict[str, Any]]:
    def create() -> Status[dict[str, Any]]:
        unit = _counter_unit(request)
        guidance = services.guidance_log(
            unit=unit,
            kind=payload.kind,
            actor=_user(request),
            procedure_code=payload.procedure,
            note=payload.note,
        )
        return Status(
            201,
            {
                "id": guidance.pk,
                "at": guidance.at,
                "kind": guidance.kind,
                "unit": _agency(unit),
                "procedure": guidance.procedure_code,
                "note": guidance.note,
            },
        )

    return idempotent(request, payload, GuidanceOut, create)


__all__ = ["guidance_router", "router"]
