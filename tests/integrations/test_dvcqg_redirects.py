"""The national portal adapter never carries its bearer token to another host on a redirect."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from motcua.integrations.dvcqg import HttpAdapter, PortalRefused

TOKEN = "portal-secret"


class _Server:
    """A loopback server: ``routes`` maps a path to (status, headers, body); ``seen`` keeps
    each request's path and Authorization header."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.seen: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.seen.append((self.path, self.headers.get("Authorization", "")))
                status, headers, body = server.routes.get(self.path, (404, {}, b""))
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[tuple[_Server, _Server]]:
    portal, elsewhere = _Server(), _Server()
    yield portal, elsewhere
    portal.close()
    elsewhere.close()


def test_a_redirect_to_another_host_is_refused_without_sending_the_token(
    servers: tuple[_Server, _Server],
) -> None:
    portal, elsewhere = servers
    elsewhere.routes["/x.png"] = (200, {}, b"stolen")
    portal.routes["/files/a.png"] = (302, {"Location": f"{elsewhere.url}/x.png"}, b"")
    adapter = HttpAdapter(base_url=portal.url, token=TOKEN)
    with pytest.raises(PortalRefused, match="redirect outside the portal"):
        adapter.download("/files/a.png", max_bytes=1000)
    assert portal.seen == [("/files/a.png", f"Bearer {TOKEN}")]
    assert elsewhere.seen == []


def test_a_redirect_within_the_portal_is_followed(servers: tuple[_Server, _Server]) -> None:
    portal, _elsewhere = servers
    portal.routes["/files/a.png"] = (302, {"Location": "/files/b.png"}, b"")
    portal.routes["/files/b.png"] = (200, {}, b"content")
    adapter = HttpAdapter(base_url=portal.url, token=TOKEN)
    assert adapter.download("/files/a.png", max_bytes=1000) == b"content"
    assert portal.seen[-1] == ("/files/b.png", f"Bearer {TOKEN}")
