"""The postal service (VNPost, bưu chính công ích) behind one small interface.

The one-stop unit sends a result by post by booking a pickup order: the postal service
collects the envelope at the counter and answers with the item's tracking number (mã vận
đơn); it later calls ``POST /api/postal/tracking`` as the item moves (``api.postal``).

Which adapter is used is a setting (``MOTCUA_POSTAL_ADAPTER``): empty turns the integration
off (results by post are handed to the post office by hand and recorded at the counter, as
before), ``http`` is ``HttpPostalAdapter`` (JSON over HTTPS with an API key), a dotted path
names another class taking the same constructor arguments. This module knows no domain app:
the order is plain values, built by ``dossiers.services.postal``.

The HTTP protocol (the postal service's own APIs differ by contract; a deployment whose
provider speaks another one plugs its class in):

    POST <MOTCUA_POSTAL_URL>/orders   Authorization: Bearer <MOTCUA_POSTAL_TOKEN>
    {"order_ref": …, "sender": {...}, "receiver": {...}, "content": …}
    → 200/201 {"tracking_number": "EB123456789VN"}

``order_ref`` is ours and stable across retries of one order, so that a retry after a lost
answer books nothing twice at a service that deduplicates on it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class PostalError(Exception):
    """The order was not booked this time; trying again later may help (the service is down,
    slow, or answered 5xx/429)."""


class PostalRefused(PostalError):
    """The service refused the order as given (4xx): retrying the same order cannot help."""


@dataclass(frozen=True)
class Address:
    name: str
    address: str
    phone: str = ""


@dataclass(frozen=True)
class PickupOrder:
    order_ref: str  # ours, stable across retries of the same order
    sender: Address  # the one-stop unit that hands the result over
    receiver: Address  # the applicant
    content: str  # what the envelope holds, for the postal form


class PostalAdapter(Protocol):
    def pickup_order(self, order: PickupOrder) -> str:
        """Book a pickup for ``order``; return the tracking number. Raises ``PostalError``."""
        ...


class HttpPostalAdapter:
    """The JSON protocol of the module's docstring, over ``urllib`` (one call per order: no
    client library is worth a dependency for it)."""

    def __init__(self, *, url: str, token: str, timeout: float) -> None:
        if not url:
            raise ValueError("MOTCUA_POSTAL_URL is required by the postal adapter")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def pickup_order(self, order: PickupOrder) -> str:
        body = json.dumps(asdict(order), ensure_ascii=False).encode()
        request = urllib.request.Request(
            f"{self.url}/orders",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode(errors="replace")
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PostalRefused(f"HTTP {exc.code}: {detail}") from exc
            raise PostalError(f"HTTP {exc.code}: {detail}") from exc
        except (OSError, ValueError) as exc:  # refused, timed out, not JSON
            raise PostalError(f"{type(exc).__name__}: {exc}") from exc
        tracking = (
            str(answer.get("tracking_number") or "").strip() if isinstance(answer, dict) else ""
        )
        if not tracking or len(tracking) > 40:
            raise PostalError(f"no usable tracking number in the answer: {answer!r}"[:500])
        return tracking


ADAPTERS = {"http": "motcua.dossiers.postal_adapter.HttpPostalAdapter"}


def postal_adapter() -> PostalAdapter | None:
    """The configured adapter, or None when the integration is off."""
    name = settings.MOTCUA.get("POSTAL_ADAPTER", "").strip()
    if not name:
        return None
    cls = import_string(ADAPTERS.get(name, name))
    adapter: PostalAdapter = cls(
        url=settings.MOTCUA.get("POSTAL_URL", ""),
        token=settings.MOTCUA.get("POSTAL_TOKEN", ""),
        timeout=float(settings.MOTCUA.get("POSTAL_TIMEOUT", "10")),
    )
    return adapter


def postal_enabled() -> bool:
    return bool(settings.MOTCUA.get("POSTAL_ADAPTER", "").strip())
