"""Online payment platforms: one adapter interface, selected by ``MOTCUA_PAYMENT_PLATFORM``.

The platform's callback is a POST whose JSON body is signed with HMAC-SHA256 over the raw
bytes with the shared secret, hex in the ``X-Signature`` header; the body holds
``order_id``, ``amount`` (đồng), ``status`` (``paid``) and ``transaction_id``. Requests from
us to the platform are signed the same way. Only ``fake`` exists today (the local fake
platform, ``fees.fake_platform``): a real provider is one more class with the same methods.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings


class PlatformError(Exception):
    """The platform could not be reached or refused the request."""


@dataclass(frozen=True)
class OrderStatus:
    order_id: str
    status: str  # "pending" | "paid" | "refunded" | "unknown"
    amount: int
    transaction_id: str = ""


class PaymentPlatform(Protocol):
    name: str

    def create(
        self, *, order_id: str, amount: int, description: str, return_url: str, callback_url: str
    ) -> str:
        """Register the order; the address to send the citizen to."""
        ...

    def status(self, order_id: str) -> OrderStatus: ...

    def refund(self, order_id: str, amount: int) -> str:
        """Refund the order; the platform's reference of the refund."""
        ...


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, signature: str) -> bool:
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(secret, body), signature.strip().lower())


class HttpPlatform:
    """The JSON-over-HTTP contract of the fake platform (``fees.fake_platform``)."""

    name = "fake"

    def __init__(self, base_url: str, merchant: str, secret: str, timeout: float = 10) -> None:
        self.base_url = base_url.rstrip("/")
        self.merchant = merchant
        self.secret = secret
        self.timeout = timeout

    def _call(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        body = json.dumps(payload or {}).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=body if method == "POST" else None,
            method=method,
            headers={
                "Content-Type": "application/json",
                "X-Merchant": self.merchant,
                "X-Signature": sign(self.secret, body if method == "POST" else path.encode()),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"{}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise PlatformError(str(exc)) from exc

    def create(
        self, *, order_id: str, amount: int, description: str, return_url: str, callback_url: str
    ) -> str:
        answer = self._call(
            "POST",
            "/api/orders",
            {
                "order_id": order_id,
                "amount": amount,
                "description": description,
                "return_url": return_url,
                "callback_url": callback_url,
            },
        )
        return str(answer["pay_url"])

    def status(self, order_id: str) -> OrderStatus:
        answer = self._call("GET", f"/api/orders/{order_id}")
        return OrderStatus(
            order_id=order_id,
            status=str(answer.get("status", "unknown")),
            amount=int(answer.get("amount", 0)),
            transaction_id=str(answer.get("transaction_id", "")),
        )

    def refund(self, order_id: str, amount: int) -> str:
        answer = self._call("POST", f"/api/orders/{order_id}/refund", {"amount": amount})
        return str(answer.get("refund_id", ""))


def platform_get() -> PaymentPlatform | None:
    """The configured platform (None: online payment is off)."""
    conf = settings.MOTCUA
    if conf["PAYMENT_PLATFORM"] == "fake":
        return HttpPlatform(
            conf["PAYMENT_PLATFORM_URL"],
            conf["PAYMENT_MERCHANT"],
            conf["PAYMENT_SECRET"],
            float(conf["PAYMENT_TIMEOUT"]),
        )
    return None
