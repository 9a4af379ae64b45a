"""Every response under ``/api/`` in the API's error shape, and the body size capped.

Some errors never reach the API's views: Django's URL resolver answers an unknown address
(404), ninja answers a method an address does not take (405) with plain text, a broken
multipart body is Django's 400 page and a fault ends in Django's 500 page. This middleware,
early in the chain, turns any such response under ``/api/`` into ``{"detail", "code",
"errors"}`` (keeping the other headers: ``Allow``, ``Retry-After``, …), and refuses a body
announced larger than ``MOTCUA["API_MAX_JSON_BYTES"]`` (multipart: ``API_MAX_UPLOAD_BYTES``)
with 413 before anything reads it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from motcua.api.errors import error_body, error_code, status_detail, too_large_body

PREFIX = "/api/"


def body_limit(request: HttpRequest) -> int:
    multipart = (request.content_type or "").startswith("multipart/")
    name = "API_MAX_UPLOAD_BYTES" if multipart else "API_MAX_JSON_BYTES"
    return int(settings.MOTCUA[name])


class ApiErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        limit = body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return JsonResponse(too_large_body(limit), status=413)
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            return _as_json(request, response)
        return response


def _is_json(response: HttpResponseBase) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


def _as_json(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    status = response.status_code
    detail = status_detail(status)
    if status == 405:
        detail = detail % {"method": request.method}
    replaced = JsonResponse(
        error_body(detail, error_code(status)),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    # Every header the inner layers set (Allow, Retry-After, Cache-Control, Referrer-Policy…)
    # but those of the body replaced.
    for header, value in response.items():
        if header.lower() not in ("content-type", "content-length"):
            replaced[header] = value
    return replaced


__all__ = ["ApiErrorMiddleware"]
