"""The online payment platform's callback (issue 17): the platform calls with a token of the
``payment_callback`` scope (who it is), and the body is signed with HMAC-SHA256 (that it is
what the platform sent); docs/api.md, "Payments"."""

# No ``from __future__ import annotations``: ninja reads the views' annotations at import.
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from ninja import Router, Status

from motcua.api.auth import token_auth
from motcua.api.base import ApiSchema
from motcua.api.errors import error_body
from motcua.api.schemas import ErrorOut
from motcua.api.scopes import require_scope
from motcua.fees.models import CallbackOutcome
from motcua.fees.services import payment_callback_handle

router = Router(auth=[token_auth], tags=["Thanh toán trực tuyến"])


class CallbackOut(ApiSchema):
    result: str


# Each refusal: its status, its code and its message; nothing was changed.
REFUSALS: dict[str, tuple[int, str, Promise]] = {
    "bad_signature": (
        401,
        "bad_signature",
        gettext_lazy("Chữ ký của thông báo thanh toán không đúng."),
    ),
    "malformed": (422, "invalid", gettext_lazy("Thông báo thanh toán không đúng định dạng.")),
    "not_paid": (422, "invalid", gettext_lazy("Thông báo không báo giao dịch đã thanh toán.")),
    "unknown_order": (404, "not_found", gettext_lazy("Không có yêu cầu thanh toán mã này.")),
    "amount_mismatch": (
        422,
        "amount_mismatch",
        gettext_lazy("Số tiền khác số tiền của yêu cầu thanh toán."),
    ),
    "already_paid": (409, "conflict", gettext_lazy("Yêu cầu thanh toán này đã được thanh toán.")),
}


@router.post(
    "/callback",
    response={200: CallbackOut, 401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Thông báo kết quả thanh toán của nền tảng thanh toán",
    description=(
        'Thân JSON `{order_id, amount, status: "paid", transaction_id}`, ký HMAC-SHA256 trên '
        "đúng các byte của thân bằng khóa bí mật chung, chữ ký hex ở tiêu đề `X-Signature`. "
        "Gọi bằng mã truy cập có phạm vi `payment_callback`. "
        "Thông báo lặp lại của giao dịch đã ghi nhận: 200 `repeated`, không thay đổi gì. Chữ "
        "ký sai (401), mã không có (404), đã thanh toán bằng giao dịch khác (409), số tiền "
        "khác (422): từ chối, ghi nhật ký, không thay đổi gì."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "parameters": [
            {"name": "X-Signature", "in": "header", "required": True, "schema": {"type": "string"}}
        ],
    },
)
@require_scope("payment_callback")
def payment_callback(request: HttpRequest) -> Any:
    outcome, reason = payment_callback_handle(request.body, request.headers.get("X-Signature", ""))
    if outcome != CallbackOutcome.REFUSED:
        return Status(200, {"result": str(outcome)})
    status, code, message = REFUSALS.get(reason, REFUSALS["malformed"])
    return Status(status, error_body(str(message), code))
