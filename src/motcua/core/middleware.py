"""Request-wide middleware of motcua."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.backends.base import SessionBase
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

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


HttpResponseT = TypeVar("HttpResponseT", bound=HttpResponseBase)

_KEEP_CACHE_CONTROL = "_motcua_keep_cache_control"


def keep_cache_control(response: HttpResponseT) -> HttpResponseT:
    """Mark a response whose ``Cache-Control`` its view chose (a chart of figures, no personal
    data): ``NoStoreForSignedInMiddleware`` leaves it as it is."""
    setattr(response, _KEEP_CACHE_CONTROL, True)
    return response


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in person.

    Staff pages and a citizen's own pages carry personal data (names, identity numbers,
    addresses; domain.md §12): neither the browser's back-forward cache on a shared counter
    computer nor a proxy may keep them. One rule for every page, rather than a decorator each
    view could forget; a view that sends no personal data may lift it for its answer, by
    name (``keep_cache_control``: the dashboard's chart images). Placed after the
    authentication middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not getattr(response, _KEEP_CACHE_CONTROL, False)
        ):
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
        from motcua.core.audit import request_ip, request_via

        token = request_ip.set(client_ip(request))
        via_token = request_via.set("")
        try:
            return self.get_response(request)
        finally:
            request_via.reset(via_token)
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


# Keys of the staff session's own bookkeeping (epoch seconds; JSON-serialisable).
SIGNED_IN_AT = "_motcua_signed_in_at"
SEEN_AT = "_motcua_seen_at"
EXPIRED_USER = "_motcua_expired_user"
RESUME = "_motcua_resume"
# Pages whose GET reads the session's state without being activity: the warning asks how
# long is left before it shows (another tab may have been used meanwhile).
PASSIVE_PATHS = frozenset({"/phien/"})
# Forms of these applications are kept when sent after the session ended (the admin has its
# own login and forms of its own).
RESUMABLE_PREFIXES = ("/can-bo/", "/phan-anh/can-bo/")
# A kept form is offered again only this long after it was sent, and only once.
RESUME_TTL_SECONDS = 30 * 60
# Fields never kept: the CSRF token (a fresh one comes with the page) and anything secret.
_SECRET_FIELD = re.compile(r"csrfmiddlewaretoken|pass|otp|token|secret|bi-mat", re.IGNORECASE)
# A form larger than this (pasted documents) is not kept in the session.
RESUME_MAX_CHARS = 64_000
# Activity is written to the session at most this often: not one write per request.
SEEN_WRITE_EVERY_SECONDS = 30


@dataclass(frozen=True)
class StaffSession:
    """What the page tells the warning script: when the session ends if nothing happens."""

    expires_at: float
    idle_seconds: int
    capped: bool  # the end is the day's cap, which activity does not move

    @property
    def expires_in(self) -> int:
        return max(0, int(self.expires_at - time.time()))

    @property
    def warn_before(self) -> int:
        """The warning shows this many seconds before the end: three minutes, or a third
        of a short idle timeout."""
        return min(180, self.idle_seconds // 3)


def staff_session_limits() -> tuple[int, int]:
    """(idle timeout, absolute cap) in seconds, from the settings."""
    return (
        int(settings.STAFF_SESSION_IDLE_MINUTES) * 60,
        int(settings.STAFF_SESSION_MAX_HOURS) * 3600,
    )


def staff_session_state(request: HttpRequest) -> StaffSession:
    """The signed-in staff member's session as it stands (after this request's activity)."""
    idle, cap = staff_session_limits()
    signed_in = float(request.session[SIGNED_IN_AT])
    seen = float(request.session[SEEN_AT])
    idle_end, cap_end = seen + idle, signed_in + cap
    return StaffSession(min(idle_end, cap_end), idle, capped=cap_end <= idle_end)


def _session_start(session: SessionBase, now: float) -> None:
    session[SIGNED_IN_AT] = session[SEEN_AT] = now
    session.pop(EXPIRED_USER, None)
    # The cookie and the stored session outlive the cap a little, so that a form sent just
    # after the end still finds whose it was. Set once: the session is not rewritten on every
    # request.
    _idle, cap = staff_session_limits()
    session.set_expiry(dt.datetime.fromtimestamp(now + cap + RESUME_TTL_SECONDS, tz=dt.UTC))


def staff_session_start(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: a staff member's day starts when they sign in, also when
    they sign in again while still signed in (Django keeps the session then)."""
    from motcua.core.access import is_staff_side

    if request is not None and hasattr(request, "session") and is_staff_side(user):
        _session_start(request.session, time.time())


def _draft_fields(request: HttpRequest) -> dict[str, list[str]] | None:
    fields = {
        name: request.POST.getlist(name) for name in request.POST if not _SECRET_FIELD.search(name)
    }
    if sum(len(v) for values in fields.values() for v in values) > RESUME_MAX_CHARS:
        return None
    return fields


