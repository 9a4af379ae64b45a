"""Sign-in with OpenID Connect (authorization code flow with PKCE), for citizens (VNeID) and,
optionally, for staff (the province's single sign-on).

The protocol is authlib's (``authlib.integrations.django_client``), not ours: it keeps the
``state``, the ``nonce`` and the PKCE ``code_verifier`` in the session, refuses a callback
whose ``state`` it did not issue, and checks the ID token's signature (JWKS of the issuer),
``iss``, ``aud`` (our client id), ``exp`` and ``nonce``. What is left here is reading the
settings, naming the claims, and turning every refusal into one ``OidcError``.

Each provider is a dict of settings (``MOTCUA["OIDC"]`` for citizens, ``MOTCUA["STAFF_OIDC"]``
for staff; README, settings): empty ``DISCOVERY_URL`` or ``CLIENT_ID`` = switched off.
Nothing here knows a domain app: the portal and the staff login map the claims to accounts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from motcua.core.audit import audit_log
from motcua.core.models import StaffIdentity, StaffProfile

logger = logging.getLogger(__name__)

CITIZEN = "OIDC"
STAFF = "STAFF_OIDC"


class OidcError(Exception):
    """A sign-in the provider or the checks refused (state, nonce, audience, signature…)."""


@dataclass(frozen=True)
class OidcClaims:
    """What a provider vouched for, under our names (the claim names are settings)."""

    subject: str
    id_number: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    username: str = ""
    # The ID token's ``iss`` (checked by authlib), and whether the provider says it verified
    # the e-mail address (``email_verified``): an unverified address proves nothing.
    issuer: str = ""
    email_verified: bool = False


def oidc_config(kind: str) -> dict[str, str]:
    return dict(settings.MOTCUA.get(kind) or {})


def oidc_enabled(kind: str) -> bool:
    config = oidc_config(kind)
    return bool(config.get("DISCOVERY_URL") and config.get("CLIENT_ID"))


_clients: dict[tuple[str, ...], Any] = {}


def _client(kind: str) -> Any:
    """The authlib client of ``kind``, one per configuration (its discovery document and keys
    are fetched once and kept, as authlib does)."""
    config = oidc_config(kind)
    key = (
        kind,
        config.get("DISCOVERY_URL", ""),
        config.get("CLIENT_ID", ""),
        config.get("CLIENT_SECRET", ""),
        config.get("SCOPES", ""),
    )
    client = _clients.get(key)
    if client is None:
        registry = OAuth()
        client = registry.register(
            name=kind.lower(),
            client_id=config["CLIENT_ID"],
            client_secret=config.get("CLIENT_SECRET", ""),
            server_metadata_url=config["DISCOVERY_URL"],
            client_kwargs={
                "scope": config.get("SCOPES") or "openid",
                "code_challenge_method": "S256",
                "timeout": 10,
            },
        )
        _clients[key] = client
    return client


def oidc_begin(request: HttpRequest, kind: str, *, redirect_uri: str) -> HttpResponse:
    """The redirect to the provider's authorization endpoint (state, nonce and PKCE kept in
    the session)."""
    try:
        response: HttpResponse = _client(kind).authorize_redirect(request, redirect_uri)
    except (AuthlibBaseError, OSError, ValueError, RuntimeError) as exc:
        logger.warning("OIDC provider %s unreachable: %s", kind, exc)
        raise OidcError(str(exc)) from exc
    return response


def _text(value: object) -> str:
    return str(value).strip() if value not in (None, "") else ""


def oidc_finish(request: HttpRequest, kind: str) -> OidcClaims:
    """Check the callback and the ID token, and return the claims; ``OidcError`` for anything
    refused (a state this session did not start, a nonce, audience, issuer or signature that
    does not match, the provider's own error)."""
    client = _client(kind)
    try:
        token = client.authorize_access_token(request)
    except (AuthlibBaseError, JoseError, OSError, ValueError, KeyError, RuntimeError) as exc:
        logger.info("OIDC sign-in refused (%s): %s", kind, exc)
        raise OidcError(str(exc)) from exc
    claims: dict[str, Any] = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise OidcError("no ID token")
    config = oidc_config(kind)
    if config.get("USERINFO") == "1":
        # Some providers (VNeID among them) put only `sub` in the ID token: the rest comes
        # from the userinfo endpoint, for the same subject only.
        try:
            extra = dict(client.userinfo(token=token))
        except (AuthlibBaseError, OSError, ValueError) as exc:
            raise OidcError(str(exc)) from exc
        if extra.get("sub") != claims["sub"]:
            raise OidcError("userinfo for another subject")
        claims = {**extra, **claims}

    def claim(setting: str, default: str) -> str:
        return _text(claims.get(config.get(setting) or default))

    return OidcClaims(
        subject=_text(claims["sub"]),
        id_number=claim("CLAIM_ID_NUMBER", "id_number"),
        name=claim("CLAIM_NAME", "name"),
        phone=claim("CLAIM_PHONE", "phone_number"),
        email=claim("CLAIM_EMAIL", "email"),
        username=claim("CLAIM_USERNAME", "preferred_username"),
        issuer=_text(claims.get("iss")),
        email_verified=claims.get("email_verified") in (True, "true"),
    )


@dataclass(frozen=True)
class StaffMatch:
    """The outcome of a staff SSO sign-in: the account, or None and why (for the audit)."""

    user: User | None
    reason: str = ""


def _sso_eligible(user: User) -> bool:
    # A superuser never signs in through a provider (its password and second factor are
    # ours alone), nor does an account that is not staff (no StaffProfile), is_staff or not.
    return (
        user.is_active
        and not user.is_superuser
        and StaffProfile.objects.filter(user_id=user.pk).exists()
    )


def staff_sso_account(claims: OidcClaims) -> StaffMatch:
    """The existing staff account the staff provider vouched for; never creates an account
    (staff are created by an administrator, with their agency and roles).

    An account is bound to the provider's subject (``StaffIdentity``) at its first SSO
    sign-in, found then by the username claim or (``MATCH=email``) by an e-mail address
    that the provider marked verified and exactly one staff account has. Afterwards only
    that subject signs in to it: another subject with the same username or e-mail is
    refused. Superusers and accounts without a StaffProfile are never reached."""
    issuer = claims.issuer or oidc_config(STAFF).get("DISCOVERY_URL", "")
    linked = (
        StaffIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=claims.subject)
        .first()
    )
    if linked is not None:
        if not _sso_eligible(linked.user):
            return StaffMatch(None, "not_eligible")
        return StaffMatch(linked.user)
    match = oidc_config(STAFF).get("MATCH") or "username"
    candidates = User.objects.filter(is_active=True, staff_profile__isnull=False)
    if match == "email":
        if "@" not in claims.email:
            return StaffMatch(None, "no_account")
        if not claims.email_verified:
            return StaffMatch(None, "email_unverified")
        found = list(candidates.filter(email__iexact=claims.email)[:2])
        user = found[0] if len(found) == 1 else None
    else:
        user = candidates.filter(username=claims.username).first() if claims.username else None
    if user is None:
        return StaffMatch(None, "no_account")
    if not _sso_eligible(user):
        return StaffMatch(None, "not_eligible")
    try:
        with transaction.atomic():
            if StaffIdentity.objects.filter(user=user).exists():
                return StaffMatch(None, "linked_to_another_subject")
            StaffIdentity.objects.create(user=user, issuer=issuer, subject=claims.subject)
            audit_log(
                actor=user,
                action="login.oidc_linked",
                object_type="user",
                object_id=user.pk,
                data={"provider": "staff_sso", "issuer": issuer, "subject": claims.subject},
            )
    except IntegrityError:  # a concurrent first sign-in bound it meanwhile
        return StaffMatch(None, "linked_to_another_subject")
    return StaffMatch(user)
