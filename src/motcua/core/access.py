"""Who is signed in, as a member of staff, and where each kind of account belongs.

This module knows no domain app: which dossiers a member of staff sees and may act on is the
dossiers' rule (``dossiers.scope``), built on the profile resolved here. The staff profile is
resolved once per request (``request_memo``, opened by ``RequestMemoMiddleware``): a value
kept for the length of the request, not an attribute set on the user object.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from motcua.core.models import Role, StaffProfile

AnyUser = AbstractBaseUser | AnonymousUser

ALL_ROLES = frozenset(Role)

T = TypeVar("T")

# What a request resolved about its users, by (kind, user id); None outside a request.
_request_values: ContextVar[dict[tuple[str, int], object] | None] = ContextVar(
    "motcua_request_values", default=None
)


@contextmanager
def request_values() -> Iterator[None]:
    """Open a fresh memo for one request (``core.middleware.RequestMemoMiddleware``): what
    is resolved inside lives until the request ends and is seen by no other request."""
    token = _request_values.set({})
    try:
        yield
    finally:
        _request_values.reset(token)


def request_memo(kind: str, user_id: int, compute: Callable[[], T]) -> T:
    """``compute()``, once per request for (``kind``, ``user_id``); every time outside a
    request (services run by the worker, commands, tests call it directly).

    Why not an attribute on the user: the same user object outlives a request in tests and
    jobs, where a value set on it would be stale; and a request's services, views and
    templates ask the same question many times, which must not cost a query each."""
    values = _request_values.get()
    if values is None:
        return compute()
    key = (kind, user_id)
    if key not in values:
        values[key] = compute()
    return cast(T, values[key])


def request_memo_put(kind: str, user_id: int, value: object) -> None:
    """Settle (``kind``, ``user_id``) for the rest of the request, whatever was computed
    before: an API token narrowing its account's scope. Outside a request there is nowhere
    to keep it, and a narrowing that silently did nothing would widen access: refuse."""
    values = _request_values.get()
    if values is None:
        raise RuntimeError(f"request_memo_put({kind!r}) outside a request")
    values[(kind, user_id)] = value


def request_memo_forget(kind: str) -> None:
    """Drop every value of ``kind`` from this request's memo (the request changed it)."""
    values = _request_values.get()
    if values is not None:
        for key in [k for k in values if k[0] == kind]:
            del values[key]


_STAFF_PROFILE = "core.staff_profile"


def staff_profile(user: AnyUser | None) -> StaffProfile | None:
    """The user's staff profile (with its agency), or None for anonymous users, citizens and
    inactive accounts. Resolved once per request (``request_memo``)."""
    if user is None or not user.is_authenticated or not user.is_active or user.pk is None:
        return None
    return request_memo(
        _STAFF_PROFILE,
        user.pk,
        lambda: StaffProfile.objects.select_related("agency").filter(user_id=user.pk).first(),
    )


def remember_staff_profile(user: AbstractBaseUser) -> None:
    """Prime this request's ``staff_profile`` of ``user`` with the profile already loaded on
    it (``select_related("staff_profile__agency")``), so that it costs no query of its own;
    nothing when it was not loaded that way."""
    field = StaffProfile._meta.get_field("user").remote_field
    if user.pk is None or not field.is_cached(user):
        return
    profile = getattr(user, "staff_profile", None) if user.is_active else None
    request_memo(_STAFF_PROFILE, user.pk, lambda: profile)


def user_role(user: AnyUser | None) -> Role | None:
    profile = staff_profile(user)
    return Role(profile.role) if profile else None


def is_staff_member(user: AnyUser | None) -> bool:
    return staff_profile(user) is not None


# Where each kind of account belongs after logging in or out: staff never land in the
# citizen's pages, citizens never in the staff application or the admin.
STAFF_PREFIXES = ("/can-bo/", "/phan-anh/can-bo/", "/quan-tri/")
CITIZEN_PREFIXES = ("/ca-nhan/",)


def is_staff_side(user: AnyUser | None) -> bool:
    """Staff members and administrators (the admin's ``is_staff`` without a profile)."""
    return is_staff_member(user) or bool(getattr(user, "is_staff", False))


def staff_home(user: AnyUser | None) -> str:
    """Where a staff member lands after signing in: a counter clerk of a one-stop unit on the
    counter (their work starts there, not in the inbox), an accountant on the fees collected
    (they handle no dossier), everyone else in the inbox."""
    profile = staff_profile(user)
    if profile is not None and profile.role == Role.ACCOUNTANT:
        return "/can-bo/lanh-dao/phi-le-phi/"
    if (
        profile is not None
        and profile.role == Role.COUNTER_CLERK
        and profile.agency.is_one_stop_unit
    ):
        return "/can-bo/quay/"
    return "/can-bo/"


def landing_for(user: AnyUser | None, next_url: str, *, default: str) -> str:
    """``next_url`` if it is a page for this kind of account, else ``default``.

    ``next_url`` must already be checked as local (``url_has_allowed_host_and_scheme``)."""
    path = next_url.split("?", 1)[0]
    refused = CITIZEN_PREFIXES if is_staff_side(user) else STAFF_PREFIXES
    if not next_url or path.startswith(refused):
        return default
    return next_url


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for the audit trail and the login lockout.

    REMOTE_ADDR, unless the deployment says how many reverse proxies of its own stand in
    front (``MOTCUA["TRUSTED_PROXIES"]``, default 0): then the address the outermost of them
    saw, counted from the right of X-Forwarded-For. Entries further left are the client's
    own claims and never trusted."""
    from django.conf import settings

    address = request.META.get("REMOTE_ADDR") or ""
    proxies = int(getattr(settings, "MOTCUA", {}).get("TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def staff_required(roles: Iterable[Role] | None = None) -> Callable[[V], V]:
    """View decorator: an anonymous user goes to the login page; a logged-in user who is not
    staff, or whose role is not in ``roles``, gets 403."""
    allowed = frozenset(roles) if roles is not None else ALL_ROLES

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            profile = staff_profile(request.user)
            if profile is None or profile.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