def _same_site_page(request: HttpRequest) -> str:
    """The page the form was on (the Referer, if it is one of ours), else the form's own
    address: an action form posts to ``…/chuyen/`` but lives on the dossier's page."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path.startswith(RESUMABLE_PREFIXES):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.get_full_path()


class StaffSessionMiddleware:
    """A sliding session for staff, capped per working day, and forms kept across its end.

    Staff sessions end after ``STAFF_SESSION_IDLE_MINUTES`` without a request, and in any
    case ``STAFF_SESSION_MAX_HOURS`` after signing in (a shared counter computer left signed
    in overnight must not stay open). Every request renews the idle timeout; the warning
    script (``core/static/motcua/session.js``) reads when the session ends from the page and
    offers to renew it.

    A form sent after the end is not lost: its fields (never passwords, tokens or files) are
    kept server-side in the new, anonymous session — not in a cookie: they are an applicant's
    personal data (domain.md §12) — together with who was signed in. The clerk is sent to the
    login page; after signing in *as the same person* within ``RESUME_TTL_SECONDS`` the page
    the form was on gets the fields back once (``request.resume_draft``, filled in by the
    script) for the clerk to check and send. It is never submitted on their behalf: the
    dossier may have changed meanwhile, and a receipt is a legal act of the clerk.

    Placed after the authentication and CSRF middleware: a form whose CSRF check fails is not
    kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from motcua.core.access import is_staff_side

        request.staff_session = None  # type: ignore[attr-defined]
        request.resume_draft = None  # type: ignore[attr-defined]
        request.session_just_ended = False  # type: ignore[attr-defined]
        if is_staff_side(request.user):
            self._slide(request)
        if request.user.is_authenticated and RESUME in request.session:
            self._offer_draft(request)
        return self.get_response(request)

    def _slide(self, request: HttpRequest) -> None:
        session = request.session
        now = time.time()
        idle, cap = staff_session_limits()
        if SIGNED_IN_AT not in session:  # signed in before this middleware was deployed
            _session_start(session, now)
        signed_in, seen = float(session[SIGNED_IN_AT]), float(session.get(SEEN_AT, now))
        # The idle time is measured from the last *written* activity, so a session may end
        # up to SEEN_WRITE_EVERY_SECONDS early; nobody notices half a minute in thirty.
        if now - seen > idle or now - signed_in > cap:
            from motcua.core.access import client_ip
            from motcua.core.audit import audit_log

            user_pk = request.user.pk
            audit_log(
                actor=request.user,
                action="session.expired",
                object_type="user",
                object_id=str(user_pk),
                data={"reason": "cap" if now - signed_in > cap else "idle"},
                ip=client_ip(request),
            )
            logout(request)  # a new, empty session; request.user is anonymous from here on
            request.session[EXPIRED_USER] = user_pk
            request.session_just_ended = True  # type: ignore[attr-defined]
            return
        passive = request.method == "GET" and request.path in PASSIVE_PATHS
        if not passive and now - seen >= SEEN_WRITE_EVERY_SECONDS:
            session[SEEN_AT] = now
        request.staff_session = staff_session_state(request)  # type: ignore[attr-defined]

    def _offer_draft(self, request: HttpRequest) -> None:
        draft = request.session[RESUME]
        fresh = time.time() - float(draft["at"]) <= RESUME_TTL_SECONDS
        if not fresh or draft["user"] != request.user.pk:
            del request.session[RESUME]  # another person signed in here: not theirs to see
        elif request.method == "GET" and request.get_full_path() == draft["page"]:
            del request.session[RESUME]
            request.resume_draft = {"action": draft["action"], "fields": draft["fields"]}  # type: ignore[attr-defined]

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if request.user.is_authenticated or not request.path.startswith(RESUMABLE_PREFIXES):
            return None
        user_pk = request.session.get(EXPIRED_USER)
        if user_pk is None:
            return None  # no staff session ended in this browser: the view's own login redirect
        if request.session_just_ended:  # type: ignore[attr-defined]
            messages.warning(
                request,
                _(
                    "Phiên làm việc đã kết thúc (không thao tác trong %(minutes)s phút hoặc "
                    "hết thời gian làm việc trong ngày). Vui lòng đăng nhập lại."
                )
                % {"minutes": settings.STAFF_SESSION_IDLE_MINUTES},
            )
        if request.method != "POST":
            return None
        fields = _draft_fields(request)
        page = _same_site_page(request)
        if fields is not None:
            request.session[RESUME] = {
                "user": user_pk,
                "at": time.time(),
                "page": page,
                "action": request.path,
                "fields": fields,
            }
            messages.info(
                request,
                _(
                    "Dữ liệu bạn vừa nhập đã được giữ lại. Sau khi đăng nhập, biểu mẫu sẽ hiện "
                    "lại với dữ liệu đó để bạn kiểm tra và gửi lại."
                ),
            )
        login = redirect_to_login(page)
        if request.headers.get("HX-Request"):
            # An HTMX request would swap the login page into a fragment: send the browser there.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = login["Location"]
            return response
        return login
