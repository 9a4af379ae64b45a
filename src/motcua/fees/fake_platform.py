"""A local stand-in for the online payment platform, speaking ``fees.platforms``' contract:
for the tests (started on 127.0.0.1:0 in a thread) and for the demo
(``motcua fake-payment-platform --secret …``). Everything is kept in memory.

- ``POST /api/orders`` (signed): register an order, ``{"pay_url"}``;
- ``GET /api/orders/<id>``: ``{"order_id", "status", "amount", "transaction_id"}``;
- ``POST /api/orders/<id>/refund`` (signed): ``{"refund_id"}``;
- ``GET /pay/<id>``: the citizen's page, with the amount and a "Thanh toán" button;
- ``POST /pay/<id>``: pays; sends the signed callback ``callback_repeats`` times (a platform
  retries), then sends the citizen back to the order's ``return_url``.

Its own module, imported by nothing of the application: only the tests and the command.
"""

from __future__ import annotations

import html
import json
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from motcua.fees.platforms import sign, signature_valid


@dataclass
class FakeOrder:
    order_id: str
    amount: int
    description: str
    return_url: str
    callback_url: str
    status: str = "pending"
    transaction_id: str = ""
    callback_answers: list[int] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self) -> None:
        platform = self.server.platform
        parts = self.path.strip("/").split("/")
        order = platform.orders.get(parts[-1]) if parts else None
        if len(parts) == 3 and parts[:2] == ["api", "orders"]:
            if order is None:
                self._answer(404, {"status": "unknown"})
                return
            self._answer(
                200,
                {
                    "order_id": order.order_id,
                    "status": order.status,
                    "amount": order.amount,
                    "transaction_id": order.transaction_id,
                },
            )
        elif len(parts) == 2 and parts[0] == "pay" and order is not None:
            page = (
                "<!doctype html><html lang='vi'><meta charset='utf-8'><title>Cổng thanh toán "
                "(giả lập)</title><main><h1>Cổng thanh toán (giả lập)</h1>"
                f"<p>{html.escape(order.description)}</p>"
                f"<p>Số tiền: <b id='amount'>{order.amount}</b> đồng</p>"
                "<form method='post'><button type='submit'>Thanh toán</button></form></main></html>"
            )
            self._answer(200, page.encode(), "text/html; charset=utf-8")
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        platform = self.server.platform
        body = self._body()
        parts = self.path.strip("/").split("/")
        if parts == ["api", "orders"]:
            if not signature_valid(platform.secret, body, self.headers.get("X-Signature", "")):
                self._answer(401, {"error": "bad signature"})
                return
            data = json.loads(body)
            order = FakeOrder(
                order_id=str(data["order_id"]),
                amount=int(data["amount"]),
                description=str(data.get("description", "")),
                return_url=str(data["return_url"]),
                callback_url=str(data["callback_url"]),
            )
            with platform.lock:
                platform.orders.setdefault(order.order_id, order)
            self._answer(200, {"pay_url": f"{platform.url}/pay/{order.order_id}"})
        elif len(parts) == 4 and parts[:2] == ["api", "orders"] and parts[3] == "refund":
            refunded = platform.orders.get(parts[2])
            if refunded is None or refunded.status != "paid":
                self._answer(409, {"error": "not paid"})
                return
            refunded.status = "refunded"
            self._answer(200, {"refund_id": "RF" + refunded.order_id})
        elif len(parts) == 2 and parts[0] == "pay" and parts[1] in platform.orders:
            order = platform.orders[parts[1]]
            if order.status == "pending":
                with platform.lock:
                    platform.sequence += 1
                    order.status = "paid"
                    order.transaction_id = f"TX{platform.sequence:06d}"
                for _ in range(platform.callback_repeats):
                    platform.callback_send(order)
            self.send_response(303)
            self.send_header("Location", order.return_url)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._answer(404, {"error": "not found"})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    platform: FakePlatform


class FakePlatform:
    """The fake platform's state and its server on ``127.0.0.1:port`` (0: any free port)."""

    def __init__(
        self, *, secret: str, port: int = 0, callback_repeats: int = 1, callback_token: str = ""
    ) -> None:
        self.secret = secret
        # Our API token of the ``payment_callback`` scope, given to the platform.
        self.callback_token = callback_token
        self.callback_repeats = callback_repeats
        self.orders: dict[str, FakeOrder] = {}
        self.sequence = 0
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", port), _Handler)
        self.server.platform = self
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread: threading.Thread | None = None

    def callback_body(self, order: FakeOrder, **changes: Any) -> bytes:
        payload = {
            "order_id": order.order_id,
            "amount": order.amount,
            "status": "paid",
            "transaction_id": order.transaction_id,
            **changes,
        }
        return json.dumps(payload).encode()

    def callback_send(self, order: FakeOrder, body: bytes | None = None) -> int:
        """POST the signed callback to the order's ``callback_url``; the HTTP status."""
        raw = body if body is not None else self.callback_body(order)
        request = urllib.request.Request(
            order.callback_url,
            data=raw,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Signature": sign(self.secret, raw),
                "Authorization": f"Bearer {self.callback_token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = int(response.status)
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        order.callback_answers.append(status)
        return status

    def start(self) -> FakePlatform:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
