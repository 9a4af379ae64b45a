"""A local fake of the postal service, on loopback: accepts pickup orders (deduplicated on
``order_ref``, as the real service does), answers a tracking number, can be taken down, and
calls back our tracking endpoint as the postal service would."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakePostal:
    def __init__(self, token: str = "khoa-buu-chinh") -> None:
        self.token = token
        self.orders: list[dict[str, Any]] = []  # every accepted call, retries included
        self.tracking: dict[str, str] = {}  # order_ref -> tracking number
        self.down = False  # answer 503 to every order
        self.refuse = False  # answer 400 to every order
        self.calls = 0
        self.url = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                fake.calls += 1
                length = int(self.headers.get("Content-Length") or 0)
                order = json.loads(self.rfile.read(length) or b"{}")
                if self.path != "/orders":
                    return self._answer(404, {"error": "not found"})
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    return self._answer(401, {"error": "bad key"})
                if fake.down:
                    return self._answer(503, {"error": "maintenance"})
                if fake.refuse or not order.get("receiver", {}).get("address"):
                    return self._answer(400, {"error": "receiver address required"})
                ref = order["order_ref"]
                if ref not in fake.tracking:
                    fake.tracking[ref] = f"EB{100000000 + len(fake.tracking):09d}VN"
                    fake.orders.append(order)
                return self._answer(201, {"tracking_number": fake.tracking[ref]})

        return Handler

    def call_back(self, base_url: str, api_token: str, **report: Any) -> tuple[int, Any]:
        """POST a tracking report to ``<base_url>/api/postal/tracking``, as the service does."""
        request = urllib.request.Request(
            f"{base_url}/api/postal/tracking",
            data=json.dumps(report).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_token}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())


@contextmanager
def fake_postal_server() -> Iterator[FakePostal]:
    fake = FakePostal()
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
