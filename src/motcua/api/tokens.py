"""Issuing, revoking and checking API tokens (the one write path for ``ApiToken``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, prefetch_related_objects
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.api.models import DEFAULT_SCOPES, ApiToken, Scope, token_days_default
from motcua.core.audit import Actor, audit_log
from motcua.core.config_cache import ACCESS, CONFIG, config_cached

TOKEN_PREFIX = "mc_"
PREFIX_LENGTH = len(TOKEN_PREFIX) + 8
# Writing ``last_used_at`` on every call of a busy partner would turn reads into writes;
# once a minute is precise enough to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenExpired(Exception):
    """A token that would be valid but for its age: answered 401 saying so, so that the
    partner knows to ask for a new one rather than to check its configuration."""

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        super().__init__(f"token {token.prefix} expired at {token.expires_at:%Y-%m-%d %H:%M}")


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_create(
    *,
    user: User,
    name: str,
    actor: Actor,
    days: int | None = None,
    expires_at: dt.datetime | None = None,
    scopes: Iterable[str] | None = None,
    agencies: Sequence[Agency] = (),
) -> tuple[ApiToken, str]:
    """A new token for ``user``, valid ``days`` days (``MOTCUA["API_TOKEN_DAYS"]`` by default)
    or until ``expires_at``; returns the row and the token itself, which is shown once and
    never stored. ``scopes``: what it may call (``Scope`` values; default ``DEFAULT_SCOPES``:
    read, intake, process); ``agencies``: the agencies (with their subtrees)
    it acts within, none for its account's whole scope."""
    scope_names = token_scopes_clean(DEFAULT_SCOPES if scopes is None else scopes)
    now = timezone.now()
    if expires_at is None:
        days = token_days_default() if days is None else days
        if days < 1:
            raise ValueError(f"a token must live at least one day, not {days}")
        expires_at = now + dt.timedelta(days=days)
    elif expires_at <= now:
        raise ValueError("a token must expire in the future")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name.strip() or user.get_username(),
            user=user,
            prefix=raw[:PREFIX_LENGTH],
            key_hash=token_hash(raw),
            expires_at=expires_at,
            scopes=scope_names,
        )
        token.agencies.set(agencies)
        audit_log(
            actor=actor,
            action="api_token.create",
            object_type="api_token",
            object_id=token.pk,
            data={
                "name": token.name,
                "prefix": token.prefix,
                "user": user.get_username(),
                "expires_at": expires_at.isoformat(),
                "scopes": scope_names,
                "agencies": [a.code for a in agencies],
            },
        )
    return token, raw


def token_scopes_clean(scopes: Iterable[str]) -> list[str]:
    """``scopes`` as known scope names, once each, in ``Scope``'s order; ValueError for an
    unknown name or none at all (a token that may call nothing is a mistake)."""
    names = set(scopes)
    unknown = names - set(Scope.values)
    if unknown:
        raise ValueError(f"unknown scope(s): {', '.join(sorted(unknown))}")
    if not names:
        raise ValueError("a token needs at least one scope")
    return [s for s in Scope.values if s in names]


def api_token_limit(
    *, token: ApiToken, actor: Actor, scopes: Iterable[str], agencies: Sequence[Agency]
) -> ApiToken:
    """Change what ``token`` may call and where (the admin's edit), audited."""
    scope_names = token_scopes_clean(scopes)
    with transaction.atomic():
        token.scopes = scope_names
        token.save(update_fields=["scopes"])
        token.agencies.set(agencies)
        audit_log(
            actor=actor,
            action="api_token.limit",
            object_type="api_token",
            object_id=token.pk,
            data={
                "name": token.name,
                "prefix": token.prefix,
                "scopes": scope_names,
                "agencies": [a.code for a in agencies],
            },
        )
    return token


def api_token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    """Revoke ``token`` from now on (idempotent: a revoked token keeps its first date)."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
        if updated:
            audit_log(
                actor=actor,
                action="api_token.revoke",
                object_type="api_token",
                object_id=token.pk,
                data={"name": token.name, "prefix": token.prefix},
            )
    return token


def api_token_check(raw: str) -> ApiToken | None:
    """The live token ``raw`` (not revoked, its user active), recording its use; else None.
    ``TokenExpired`` when it is all that but past its expiry (its use is then not recorded)."""
    raw = raw.strip()
    if not raw.startswith(TOKEN_PREFIX):
        return None
    key_hash = token_hash(raw)

    def load() -> ApiToken | None:
        found = (
            # The user's staff profile and its agency in the same query: every call asks for
            # them next (``core.access.staff_profile``), which ``api.auth`` primes with these.
            # Whether it is limited to agencies, too: most are not, and need not read them.
            ApiToken.objects.select_related("user__staff_profile__agency")
            .annotate(
                limited=Exists(ApiToken.agencies.through.objects.filter(apitoken_id=OuterRef("pk")))
            )
            .filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is not None and found.limited:
            prefetch_related_objects([found], "agencies")
        return found

    # Kept per process while no token, account, staff profile or agency has changed
    # (core.config_cache, ``ACCESS``): a token revoked or an account disabled in any process
    # changes the stamp, and the next call reads the token again. A hash nobody has is not
    # kept.
    token = config_cached(("api.token", key_hash), load, watches=(CONFIG, ACCESS), keep_none=False)
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenExpired(token)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
