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
from django.views.decorators.http import require_GET, require_POST

from motcua.core.access import client_ip, is_staff_side, landing_for
from motcua.core.accounts import (
    LoginLock,
    login_failure_record,
    login_lock,
    login_record_success,
)
from motcua.core.audit import audit_log
from motcua.core.heartbeat import heartbeat_read
from motcua.core.models import LoginScope


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
