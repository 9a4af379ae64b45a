"""What a partner's token may call (its scopes), and how often anyone may call (429).

Each operation names the scopes that let a token call it, in its route definition::

    @router.post("/tracking", response=...)
    @require_scope("postal")
    def tracking(request, payload): ...

``api.main`` reads the mark when the API is built: the operation's token check then refuses a
token without one of those scopes (403 ``insufficient_scope``, ``api.auth.TokenAuth``), and
its OpenAPI entry lists the scopes and the 403. An operation that needs authentication and
names no scope stops the API from being built: none can be forgotten. A staff member's
browser session is not limited by scopes (its account's role and agency decide, as on the
staff pages).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from motcua.api.models import Scope
from motcua.core.access import client_ip
from motcua.core.ratelimit import rate_limit_hit

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "_motcua_scopes"


def require_scope(*scopes: Scope | str) -> Callable[[F], F]:
    """Mark a view: a token needs at least one of ``scopes`` to call it."""
    names = tuple(Scope(s).value for s in scopes)
    if not names:
        raise ValueError("require_scope needs at least one scope")

    def mark(view: F) -> F:
        setattr(view, _MARK, names)
        return view

    return mark


def required_scopes(view: Callable[..., Any]) -> tuple[str, ...] | None:
    """The scopes ``view`` was marked with (``require_scope``), or None."""
    marked: tuple[str, ...] | None = getattr(view, _MARK, None)
    return marked


class InsufficientScope(Exception):
    """A valid token without any of the operation's scopes: 403 ``insufficient_scope``."""

    def __init__(self, required: tuple[str, ...], prefix: str) -> None:
        self.required = required
        self.prefix = prefix
        super().__init__(f"token {prefix} lacks scope {' or '.join(required)}")


# --- the rate limit -------------------------------------------------------------------------

WINDOW = 60
# Seconds until the current window ends, for the 429's Retry-After; a context variable, not
# an attribute of the throttle: one throttle object serves every thread.
_retry_after: ContextVar[int] = ContextVar("motcua_api_retry_after", default=WINDOW)


def rate_per_minute(*, anonymous: bool) -> int:
    """``MOTCUA_API_RATE_PER_MINUTE`` (per token or staff account) or
    ``MOTCUA_API_ANON_RATE_PER_MINUTE`` (per client address); 0: no limit."""
    name = "API_ANON_RATE_PER_MINUTE" if anonymous else "API_RATE_PER_MINUTE"
    return int(settings.MOTCUA[name])


class ApiRateThrottle(BaseThrottle):
    """A fixed window of one minute (``core.ratelimit``): per token, per staff account in the
    browser, per client address for calls without credentials (the public catalogue). Runs
    after authentication (ninja's throttles do), so a token's calls count against the token
    whatever address they come from."""

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "api_token", None)
        auth = getattr(request, "auth", None)
        if token is not None:
            key, anonymous = f"t{token.pk}", False
        elif auth is not None and getattr(auth, "pk", None) is not None:
            key, anonymous = f"u{auth.pk}", False
        else:
            key, anonymous = f"ip{client_ip(request) or '-'}", True
        limit = rate_per_minute(anonymous=anonymous)
        if limit <= 0:
            return True
        if not rate_limit_hit(scope="api", key=key, limit=limit, window=WINDOW):
            return True
        _retry_after.set(max(1, WINDOW - int(time.time()) % WINDOW))
        return False

    def wait(self) -> float | None:
        return float(_retry_after.get())
