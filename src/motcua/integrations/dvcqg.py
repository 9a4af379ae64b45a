"""The national public service portal (Cổng DVCQG) behind a pluggable adapter.

``MOTCUA_NATIONAL_PORTAL`` names the adapter class (``motcua.integrations.dvcqg.HttpAdapter``;
empty: no national portal, nothing pulled or queued). The real portal's integration
specification is not public: ``HttpAdapter`` speaks the JSON contract written down in
docs/api.md ("National portal"), as far as it is known; another contract is another class
with the same two methods.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class PortalError(Exception):
    """The portal could not be reached or answered with an error: try again later."""


class PortalRefused(PortalError):
    """The portal refused the request for good (a 4xx other than 408/429): retrying the
    same request cannot help."""


@dataclass(frozen=True)
class RemotePart:
    name: str = ""
    position: int | None = None  # the procedure's part number, when the portal gives it
    url: str = ""


@dataclass(frozen=True)
class RemoteSubmission:
    """An online dossier as the portal gives it."""

    code: str
    submitted_at: dt.datetime
    procedure: str
    applicant: dict[str, str]
    agency: str = ""
    parts: tuple[RemotePart, ...] = ()


@dataclass(frozen=True)
class RemotePage:
    items: list[dict[str, Any]]  # raw: each is parsed alone (``submission_parse``)
    next_page: int | None


@dataclass(frozen=True)
class StatusUpdate:
    """One status of one dossier, as pushed."""

    code: str  # the portal's code (a dossier that came from it), else motcua's own
    local_code: str
    status: int
    status_name: str
    at: dt.datetime
    event: str
    sequence: int  # the dossier event's id: increases with time for one dossier
    extra: dict[str, Any] = field(default_factory=dict)


class NationalPortal(Protocol):
    def submissions(self, *, since: dt.datetime | None, page: int) -> RemotePage: ...

    def status_send(self, update: StatusUpdate) -> None: ...

    def download(self, url: str, *, max_bytes: int) -> bytes: ...


def national_portal() -> NationalPortal | None:
    """The configured adapter, or None when the province has no national portal link."""
    path = settings.MOTCUA.get("NATIONAL_PORTAL", "")
    if not path:
        return None
    adapter: NationalPortal = import_string(path)()
    return adapter


def parse_time(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"time without offset: {value}")
    return parsed


def submission_parse(item: dict[str, Any]) -> RemoteSubmission:
    """One item of a page, or ``ValueError``/``KeyError``/``TypeError`` if malformed."""
    parts = tuple(
        RemotePart(
            name=str(p.get("name", "")),
            position=int(p["part"]) if p.get("part") is not None else None,
            url=str(p.get("url", "")),
        )
        for p in item.get("parts", [])
    )
    applicant = {str(k): str(v) for k, v in dict(item["applicant"]).items() if v is not None}
    return RemoteSubmission(
        code=str(item["code"]).strip(),
        submitted_at=parse_time(str(item["submitted_at"])),
        procedure=str(item["procedure"]).strip(),
        agency=str(item.get("agency") or "").strip(),
        applicant=applicant,
        parts=parts,
    )


# The largest JSON answer read (a page of submissions).
JSON_LIMIT = 20 * 1024 * 1024


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only within the portal's own address: urllib would send the
    bearer token along to wherever a redirect points (another host, an internal address)."""

    def __init__(self, origin: tuple[str, str]) -> None:
        super().__init__()
        self.origin = origin

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        split = urllib.parse.urlsplit(newurl)
        if (split.scheme, split.netloc) != self.origin:
            raise PortalRefused(f"HTTP {code}: redirect outside the portal ({newurl})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class HttpAdapter:
    """The portal over HTTPS with a bearer token (``MOTCUA_NATIONAL_PORTAL_URL``,
    ``MOTCUA_NATIONAL_PORTAL_TOKEN``), standard library only."""

    def __init__(
        self, base_url: str | None = None, token: str | None = None, timeout: float | None = None
    ) -> None:
        conf = settings.MOTCUA
        self.base_url = (base_url or conf.get("NATIONAL_PORTAL_URL", "")).rstrip("/")
        self.token = token if token is not None else conf.get("NATIONAL_PORTAL_TOKEN", "")
        self.timeout = timeout or float(conf.get("NATIONAL_PORTAL_TIMEOUT", "10"))
        if not self.base_url:
            raise PortalError("MOTCUA_NATIONAL_PORTAL_URL is not set")
        base = urllib.parse.urlsplit(self.base_url)
        self._opener = urllib.request.build_opener(_SameOriginRedirects((base.scheme, base.netloc)))

    def _open(self, request: urllib.request.Request, method: str, path: str, limit: int) -> bytes:
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                raw: bytes = response.read(limit + 1)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode(errors="replace")
            message = f"HTTP {exc.code} {method} {path}: {detail}"
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                raise PortalRefused(message) from exc
            raise PortalError(message) from exc
        except (OSError, ValueError) as exc:  # refused, timed out, DNS, TLS
            raise PortalError(f"{method} {path}: {exc}") from exc
        if len(raw) > limit:
            raise PortalRefused(f"{method} {path}: the answer is larger than {limit} bytes")
        return raw

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        raw = self._open(request, method, path, JSON_LIMIT)
        try:
            return json.loads(raw) if raw else None
        except ValueError as exc:
            raise PortalError(f"{method} {path}: the answer is not JSON") from exc

    def submissions(self, *, since: dt.datetime | None, page: int) -> RemotePage:
        query = {"page": str(page)}
        if since is not None:
            query["since"] = since.isoformat()
        answer = self._request("GET", "/dossiers?" + urllib.parse.urlencode(query))
        if not isinstance(answer, dict) or not isinstance(answer.get("items"), list):
            raise PortalError("GET /dossiers: no list of items in the answer")
        next_page = answer.get("next_page")
        return RemotePage(
            items=answer["items"],
            next_page=int(next_page) if next_page is not None else None,
        )

    def status_send(self, update: StatusUpdate) -> None:
        self._request(
            "POST",
            f"/dossiers/{urllib.parse.quote(update.code, safe='')}/status",
            {
                "status": update.status,
                "status_name": update.status_name,
                "at": update.at.isoformat(),
                "local_code": update.local_code,
                "event": update.event,
                "sequence": update.sequence,
                **update.extra,
            },
        )

    def download(self, url: str, *, max_bytes: int) -> bytes:
        """A part's file. Only from the portal's own address (the bearer token goes with
        the request, and a link elsewhere is not the portal's to give)."""
        target = urllib.parse.urljoin(self.base_url + "/", url)
        base = urllib.parse.urlsplit(self.base_url)
        split = urllib.parse.urlsplit(target)
        if (split.scheme, split.netloc) != (base.scheme, base.netloc):
            raise PortalRefused(f"file outside the portal: {url}")
        return self._open(urllib.request.Request(target), "GET", split.path, max_bytes)
