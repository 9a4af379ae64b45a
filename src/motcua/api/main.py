"""The JSON API: one ``NinjaAPI`` with its OpenAPI document (``/api/openapi.json``) and
interactive docs (``/api/docs``), and errors in one shape, in Vietnamese.

Status codes, the same on every endpoint:

- 401 no valid credentials (missing, unknown or revoked token; no staff session), code
  ``not_authenticated``; or a token past its expiry, code ``token_expired``;
- 403 the caller may not do this at all (a read-only role receiving a dossier; CSRF);
- 404 no such dossier **or** one outside the caller's scope: the same body either way;
- 409 the dossier changed since the caller read it (``expected_version`` is stale): read it
  again and decide again; nothing was changed;
- 422 the request cannot be carried out as given: a malformed field (``errors`` lists each
  with its path, e.g. ``body.applicant.id_number``) or a change the dossier's state or the
  rules do not allow (``detail`` is the service's message, e.g. "Không thể trả kết quả: hồ sơ
  … đang ở trạng thái …");
- 503 the database could not serve the request now (SQLite's write lock held elsewhere
  beyond the busy timeout, PostgreSQL restarting), code ``unavailable``, with
  ``Retry-After``: nothing was changed; send it again after that many seconds.

Every body is ``{"detail": str, "code": str, "errors": [{"loc": [...], "msg": str}]}``.

Authentication: ``Authorization: Bearer <token>`` (a token issued to a staff account with
``motcua manage api_token create --user NAME``, acting with that account's scope), or the
session of a logged-in staff member with the ``X-CSRFToken`` header on POST. See
docs/api.md.
"""

from __future__ import annotations

from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from motcua.api.catalog import router as catalog_router
from motcua.api.dossiers import guidance_router
from motcua.api.dossiers import router as dossiers_router
from motcua.api.errors import FieldInvalid
from motcua.api.events import router as events_router
from motcua.api.tokens import TokenExpired
from motcua.core.errors import RETRY_AFTER, database_unavailable_body
from motcua.dossiers.errors import (
    ActorNotAllowed,
    ApplicantInvalid,
    ConflictError,
    DossierError,
    DuplicateExternalRef,
)

api = NinjaAPI(
    title="motcua API",
    version="1",
    description=(__doc__ or "").split("\n\n", 1)[1],
    urls_namespace="api",
)
api.add_router("/dossiers", dossiers_router)
api.add_router("/procedures", catalog_router)
api.add_router("/guidance", guidance_router)
api.add_router("/events", events_router)


