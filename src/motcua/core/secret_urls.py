"""Addresses that carry a secret: the one list of where a secret sits in a URL.

A citizen holds no account for the public pages: the receipt's QR code and the notifications
hand out links with the dossier's or the PAKN's secret in the query string
(``/tra-cuu/?ma=…&bi-mat=…``, ``/danh-gia/<code>/?bi-mat=…``,
``/phan-anh/tra-cuu/?code=…&secret=…``), and a counter tablet is opened with its device
token in the path (``/danh-gia/quay/<token>/``). Whoever holds such an address holds the
secret, so the access log (``core.server``) writes it without the secret, and the page is
sent with ``Cache-Control: no-store`` and ``Referrer-Policy: strict-origin``
(``core.middleware.SecretURLMiddleware``). Both read this module: a new secret parameter is
added here, once.

Why ``strict-origin`` and not ``no-referrer``: under ``no-referrer`` a browser sends
``Origin: null`` with every form posted from the page (Fetch, "serializing a request
origin"), and Django's CSRF check refuses it — the rating form, the PAKN forms, a tablet's
tap and the language switch would all fail. ``strict-origin`` sends the site's origin and
nothing of the address, to this site as to any other: the secret never leaves in a Referer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

# Query parameters whose value is a secret: the dossier lookup and rating links ("bi-mat")
# and the PAKN follow link ("secret").
SECRET_PARAMS: tuple[str, ...] = ("bi-mat", "secret")

# Paths with a secret segment (group 1 is kept, the segment after it is redacted): the
# counter tablet's device token.
SECRET_PATHS: tuple[re.Pattern[str], ...] = (re.compile(r"^(/danh-gia/quay/)[^/?#]+"),)

_PARAM = re.compile(
    r"([?&](?:" + "|".join(re.escape(name) for name in SECRET_PARAMS) + r")=)[^&#]*"
)

# The scheme and host of a full URL (a Referer), before its path.
_ORIGIN = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*")


def redact(uri: str) -> str:
    """``uri`` (a path with its query string, or a full URL such as a Referer) with every
    secret replaced by ``-``."""
    if "=" in uri:
        uri = _PARAM.sub(r"\1-", uri)
    origin = _ORIGIN.match(uri)
    head = origin.group(0) if origin else ""
    path = uri[len(head) :]
    for pattern in SECRET_PATHS:
        path = pattern.sub(r"\1-", path)
    return head + path


def carries_secret(request: HttpRequest) -> bool:
    """Whether the address of ``request`` holds a secret."""
    if any(name in request.GET for name in SECRET_PARAMS):
        return True
    return any(pattern.match(request.path_info) for pattern in SECRET_PATHS)


def secret_response(response: HttpResponseBase) -> HttpResponseBase:
    """Neither a cache (a shared one or the back button on a counter computer) keeps the
    page, nor does a link, a form or a loaded resource carry its address in a Referer."""
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "strict-origin"
    return response


_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def secret_page(view: _View) -> _View:
    """For a page that shows a secret without one in its address (the answer to a form that
    created or posted it): the same headers as a secret-bearing address."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        return secret_response(view(request, *args, **kwargs))

    return wrapped  # type: ignore[return-value]
