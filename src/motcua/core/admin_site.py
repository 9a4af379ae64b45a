"""The admin site: no login of its own, and open only to a session verified with a second
factor.

The admin's login form would be a second door with no attempt limit; instead its login
redirects to the staff login (``core.views.login_view``), which has the limits of
``core.accounts`` and asks for the second factor (``core.twofactor``). Installed as the
default site by ``core.apps.MotcuaAdminConfig``, so every ``admin.site.register`` in the
project lands here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin import AdminSite
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from motcua.core.twofactor import otp_verified


class MotcuaAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and otp_verified(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        return HttpResponseRedirect(f"{settings.LOGIN_URL}?{urlencode({'next': next_url})}")
