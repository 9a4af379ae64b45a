"""A local stand-in for the Government reporting information system, speaking the contract of
docs/operations.md ("Government reporting link"): for the tests (started on 127.0.0.1:0 in a
thread). Everything is kept in memory.

- ``POST /reports``: a report (JSON), 200 ``{"id": "<receipt>"}``; the same (report code,
  period, unit, version) again answers the same receipt; 422 without those fields.

``fail_next`` answers that many next requests with 503, ``down`` every request; with a
``token``, a request without ``Authorization: Bearer <token>`` gets 401.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REQUIRED = ("report_code", "period", "unit", "version", "figures")


@dataclass
class FakeGovReportState:
    received: list[dict[str, Any]] = field(default_factory=list)  # every accepted request
    receipts: dict[str, str] = field(default_factory=dict)
    token: str = ""
    fail_next: int = 0
    down: bool = False
    requests: int = 0  # every request, refused ones included
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: FakeGovReportServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
        pass

    def _answer(self, status: int, body: Any) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        with state.lock:
            state.requests += 1
            if state.down or state.fail_next > 0:
                state.fail_next = max(0, state.fail_next - 1)
                self._answer(503, {"error": "unavailable"})
                return
        if state.token and self.headers.get("Authorization") != f"Bearer {state.token}":
            self._answer(401, {"error": "unauthorized"})
            return
        if self.path != "/reports":
            self._answer(404, {"error": "not found"})
            return
        try:
            body = json.loads(raw)
            key = json.dumps(
                [body["report_code"], body["period"]["code"], body["unit"], body["version"]],
                sort_keys=True,
            )
            if not all(k in body for k in REQUIRED):
                raise KeyError("field missing")
        except (ValueError, KeyError, TypeError) as exc:
            self._answer(422, {"error": f"malformed report: {exc}"})
            return
        with state.lock:
            receipt = state.receipts.setdefault(key, f"BC-{len(state.receipts) + 1:06d}")
            state.received.append(body)
        self._answer(200, {"id": receipt})


class FakeGovReportServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: FakeGovReportState | None = None) -> None:
        super().__init__(address, _Handler)
        self.state = state or FakeGovReportState()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def fake_govreport_start(host: str = "127.0.0.1", port: int = 0) -> FakeGovReportServer:
    """A fake reporting system serving in a background thread; ``shutdown()`` it when done."""
    server = FakeGovReportServer((host, port))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server
