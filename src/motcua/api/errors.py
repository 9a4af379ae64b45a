"""The API's error body, one shape for every status (docs/api.md, "Errors"), and an input
field the API itself refuses (an unknown procedure code, an unknown part)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

# The code of each status when nothing more precise is known (a view may say more: 401
# ``token_expired``, 422 ``refused``).
CODES = {
    400: "malformed",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


def error_body(
    detail: str, code: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {"detail": detail, "code": code, "errors": errors or []}


def error_code(status: int) -> str:
    return CODES.get(status, "invalid" if 400 <= status < 500 else "server_error")


def status_detail(status: int) -> str:
    """The Vietnamese message of an error that no view of the API wrote (Django's own 404 for
    an unknown address, 405, 413, 500)."""
    messages = {
        400: _("Không đọc được nội dung yêu cầu: không phải JSON hợp lệ hoặc sai định dạng."),
        403: _("Không có quyền thực hiện yêu cầu này."),
        404: _("Không tìm thấy."),
        405: _("Địa chỉ này không nhận phương thức %(method)s."),
        413: _("Nội dung gửi lên quá lớn."),
        429: _("Quá nhiều yêu cầu; vui lòng gửi lại sau."),
        500: _(
            "Lỗi của hệ thống; yêu cầu có thể chưa được thực hiện. Đã ghi nhận để khắc phục, "
            "vui lòng thử lại sau."
        ),
    }
    return str(messages.get(status, _("Yêu cầu không thực hiện được.")))


def too_large_body(limit: int | None = None) -> dict[str, Any]:
    detail = str(_("Nội dung gửi lên quá lớn."))
    if limit is not None:
        detail += " " + _("Tối đa %(n)s byte.") % {"n": limit}
    return error_body(detail, "too_large")


class FieldInvalid(Exception):
    """Answered 422 with ``loc`` as the field's path (``("body", "procedure")``)."""

    def __init__(self, loc: Sequence[str | int], message: str) -> None:
        self.loc = tuple(loc)
        self.message = message
        super().__init__(message)
