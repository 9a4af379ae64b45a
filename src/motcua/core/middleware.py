"""Request-wide middleware of motcua."""

from __future__ import annotations

import logging
from collections.abc import Callable

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from motcua.core.secret_urls import carries_secret, secret_response

logger = logging.getLogger(__name__)


class LanguageMiddleware:
    """Vietnamese unless the person chose another language with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a citizen whose
    phone is set to English would get a half-translated public service in English. The
    interface speaks Vietnamese by default; English is a choice, remembered in the language
    cookie that Django's ``set_language`` view writes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # For this request only: whatever the thread runs next (a job, another test) must not
        # inherit one visitor's choice.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in person.

    Staff pages and a citizen's own pages carry personal data (names, identity numbers,
    addresses; domain.md §12): neither the browser's back-forward cache on a shared counter
    computer nor a proxy may keep them. One rule for every page, rather than a decorator each
    view could forget. Placed after the authentication middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class AuditContextMiddleware:
    """Makes the request's client address known to ``core.audit.audit_log`` for the length of
    the request, so that every row written below a view (a dossier read in ``dossier_for``, a
    change in a service) records it without each caller passing it on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from motcua.core.access import client_ip
        from motcua.core.audit import request_ip

        token = request_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            request_ip.reset(token)


class RequestMemoMiddleware:
    """Opens the request's memo (``core.access.request_memo``): what a request resolves about
    its user — the staff profile, the dossier scope — is resolved once and forgotten when the
    request ends, rather than kept on the user object."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from motcua.core.access import request_values

        with request_values():
            return self.get_response(request)


class SecretURLMiddleware:
    """``Cache-Control: no-store`` and ``Referrer-Policy: strict-origin`` on every response to
    an address that carries a secret (``core.secret_urls``): the dossier lookup and rating
    links, the PAKN follow link, a counter tablet's address.

    One rule over the address rather than a header per view: it also holds for the "not
    found" and "too many" answers to such an address, and for a page added later. The rest
    of the site keeps Django's ``Referrer-Policy: same-origin``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if carries_secret(request):
            secret_response(response)
        return response


# Browser features no page of motcua uses; a script that got in anyway cannot reach them.
# (A file input's `capture` opens the phone's own camera app and needs none of them.)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every response (Django has no setting for it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY), except on a PDF.

    Chrome shows a PDF opened in the browser (the official forms, the register, a report) in
    a viewer page that takes the PDF response's policy: ``object-src 'none'`` blocks the
    viewer's plugin and ``style-src 'self'`` its own inline styles (crbug.com/271452). No
    script of ours runs in a PDF, so it loses nothing; other files (an uploaded image that
    might be an SVG) keep the policy."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if response.get("Content-Type", "").startswith("application/pdf"):
            return response
        return super().process_response(request, response)


class DatabaseUnavailableMiddleware:
    """A view that could not get the database answers 503 with ``Retry-After``.

    On SQLite a write waits for the file's lock only as long as the busy timeout
    (settings.py); a backup or a long write elsewhere then made the request fail with an
    HTML 500 ("database is locked"), which tells the client neither that nothing was saved
    nor that trying again will work. ``OperationalError`` and ``InterfaceError`` are exactly
    those "cannot use the database now" errors (a bug raises others). The JSON API has the
    same answer in its own exception handler (api.main).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        from motcua.core.errors import database_unavailable

        logger.warning(
            "database unavailable for %s %s: %s", request.method, request.path, exception
        )
        return database_unavailable(request)
