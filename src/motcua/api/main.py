"""The JSON API: one ``NinjaAPI`` with its OpenAPI document (``/api/openapi.json``) and
interactive docs (``/api/docs``), and errors in one shape, in Vietnamese.

Status codes, the same on every endpoint:

- 401 no valid credentials (missing, unknown or revoked token; no staff session), code
  ``not_authenticated``; or a token past its expiry, code ``token_expired``;
- 403 the caller may not do this at all (a read-only role receiving a dossier; CSRF); or a
  token without any of the operation's scopes, code ``insufficient_scope``;
- 404 no such dossier **or** one outside the caller's scope: the same body either way;
- 409 the dossier changed since the caller read it (``expected_version`` is stale): read it
  again and decide again; nothing was changed;
- 422 the request cannot be carried out as given: a malformed field (``errors`` lists each
  with its path, e.g. ``body.applicant.id_number``) or a change the dossier's state or the
  rules do not allow (``detail`` is the service's message, e.g. "Không thể trả kết quả: hồ sơ
  … đang ở trạng thái …");
- 400 a body that cannot be read (not JSON, a broken multipart), code ``malformed``;
- 405 a method the address does not take (``Allow`` lists those it does);
- 413 a body larger than the installation allows (``MOTCUA_API_MAX_JSON_BYTES``, 1 MiB by
  default; ``MOTCUA_API_MAX_UPLOAD_BYTES`` for multipart), code ``too_large``;
- 422 also for a query parameter the operation does not know (``?stauts=``: ``errors``
  names it) and for a bound passed (a page of more than 500, a date before 1900 or after
  2100, more than 100 parts);
- 429 too many calls in the minute (per token, or per address without credentials), code
  ``throttled``, with ``Retry-After``;
- 500 a fault of the server, code ``server_error``: nothing to correct on the client's side;
- 503 the database could not serve the request now (SQLite's write lock held elsewhere
  beyond the busy timeout, PostgreSQL restarting), code ``unavailable``, with
  ``Retry-After``: nothing was changed; send it again after that many seconds.

Every error, whatever the address under ``/api/``, has the body
``{"detail": str, "code": str, "errors": [{"loc": [...], "msg": str}]}``.

Authentication: ``Authorization: Bearer <token>`` (a token issued to a staff account with
``motcua manage api_token create --user NAME``, acting with that account's scope), or the
session of a logged-in staff member with the ``X-CSRFToken`` header on POST. See
docs/api.md.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.operation import Operation

from motcua.api.auth import TokenAuth
from motcua.api.catalog import router as catalog_router
from motcua.api.dossiers import guidance_router
from motcua.api.dossiers import router as dossiers_router
from motcua.api.errors import FieldInvalid, error_body, error_code, too_large_body
from motcua.api.events import router as events_router
from motcua.api.payments import router as payments_router
from motcua.api.postal import router as postal_router
from motcua.api.schemas import ErrorOut
from motcua.api.scopes import ApiRateThrottle, InsufficientScope, required_scopes
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
    throttle=[ApiRateThrottle()],
)
api.add_router("/dossiers", dossiers_router)
api.add_router("/procedures", catalog_router)
api.add_router("/guidance", guidance_router)
api.add_router("/events", events_router)
api.add_router("/postal", postal_router)
api.add_router("/payments", payments_router)


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


@api.exception_handler(InsufficientScope)
def _insufficient_scope(request: HttpRequest, exc: InsufficientScope) -> HttpResponse:
    required = " ".join(exc.required)
    response = api.create_response(
        request,
        error_body(
            _(
                "Mã truy cập %(prefix)s… không được cấp phạm vi cho thao tác này (cần một "
                "trong: %(scopes)s)."
            )
            % {"prefix": exc.prefix, "scopes": ", ".join(exc.required)},
            "insufficient_scope",
        ),
        status=403,
    )
    # RFC 6750 §3.1: the request needs more privileges than the token carries.
    response["WWW-Authenticate"] = f'Bearer error="insufficient_scope", scope="{required}"'
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
    if exc.status_code == 400:
        # ninja's "Cannot parse request body": the body is not JSON (or not the form it says).
        detail = _("Không đọc được nội dung yêu cầu: không phải JSON hợp lệ hoặc sai định dạng.")
        return api.create_response(request, error_body(detail, "malformed"), status=400)
    code = error_code(exc.status_code)
    return api.create_response(request, error_body(str(exc), code), status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A body without Content-Length that grew past Django's DATA_UPLOAD_MAX_MEMORY_SIZE; one
    # with it is refused before it is read (api.middleware).
    return api.create_response(request, too_large_body(), status=413)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = api.create_response(
        request,
        error_body(_("Quá nhiều yêu cầu; vui lòng gửi lại sau."), "throttled"),
        status=429,
    )
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response


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
        "too_long": _("Có nhiều nhất %(max)s phần tử.") % {"max": ctx.get("max_length", "")},
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


# --- what every operation checks and documents ----------------------------------------------

EXAMPLES: dict[int, dict[str, Any]] = {
    400: error_body("Không đọc được nội dung yêu cầu: không phải JSON hợp lệ.", "malformed"),
    401: error_body("Chưa xác thực: thiếu, sai hoặc đã thu hồi mã truy cập.", "not_authenticated"),
    403: error_body("Tài khoản không có quyền tiếp nhận hồ sơ.", "forbidden"),
    404: error_body("Không tìm thấy.", "not_found"),
    409: error_body("Hồ sơ đã được người khác cập nhật; vui lòng tải lại.", "conflict"),
    413: error_body("Nội dung gửi lên quá lớn. Tối đa 1048576 byte.", "too_large"),
    429: error_body("Quá nhiều yêu cầu; vui lòng gửi lại sau.", "throttled"),
    422: error_body(
        "Dữ liệu gửi lên không hợp lệ: query.stauts: Trường không được hỗ trợ.",
        "invalid",
        [{"loc": ["query", "stauts"], "msg": "Trường không được hỗ trợ."}],
    ),
    503: database_unavailable_body(),
}
INSUFFICIENT_SCOPE_EXAMPLE = error_body(
    "Mã truy cập mc_Ab12Cd34… không được cấp phạm vi cho thao tác này (cần một trong: intake).",
    "insufficient_scope",
)


def _query_names(operation: Operation) -> set[str]:
    """The query parameters ``operation`` reads (with their aliases: ``class``)."""
    names: set[str] = set()
    for model in operation.models:
        if model.__ninja_param_source__ != "query":
            continue
        flatten = getattr(model, "__ninja_flatten_map__", None)
        if flatten:
            names.update(flatten)
        else:
            names.update(field.alias or name for name, field in model.model_fields.items())
    return names


def _statuses(operation: Operation) -> list[int]:
    """Every error status ``operation`` can answer besides those its view declares."""
    statuses = [422, 429, 503]  # a bad or unknown parameter; too many calls; the database busy
    if operation.auth_callbacks:
        statuses += [401, 403]  # no credentials; a token without the operation's scope
    if any(model.__ninja_param_source__ in ("body", "form", "file") for model in operation.models):
        statuses += [400, 413]
    return statuses


def _scoped(operation: Operation) -> None:
    """Give the operation a token check for the scopes its view names (``require_scope``)
    and say so in its OpenAPI entry; an authenticated operation that names none is a
    mistake caught when the API is built."""
    if not operation.auth_callbacks:
        return  # public (the catalogue): no token, no scope
    scopes = required_scopes(operation.view_func)
    if scopes is None:
        raise ImproperlyConfigured(
            f"API operation {operation.view_func.__name__} needs a token but names no scope "
            "(motcua.api.scopes.require_scope)"
        )
    operation.auth_callbacks = [
        TokenAuth(scopes) if isinstance(auth, TokenAuth) else auth
        for auth in operation.auth_callbacks
    ]
    extra = operation.openapi_extra = copy.deepcopy(operation.openapi_extra or {})
    # OpenAPI 3.1 §4.8.30: for schemes other than OAuth the list may name the roles needed.
    extra["security"] = [
        {type(auth).__name__: list(scopes) if isinstance(auth, TokenAuth) else []}
        for auth in operation.auth_callbacks
    ]
    extra["x-scopes"] = list(scopes)
    note = "\n\nPhạm vi của mã truy cập (một trong): " + ", ".join(f"`{s}`" for s in scopes)
    if note not in (operation.description or ""):
        operation.description = (operation.description or "") + note


def _hygiene(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Applied to each operation when the API is built: refuse unknown query parameters (a
    misspelt ``stauts=`` would otherwise return everything), and list in the OpenAPI
    document every status the operation can answer, each with an example."""
    operation: Operation = run.__self__  # type: ignore[attr-defined]
    allowed = _query_names(operation)
    _scoped(operation)
    for status in _statuses(operation):
        operation.response_models.setdefault(status, operation._create_response_model(ErrorOut))
    extra = operation.openapi_extra = copy.deepcopy(operation.openapi_extra or {})
    responses = extra.setdefault("responses", {})
    for status in operation.response_models:
        if status == 403 and operation.auth_callbacks:
            # Two kinds of 403: the token lacks the operation's scope, or the account's role
            # or agency may not do it.
            content = responses.setdefault(status, {}).setdefault("content", {})
            content.setdefault("application/json", {})["examples"] = {
                "insufficient_scope": {"value": INSUFFICIENT_SCOPE_EXAMPLE},
                "forbidden": {"value": EXAMPLES[403]},
            }
        elif status in EXAMPLES:
            content = responses.setdefault(status, {}).setdefault("content", {})
            content.setdefault("application/json", {})["example"] = EXAMPLES[status]

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        unknown = sorted(set(request.GET) - allowed)
        if unknown:
            return operation.api.on_exception(
                request,
                ValidationError(
                    [{"loc": ["query", name], "type": "extra_forbidden"} for name in unknown]
                ),
            )
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(_hygiene, mode="view")
