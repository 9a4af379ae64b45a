"""Citizen accounts: registration and login with an e-mail address or a phone number.

The seam for VNeID (or any OpenID Connect provider)
---------------------------------------------------
Everything after login works on a plain ``User``; how the person proved who they are lives
only in ``CitizenIdentity(user, provider, subject)``. Today ``citizen_register`` and
``citizen_authenticate`` handle ``provider="local"``. Plugging in VNeID means adding one
view pair (redirect to the provider's authorisation endpoint; callback that exchanges the
code and validates the ID token — with a maintained OIDC client library such as
``mozilla-django-oidc`` or ``authlib``, not by hand) whose callback ends with::

    user = citizen_for_identity(provider="vneid", subject=claims["sub"],
                                full_name=claims.get("name", ""), email=claims.get("email", ""))
    login(request, user)

``citizen_for_identity`` finds the user already linked to that subject or creates one; a
citizen who already has a local account can link VNeID to it from their logged-in session
with ``citizen_identity_link``. Dossiers, the document store and the lookup do not change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.core.accounts import login_locked_until, login_record_failure, login_record_success
from motcua.core.audit import audit_log
from motcua.core.models import LoginRealm
from motcua.dossiers.applicants import phone_normalize
from motcua.portal.models import CitizenIdentity, IdentityProvider


class AccountError(Exception):
    """A registration or login refused, with a Vietnamese message per form field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    locked_until: dt.datetime | None = None


def identifier_normalize(value: str) -> str:
    """An e-mail address in lower case, or a phone number as ``0xxxxxxxxx``; ``ValueError``
    with a Vietnamese message otherwise."""
    text = (value or "").strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            raise ValueError(_("Địa chỉ thư điện tử không hợp lệ.")) from None
        return text.lower()
    phone = phone_normalize(text)
    return "0" + phone[3:] if phone.startswith("+84") else phone


def citizen_register(*, identifier: str, password: str, full_name: str) -> User:
    """Create a citizen account with a local identity (e-mail or phone + password)."""
    errors: dict[str, str] = {}
    subject = ""
    try:
        subject = identifier_normalize(identifier)
    except ValueError as exc:
        errors["identifier"] = str(exc)
    name = " ".join((full_name or "").split())
    if not name:
        errors["full_name"] = _("Phải nhập họ và tên.")
    candidate = User(username=subject, first_name=name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise AccountError(errors)
    taken = _("Thư điện tử hoặc số điện thoại này đã được đăng ký.")
    if CitizenIdentity.objects.filter(provider=IdentityProvider.LOCAL, subject=subject).exists():
        raise AccountError({"identifier": taken})
    try:
        with transaction.atomic():
            # The username is the identifier itself, so the account reads well in the admin;
            # logins go through CitizenIdentity, never through the username.
            user = User.objects.create_user(
                subject,
                email=subject if "@" in subject else "",
                password=password,
                first_name=name,
            )
            CitizenIdentity.objects.create(
                user=user, provider=IdentityProvider.LOCAL, subject=subject
            )
    except IntegrityError:
        raise AccountError({"identifier": taken}) from None
    audit_log(actor=user, action="citizen.register", object_type="user", object_id=user.pk)
    return user


# Checked against when no account matches, so that an unknown identifier costs the same
# password hashing as a wrong password (the answer's timing says nothing).
_DUMMY_HASH = make_password("motcua-dummy-password")


def citizen_authenticate(*, identifier: str, password: str, ip: str) -> LoginResult:
    """Check a local login; locked after repeated failures for this identifier and address
    (the staff login's rule, ``core.accounts``: 5 failures in 15 minutes lock 15 minutes), counted
    apart from the staff login's failures."""
    try:
        subject = identifier_normalize(identifier)
    except ValueError:
        subject = (identifier or "").strip().lower()
    locked = login_locked_until(username=subject, ip=ip, realm=LoginRealm.CITIZEN)
    if locked is not None:
        return LoginResult(locked_until=locked)
    identity = (
        CitizenIdentity.objects.select_related("user")
        .filter(provider=IdentityProvider.LOCAL, subject=subject)
        .first()
    )
    user = identity.user if identity else None
    if user is not None and user.is_active and user.check_password(password):
        login_record_success(username=subject, ip=ip, realm=LoginRealm.CITIZEN)
        return LoginResult(user=user)
    if user is None:
        User(password=_DUMMY_HASH).check_password(password)
    return LoginResult(
        locked_until=login_record_failure(username=subject, ip=ip, realm=LoginRealm.CITIZEN)
    )


def citizen_for_identity(
    *, provider: str, subject: str, full_name: str = "", email: str = ""
) -> User:
    """The user linked to an external identity (an OIDC ``sub``), created on first login."""
    if provider not in IdentityProvider.values or provider == IdentityProvider.LOCAL:
        raise AccountError({"provider": _("Nhà cung cấp định danh không hợp lệ.")})
    identity = CitizenIdentity.objects.select_related("user").filter(
        provider=provider, subject=subject
    )
    found = identity.first()
    if found is not None:
        return found.user
    with transaction.atomic():
        user = User.objects.create_user(
            f"{provider}:{subject}"[:150], email=email, first_name=full_name
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        CitizenIdentity.objects.create(user=user, provider=provider, subject=subject)
    audit_log(
        actor=user,
        action="citizen.register",
        object_type="user",
        object_id=user.pk,
        data={"provider": provider},
    )
    return user


def citizen_identity_link(*, user: User, provider: str, subject: str) -> CitizenIdentity:
    """Link another identity (e.g. VNeID) to a logged-in citizen's account."""
    try:
        with transaction.atomic():
            return CitizenIdentity.objects.create(user=user, provider=provider, subject=subject)
    except IntegrityError:
        raise AccountError(
            {"provider": _("Định danh này đã được liên kết với một tài khoản khác.")}
        ) from None
