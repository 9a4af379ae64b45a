"""A local stand-in for the national portal, speaking the contract of docs/api.md ("National
portal"): for the tests (started on 127.0.0.1:0 in a thread) and for a demonstration
(``motcua dvcqg fake-server``). Everything is kept in memory.

- ``GET /dossiers?since=<ISO 8601>&page=<n>``: submissions with ``submitted_at >= since``,
  oldest first, ``page_size`` a page, ``{"items": [...], "next_page": n | null}``;
- ``POST /dossiers/<code>/status``: a status (``{"status": 1..10, …}``), 200
  ``{"accepted": true}``; 422 for a status outside 1..10;
- ``GET /files/<name>``: a part's file (``files``);
- ``POST /dossiers``: adds a submission (demonstration and tests only, not the contract);
- ``GET /dossiers/<code>/status``: the statuses received for a code (likewise).

``fail_next`` answers that many next requests with 503, ``down`` every request; with a
``token``, a request without ``Authorization: Bearer <token>`` gets 401.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FakePortalState:
    submissions: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    page_size: int = 2
    token: str = ""
    fail_next: int = 0
    down: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def statuses_of(self, code: str) -> list[int]:
        return [int(body["status"]) for c, body in self.statuses if c == code]


class _Handler(BaseHTTPRequestHandler):
    server: FakePortalServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
        pass

    def _answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _refused(self) -> bool:
        state = self.server.state
        with state.lock:
            if state.down or state.fail_next > 0:
                state.fail_next = max(0, state.fail_next - 1)
                self._answer(503, {"error": "unavailable"})
                return True
        if state.token and self.headers.get("Authorization") != f"Bearer {state.token}":
            self._answer(401, {"error": "unauthorized"})
            return True
        return False

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null")

    def do_GET(self) -> None:
        if self._refused():
            return
        state = self.server.state
        url = urllib.parse.urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if url.path == "/dossiers":
            query = urllib.parse.parse_qs(url.query)
            since = query.get("since", [""])[0]
            page = int(query.get("page", ["1"])[0])
            start = dt.datetime.fromisoformat(since) if since else None
            with state.lock:
                items = sorted(
                    (
                        s
                        for s in state.submissions
                        if start is None or dt.datetime.fromisoformat(s["submitted_at"]) >= start
                    ),
                    key=lambda s: dt.datetime.fromisoformat(s["submitted_at"]),
                )
            chunk = items[(page - 1) * state.page_size : page * state.page_size]
            more = len(items) > page * state.page_size
            self._answer(200, {"items": chunk, "next_page": page + 1 if more else None})
        elif len(parts) == 3 and parts[0] == "dossiers" and parts[2] == "status":
            code = urllib.parse.unquote(parts[1])
            self._answer(200, {"statuses": state.statuses_of(code)})
        elif len(parts) == 2 and parts[0] == "files" and parts[1] in state.files:
            self._answer(200, state.files[parts[1]], "application/octet-stream")
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        if self._refused():
            return
        state = self.server.state
        parts = urllib.parse.urlsplit(self.path).path.strip("/").split("/")
        try:
            body = self._body()
        except ValueError:
            self._answer(400, {"error": "not JSON"})
            return
        if parts == ["dossiers"] and isinstance(body, dict):
            with state.lock:
                state.submissions.append(body)
            self._answer(201, {"code": body.get("code")})
        elif len(parts) == 3 and parts[0] == "dossiers" and parts[2] == "status":
            status = body.get("status") if isinstance(body, dict) else None
            if not isinstance(status, int) or not 1 <= status <= 10:
                self._answer(422, {"error": "status must be 1..10"})
                return
            with state.lock:
                state.statuses.append((urllib.parse.unquote(parts[1]), body))
            self._answer(200, {"accepted": True})
        else:
            self._answer(404, {"error": "not found"})


class FakePortalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: FakePortalState | None = None) -> None:
        super().__init__(address, _Handler)
        self.state = state or FakePortalState()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def fake_portal_start(host: str = "127.0.0.1", port: int = 0) -> FakePortalServer:
    """A fake portal serving in a background thread; ``shutdown()`` it when done."""
    server = FakePortalServer((host, port))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server