def error_body(
    detail: str, code: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"detail": detail, "code": code, "errors": errors or []}


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api.create_response(
        request,
        error_body(
            _("Chưa xác thực: thiếu, sai hoặc đã thu hồi mã truy cập (Authorization: Bearer …)."),
            "not_authenticated",
        ),
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="motcua"'
    return response


@api.exception_handler(TokenExpired)
def _token_expired(request: HttpRequest, exc: TokenExpired) -> HttpResponse:
    expired = timezone.localtime(exc.token.expires_at)
    response = api.create_response(
        request,
        error_body(
            _(
                "Mã truy cập %(prefix)s… đã hết hạn lúc %(at)s; đề nghị quản trị hệ thống cấp "
                "mã mới."
            )
            % {
                "prefix": exc.token.prefix,
                "at": f"{expired:%H:%M} {expired.day}/{expired.month}/{expired.year}",
            },
            "token_expired",
        ),
        status=401,
    )
    # RFC 6750 §3.1: the token is well-formed but no longer valid.
    response["WWW-Authenticate"] = (
        'Bearer realm="motcua", error="invalid_token", error_description="token expired"'
    )
    return response


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The same answer as core.middleware.DatabaseUnavailableMiddleware gives outside the API.
    response = api.create_response(request, database_unavailable_body(), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # One fixed message: a code outside the caller's scope must read exactly like a missing one.
    return api.create_response(request, error_body(_("Không tìm thấy."), "not_found"), status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {403: "forbidden", 404: "not_found", 409: "conflict"}.get(exc.status_code, "invalid")
    return api.create_response(request, error_body(str(exc), code), status=exc.status_code)


@api.exception_handler(ConflictError)
def _conflict(request: HttpRequest, exc: ConflictError) -> HttpResponse:
    return api.create_response(request, error_body(str(exc), "conflict"), status=409)


@api.exception_handler(DuplicateExternalRef)
def _duplicate_external_ref(request: HttpRequest, exc: DuplicateExternalRef) -> HttpResponse:
    # The existing dossier's code in ``detail`` and in the field's error, for the caller to
    # link its record to ours instead of filing it again.
    errors = [{"loc": ["body", "external_ref"], "msg": exc.code}]
    return api.create_response(request, error_body(str(exc), "conflict", errors), status=409)


@api.exception_handler(ApplicantInvalid)
def _applicant_invalid(request: HttpRequest, exc: ApplicantInvalid) -> HttpResponse:
    errors = [
        {"loc": ["body", "applicant", name], "msg": message} for name, message in exc.errors.items()
    ]
    return api.create_response(
        request,
        error_body(_("Thông tin chủ hồ sơ không hợp lệ."), "invalid", errors),
        status=422,
    )


@api.exception_handler(FieldInvalid)
def _field_invalid(request: HttpRequest, exc: FieldInvalid) -> HttpResponse:
    errors = [{"loc": list(exc.loc), "msg": exc.message}]
    return api.create_response(request, error_body(exc.message, "invalid", errors), status=422)


@api.exception_handler(ActorNotAllowed)
def _not_allowed(request: HttpRequest, exc: ActorNotAllowed) -> HttpResponse:
    # The caller sees the dossier but the rule table gives this change to another desk.
    return api.create_response(request, error_body(str(exc), "forbidden"), status=403)


@api.exception_handler(DossierError)
def _refused(request: HttpRequest, exc: DossierError) -> HttpResponse:
    # TransitionError and any other refusal of a service: its Vietnamese message, as is.
    return api.create_response(request, error_body(str(exc), "refused"), status=422)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [_field_error(error) for error in exc.errors]
    detail = _("Dữ liệu gửi lên không hợp lệ: %(fields)s.") % {
        "fields": "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    }
    return api.create_response(request, error_body(detail, "invalid", errors), status=422)


# Parameter names of the views that ninja puts in an error's path; the client never sees them.
_PARAM_NAMES = {"payload", "filters"}


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    loc = [part for part in error.get("loc", ()) if part not in _PARAM_NAMES]
    return {"loc": loc, "msg": _message(error)}


def _message(error: dict[str, Any]) -> str:
    """Pydantic's error in Vietnamese, for the types a client meets; its English otherwise."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("Thiếu trường bắt buộc."),
        "extra_forbidden": _("Trường không được hỗ trợ."),
        "string_type": _("Phải là chuỗi ký tự."),
        "string_too_long": _("Dài quá %(max)s ký tự.") % {"max": ctx.get("max_length", "")},
        "int_type": _("Phải là số nguyên."),
        "int_parsing": _("Phải là số nguyên."),
        "int_from_float": _("Phải là số nguyên."),
        "bool_type": _("Phải là true hoặc false."),
        "bool_parsing": _("Phải là true hoặc false."),
        "greater_than_equal": _("Phải lớn hơn hoặc bằng %(ge)s.") % {"ge": ctx.get("ge", "")},
        "less_than_equal": _("Phải nhỏ hơn hoặc bằng %(le)s.") % {"le": ctx.get("le", "")},
        "too_short": _("Phải có ít nhất %(min)s phần tử.") % {"min": ctx.get("min_length", "")},
        "list_type": _("Phải là một danh sách."),
        "model_attributes_type": _("Phải là một đối tượng JSON."),
        "dict_type": _("Phải là một đối tượng JSON."),
        "json_invalid": _("Nội dung không phải JSON hợp lệ."),
        "literal_error": _("Giá trị không hợp lệ; chấp nhận: %(expected)s.")
        % {"expected": ctx.get("expected", "")},
        "enum": _("Giá trị không hợp lệ; chấp nhận: %(expected)s.")
        % {"expected": ctx.get("expected", "")},
        "datetime_type": _("Ngày giờ không hợp lệ (ISO 8601, ví dụ 2026-10-09T17:00:00+07:00)."),
        "datetime_parsing": _("Ngày giờ không hợp lệ (ISO 8601, ví dụ 2026-10-09T17:00:00+07:00)."),
        "datetime_from_date_parsing": _(
            "Ngày giờ không hợp lệ (ISO 8601, ví dụ 2026-10-09T17:00:00+07:00)."
        ),
        "date_type": _("Ngày không hợp lệ (dạng YYYY-MM-DD)."),
        "date_parsing": _("Ngày không hợp lệ (dạng YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Ngày không hợp lệ (dạng YYYY-MM-DD)."),
    }
    return str(messages.get(kind, error.get("msg", _("Giá trị không hợp lệ."))))
