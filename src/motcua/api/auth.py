"""Who calls the API: a system with a bearer token, or a logged-in staff member's session.

- ``Authorization: Bearer <token>``: the token's staff user (``tokens.api_token_check``).
- The Django session of a logged-in staff member, so that the staff application's scripts can
  call the API; unsafe methods then need the CSRF token (``X-CSRFToken`` header), as any
  form of the site does. A bearer token is not sent by browsers on their own, so it needs
  no CSRF check.

Either way the caller must be staff (a ``StaffProfile``) or a superuser: the API is not the
citizens' portal. Anything else is 401.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from motcua.api.scopes import InsufficientScope
from motcua.api.tokens import api_token_check
from motcua.core.access import is_staff_member, remember_staff_profile
from motcua.core.audit import request_via
from motcua.dossiers.scope import staff_scope_within


def _may_use_api(user: AbstractBaseUser | AnonymousUser) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (is_staff_member(user) or bool(getattr(user, "is_superuser", False)))
    )


class TokenAuth(HttpBearer):
    """``Authorization: Bearer mc_…``: acts as the token's staff user, within the token's
    scopes and agencies.

    ``scopes``: those of which the token needs one for this operation (``api.scopes
    .require_scope``; ``api.main`` gives each operation its own ``TokenAuth``). A token with
    none of them: ``InsufficientScope`` (403). A token limited to some agencies narrows its
    account's dossier scope for the rest of the request (``staff_scope_within``)."""

    def __init__(self, scopes: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.scopes = scopes

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_check(token)
        if found is not None:
            remember_staff_profile(found.user)
        if found is None or not _may_use_api(found.user):
            return None
        if self.scopes and not set(self.scopes) & set(found.scopes or ()):
            raise InsufficientScope(self.scopes, found.prefix)
        # Everything downstream (dossier_for, the services' actor, the audit trail) reads
        # request.user; the token's name goes with it for the audit trail.
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        request_via.set(found.via)
        # ``limited``: read with the token (``api_token_check``), so an unlimited token's
        # call reads no agencies.
        agencies = list(found.agencies.all()) if getattr(found, "limited", True) else []
        # Whether creating calls must check their new object against the agencies
        # (``api.dossiers._counter_unit``); a token without any costs them nothing.
        request.api_token_limited = bool(agencies)  # type: ignore[attr-defined]
        if agencies:
            staff_scope_within(found.user, agencies)
        return found.user


class StaffSessionAuth(APIKeyCookie):
    """The session cookie of a logged-in staff member, with Django's CSRF check.

    Unlike ninja's ``SessionAuth`` the CSRF check runs only once a session user is found:
    a request with neither a session nor a token is 401, not 403."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not _may_use_api(user):
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("Thiếu hoặc sai mã CSRF (gửi kèm tiêu đề X-CSRFToken)."))
        return user


token_auth = TokenAuth()
session_auth = StaffSessionAuth()
STAFF_AUTH = [token_auth, session_auth]
