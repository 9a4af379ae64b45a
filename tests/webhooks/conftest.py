"""A real webhook receiver on loopback, the world, and a frozen clock."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tests.world import MONDAY, World, local, world  # noqa: F401

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def docs_verify() -> Callable[..., bool]:
    """The verification snippet of docs/api.md ("Webhooks"), run as a receiver would."""
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("## Webhooks") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    # Our own documentation's code, run as the receiver would run it.
    exec(code.group(1), namespace)
    return namespace["verify"]


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that answers ``status`` and keeps what it was sent."""

    port: int
    status: int = 204
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/motcua"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.received.append(Received(dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


def free_port() -> int:
    """A loopback port nothing listens on (a receiver that is down: connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def private_receivers(settings: Any) -> None:
    """The receivers here listen on loopback, which production refuses (webhooks.addresses);
    tests of that refusal switch it back off."""
    settings.MOTCUA = {**settings.MOTCUA, "WEBHOOK_ALLOW_PRIVATE": True}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(port=0)
    r.start()
    yield r
    r.stop()


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(local(MONDAY, 9), tick=False) as traveller:
        yield traveller
