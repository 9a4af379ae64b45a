"""Health check, the staff and administrators' login (password, then the second factor)
and logout, and the enrolment of an authenticator app."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login

from motcua.core.access import (
    client_ip,
    is_staff_member,
    is_staff_side,
    landing_for,
    staff_home,
)
from motcua.core.accounts import (
    LoginLock,
    login_failure_record,
    login_lock,
    login_record_success,
)
from motcua.core.audit import audit_log
from motcua.core.heartbeat import heartbeat_read
from motcua.core.models import LoginScope
from motcua.core.oidc import (
    STAFF,
    OidcError,
    oidc_begin,
    oidc_enabled,
    oidc_finish,
    staff_sso_account,
)
from motcua.core.twofactor import (
    otp_device_for,
    otp_enrol_confirm,
    otp_enrol_pending,
    otp_enrol_start,
    otp_qr_svg,
    otp_required,
    otp_secret_text,
    otp_verified,
)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and `make demo`, and the background
    worker's last beat for monitoring.

    The status code is about this web server only (200, or 503 from
    DatabaseUnavailableMiddleware when the database cannot be reached): a load balancer
    must not take the web servers out of rotation because the worker is late. The worker is
    reported in the ``worker`` field — ``ok``, ``stale`` (no beat for three of its periods and
    at least a minute: it died, hangs, or cannot reach the database) or ``none`` (never beat
    here) — with its last beat's time, age and process; a monitor alerts on ``stale``.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = heartbeat_read("worker")
    worker: dict[str, object] = {"status": "none"}
    if beat is not None:
        worker = {
            "status": "stale" if beat.stale() else "ok",
            "last_beat": beat.at.isoformat(),
            "age_seconds": round(beat.age(), 1),
            "pid": beat.pid,
        }
    return JsonResponse({"status": "ok", "worker": worker})


def _lock_message(lock: LoginLock) -> str:
    local = timezone.localtime(lock.until)
    time = f"{local:%H:%M}"
    if local.date() != timezone.localdate():
        time += f" {local.day}/{local.month}/{local.year}"
    if lock.scope == LoginScope.ADDRESS:
        message = _(
            "Có quá nhiều lần đăng nhập sai từ địa chỉ mạng này. Tạm ngừng đăng nhập từ địa "
            "chỉ này đến %(time)s; vui lòng thử lại sau hoặc liên hệ quản trị hệ thống."
        )
    elif lock.scope == LoginScope.ACCOUNT:
        message = _(
            "Tài khoản này bị đăng nhập sai nhiều lần từ nhiều nơi nên tạm khóa đến %(time)s "
            "(trừ trên các máy đã từng đăng nhập thành công). Vui lòng thử lại sau hoặc liên "
            "hệ quản trị hệ thống để mở khóa."
        )
    else:
        message = _(
            "Đăng nhập sai quá nhiều lần. Tài khoản tạm khóa trên máy này đến %(time)s; "
            "vui lòng thử lại sau."
        )
    return message % {"time": time}


# The session key that holds a login waiting for its second factor: who, with which
# backend, where to, and since when (the password was right; the code is still due).
PENDING = "motcua_login_pending"
PENDING_FOR = 300  # seconds to type the code


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return next_url


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _signed_in(
    request: HttpRequest, user: Any, ip: str, next_url: str, *, verified: bool
) -> HttpResponse:
    """The end of a successful login (after the second factor when there is one)."""
    login_record_success(username=user.get_username(), ip=ip)
    audit_log(actor=user, action="login", object_type="user", object_id=user.pk, ip=ip)
    if otp_required(user) and not verified:
        # A superuser without a device signs in only to enrol one.
        return HttpResponseRedirect(_with_next(reverse("otp_setup"), next_url))
    default = staff_home(user) if is_staff_side(user) else "/"
    return HttpResponseRedirect(landing_for(user, next_url, default=default))


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    """The one login of staff and administrators (the admin's login redirects here): the
    attempt limits of ``core.accounts``, then the second factor when the account has one."""
    next_url = _safe_next(request)
    user = request.user
    # An admin account sent here by the admin (which needs a verified session): enrol.
    if (
        request.method != "POST"
        and user.is_authenticated
        and user.is_staff
        and not otp_verified(user)
        and otp_device_for(user) is None
    ):
        return HttpResponseRedirect(_with_next(reverse("otp_setup"), next_url))
    form = AuthenticationForm(request, data=request.POST if request.method == "POST" else None)
    status = 200
    lock_error = ""
    if request.method == "POST":
        username = request.POST.get("username", "")
        ip = client_ip(request) or "unknown"
        lock = login_lock(username=username, ip=ip)
        if lock is not None:
            # While locked the password is not even checked: guessing gains nothing.
            lock_error, status = _lock_message(lock), 429
        elif form.is_valid():
            user = form.get_user()
            if otp_device_for(user) is not None:
                # Not signed in yet: the session only remembers whose code is due.
                request.session[PENDING] = {
                    "user": user.pk,
                    "backend": user.backend,
                    "next": next_url,
                    "at": int(time.time()),
                }
                return HttpResponseRedirect(reverse("login_code"))
            login(request, user)
            return _signed_in(request, user, ip, next_url, verified=False)
        else:
            lock = login_failure_record(username=username, ip=ip)
            if lock is not None:
                lock_error, status = _lock_message(lock), 429
    return render(
        request,
        "core/login.html",
        {
            "form": form,
            "next": next_url,
            "lock_error": lock_error,
            "title": _("Đăng nhập"),
            "sso": oidc_enabled(STAFF),
        },
        status=status,
    )


# --- staff single sign-on (OpenID Connect, core.oidc) ----------------------------------------
# The provider stands in for the password only: an account with a TOTP device still types its
# code (login_code), and a superuser without one still enrols first (_signed_in). The second
# factor stays ours, whatever the provider did, as the admin's rule is ours.

SSO_NEXT = "motcua_sso_next"


def _sso_refused(
    request: HttpRequest, error: str, *, claim: str = "", reason: str = "", subject: str = ""
) -> HttpResponse:
    data = {"provider": "staff_sso"}
    if reason:
        data.update(reason=reason, subject=subject[:255])
    audit_log(
        actor="anonymous",
        action="login.oidc_refused",
        object_type="user",
        object_id=claim[:100],
        ip=client_ip(request) or None,
        data=data,
    )
    return render(
        request,
        "core/login.html",
        {
            "form": AuthenticationForm(request),
            "next": "",
            "lock_error": error,
            "title": _("Đăng nhập"),
            "sso": oidc_enabled(STAFF),
        },
        status=400,
    )


@never_cache
@require_GET
def sso_start(request: HttpRequest) -> HttpResponse:
    if not oidc_enabled(STAFF):
        raise Http404
    request.session[SSO_NEXT] = _safe_next(request)
    try:
        return oidc_begin(
            request, STAFF, redirect_uri=request.build_absolute_uri(reverse("sso_callback"))
        )
    except OidcError:
        return _sso_refused(request, _("Không kết nối được với hệ thống đăng nhập một lần."))


@never_cache
@require_GET
def sso_callback(request: HttpRequest) -> HttpResponse:
    """Back from the staff provider: an existing staff account only (never created here),
    then the same second-factor rules as the password login."""
    if not oidc_enabled(STAFF):
        raise Http404
    next_url = str(request.session.pop(SSO_NEXT, "") or "")
    try:
        claims = oidc_finish(request, STAFF)
    except OidcError:
        return _sso_refused(request, _("Đăng nhập một lần không thành công. Vui lòng thử lại."))
    match = staff_sso_account(claims)
    user = match.user
    if user is None:
        return _sso_refused(
            request,
            _("Không có tài khoản cán bộ nào ứng với tài khoản đăng nhập một lần này."),
            claim=claims.username or claims.email,
            reason=match.reason,
            subject=claims.subject,
        )
    backend = "django.contrib.auth.backends.ModelBackend"
    if otp_device_for(user) is not None:
        request.session[PENDING] = {
            "user": user.pk,
            "backend": backend,
            "next": next_url,
            "at": int(time.time()),
        }
        return HttpResponseRedirect(reverse("login_code"))
    login(request, user, backend=backend)
    return _signed_in(request, user, client_ip(request) or "unknown", next_url, verified=False)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of a login: the code from the authenticator app. A wrong code counts
    as a failed login (the same limits as passwords)."""
    pending: dict[str, Any] = request.session.get(PENDING) or {}
    user = None
    if pending and time.time() - int(pending.get("at", 0)) <= PENDING_FOR:
        user = User.objects.filter(pk=int(pending["user"]), is_active=True).first()
    device = otp_device_for(user) if user is not None else None
    if user is None or device is None:
        request.session.pop(PENDING, None)
        return HttpResponseRedirect(settings.LOGIN_URL)
    status = 200
    error = ""
    if request.method == "POST":
        ip = client_ip(request) or "unknown"
        username = user.get_username()
        lock = login_lock(username=username, ip=ip)
        if lock is None and device.verify_token(request.POST.get("code", "").strip()):
            del request.session[PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return _signed_in(request, user, ip, pending.get("next", ""), verified=True)
        if lock is None:
            lock = login_failure_record(username=username, ip=ip)
        if lock is not None:
            error, status = _lock_message(lock), 429
        else:
            error = _(
                "Mã xác thực không đúng hoặc đã hết hạn. Vui lòng nhập mã mới trong ứng dụng."
            )
    return render(
        request,
        "core/login_code.html",
        {"error": error, "title": _("Mã xác thực")},
        status=status,
    )


ENROLLING = "motcua_otp_enrolling"


@login_required
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: a new secret (QR code and text, shown once), confirmed
    with a code. Staff and administrators only; required for superusers."""
    if not isinstance(request.user, User) or not is_staff_side(request.user):
        raise Http404
    user: User = request.user
    next_url = _safe_next(request)
    confirmed = otp_device_for(user)
    if confirmed is not None and otp_verified(user):
        return render(
            request,
            "core/otp_setup.html",
            {"enrolled": True, "title": _("Xác thực hai bước")},
        )
    if confirmed is not None:
        # Signed in without the code (a device added meanwhile): sign in again with it.
        logout(request)
        return HttpResponseRedirect(_with_next(settings.LOGIN_URL, next_url))
    error = ""
    status = 200
    device = None
    if request.method == "POST":
        device = otp_enrol_pending(user, request.session.get(ENROLLING))
        ip = client_ip(request) or "unknown"
        lock = login_lock(username=user.get_username(), ip=ip)
        if device is None:
            error = _("Mã bí mật đã hết hạn; hãy quét mã mới dưới đây.")
        elif lock is not None:
            error, status = _lock_message(lock), 429
        elif otp_enrol_confirm(user=user, device=device, token=request.POST.get("code", "")):
            request.session.pop(ENROLLING, None)
            otp_login(request, device)
            messages.success(request, _("Đã bật xác thực hai bước cho tài khoản."))
            default = staff_home(user) if is_staff_member(user) else reverse("admin:index")
            return HttpResponseRedirect(landing_for(user, next_url, default=default))
        else:
            lock = login_failure_record(username=user.get_username(), ip=ip)
            if lock is not None:
                error, status = _lock_message(lock), 429
            else:
                error = _("Mã xác thực không đúng. Hãy nhập mã đang hiện trong ứng dụng.")
    if device is None:
        device = otp_enrol_start(user)
        request.session[ENROLLING] = device.pk
    title = _("Xác thực hai bước")
    return render(
        request,
        "core/otp_setup.html",
        {
            "enrolled": False,
            "required": otp_required(user),
            "qr": otp_qr_svg(device, title=_("Mã QR để thêm tài khoản vào ứng dụng xác thực")),
            "secret": otp_secret_text(device),
            "error": error,
            "next": next_url,
            "title": title,
        },
        status=status,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Staff go back to the staff login, everyone else to the portal's home page (a citizen
    has no business on the staff login)."""
    staff = is_staff_side(request.user)
    if request.user.is_authenticated:
        audit_log(
            actor=request.user,
            action="logout",
            object_type="user",
            object_id=request.user.pk,
            ip=client_ip(request),
        )
    logout(request)
    return HttpResponseRedirect(settings.LOGIN_URL if staff else "/")


@require_http_methods(["GET", "POST"])
def staff_session(request: HttpRequest) -> JsonResponse:
    """How many seconds the staff session has left, for the warning script.

    GET only reads (the middleware does not count it as activity: another tab may have
    renewed the session meanwhile); POST is the "stay signed in" button and renews it like
    any other request. CSRF applies to the POST as to any form. An ended session answers
    401 with ``expires_in`` 0."""
    state = getattr(request, "staff_session", None)
    if state is None:
        return JsonResponse({"expires_in": 0}, status=401)
    return JsonResponse({"expires_in": state.expires_in, "capped": state.capped})
