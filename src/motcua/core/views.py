"""Health check and the login and logout pages (shared by the staff application and the
portal)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.access import client_ip, is_staff_side, landing_for
from motcua.core.accounts import (
    LoginLock,
    login_failure_record,
    login_lock,
    login_record_success,
)
from motcua.core.audit import audit_log
from motcua.core.models import LoginScope


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and `make demo`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
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
            login(request, user)
            login_record_success(username=username, ip=ip)
            audit_log(actor=user, action="login", object_type="user", object_id=user.pk, ip=ip)
            default = "/can-bo/" if is_staff_side(user) else "/"
            return HttpResponseRedirect(landing_for(user, next_url, default=default))
        else:
            lock = login_failure_record(username=username, ip=ip)
            if lock is not None:
                lock_error, status = _lock_message(lock), 429
    return render(
        request,
        "core/login.html",
        {"form": form, "next": next_url, "lock_error": lock_error, "title": _("Đăng nhập")},
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
