"""The Government reporting information system (Hệ thống thông tin báo cáo Chính phủ) behind a
pluggable adapter.

``MOTCUA_GOVREPORT`` names the adapter class (``motcua.reports.govlink.HttpAdapter``; empty:
no link, nothing made or sent on schedule). The system's integration specification is not
public: ``HttpAdapter`` speaks the JSON contract written down in docs/operations.md
("Government reporting link"), as far as it is known; another contract is another class with
the same method, ``submit(payload) -> receipt id``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

# The largest answer read (a receipt).
ANSWER_LIMIT = 1024 * 1024


class GovReportError(Exception):
    """The system could not be reached or answered with an error: try again later."""


class GovReportRefused(GovReportError):
    """The system refused the report for good (a 4xx other than 408/429): sending the same
    payload again cannot help."""


class GovReportLink(Protocol):
    def submit(self, payload: dict[str, Any]) -> str: ...


def govreport_link() -> GovReportLink | None:
    """The configured adapter, or None when the province has no reporting link."""
    path = settings.MOTCUA.get("GOVREPORT", "")
    if not path:
        return None
    adapter: GovReportLink = import_string(path)()
    return adapter


def govreport_enabled() -> bool:
    return bool(settings.MOTCUA.get("GOVREPORT", ""))


def payload_encode(payload: dict[str, Any]) -> bytes:
    """The bytes sent: the frozen payload as UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


class HttpAdapter:
    """``POST {MOTCUA_GOVREPORT_URL}/reports`` with a bearer token (``MOTCUA_GOVREPORT_TOKEN``),
    standard library only. The answer is ``{"id": "<receipt>"}``; the same report and version
    sent twice is the same receipt (docs/operations.md)."""

    def __init__(
        self, base_url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        conf = settings.MOTCUA
        self.base_url = (base_url or conf.get("GOVREPORT_URL", "")).rstrip("/")
        self.token = token if token is not None else conf.get("GOVREPORT_TOKEN", "")
        self.timeout = timeout or float(conf.get("GOVREPORT_TIMEOUT", "30"))
        if not self.base_url:
            raise GovReportError("MOTCUA_GOVREPORT_URL is not set")

    def submit(self, payload: dict[str, Any]) -> str:
        request = urllib.request.Request(
            self.base_url + "/reports", data=payload_encode(payload), method="POST"
        )
        request.add_header("Content-Type", "application/json; charset=utf-8")
        request.add_header("Accept", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw: bytes = response.read(ANSWER_LIMIT + 1)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode(errors="replace")
            message = f"HTTP {exc.code} POST /reports: {detail}"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise GovReportRefused(message) from exc
            raise GovReportError(message) from exc
        except (OSError, ValueError) as exc:  # refused, timed out, DNS, TLS
            raise GovReportError(f"POST /reports: {exc}") from exc
        try:
            answer = json.loads(raw[:ANSWER_LIMIT])
            return str(answer["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise GovReportError("POST /reports: the answer has no receipt id") from exc
