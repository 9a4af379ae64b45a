"""Citizen accounts: registration and login with an e-mail address or a phone number, and
password recovery with a code sent to that address or number through the outbox.

The seam for VNeID (or any OpenID Connect provider)
---------------------------------------------------
Everything after login works on a plain ``User``; how the person proved who they are lives
only in ``CitizenIdentity(user, provider, subject)``. Today ``citizen_register`` and
``citizen_authenticate`` handle ``provider="local"``. Plugging in VNeID means adding one
view pair (redirect to the provider's authorisation endpoint; callback that exchanges the
code and validates the ID token — with a maintained OIDC client library such as
``mozilla-django-oidc`` or ``authlib``, not by hand). That is ``portal.views.oidc_start`` and
``oidc_callback`` over ``core.oidc`` (authlib); the callback ends with
``citizen_oidc_sign_in`` (linked by subject, else by the verified ID number, else a new
account; never by e-mail) or, from a logged-in citizen's account page, ``citizen_oidc_link``.
Dossiers, the document store and the lookup do not change.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from motcua.core.accounts import login_locked_until, login_record_failure, login_record_success
from motcua.core.audit import audit_log
from motcua.core.models import LoginRealm
from motcua.core.oidc import OidcClaims
from motcua.dossiers.applicants import citizen_id_normalize, phone_normalize
from motcua.notify.models import Channel
from motcua.notify.services import InvalidRecipient, notification_enqueue
from motcua.portal.models import CitizenIdentity, IdentityProvider, PasswordReset

logger = logging.getLogger(__name__)


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


def _recipient(subject: str) -> tuple[str, str]:
    """Where a message to the owner of a local identifier goes: its e-mail or its phone."""
    return (Channel.EMAIL, subject) if "@" in subject else (Channel.SMS, subject)


def _tell(subject: str, *, kind: str, title: str, body: str) -> bool:
    """Queue a message to the owner of ``subject`` through the outbox (in the caller's
    transaction); False when the address cannot receive one (a landline, for instance)."""
    try:
        notification_enqueue(
            kind=kind,
            recipients=[_recipient(subject)],
            context={"subject": title, "body": body},
        )
    except InvalidRecipient:
        logger.info("no notification possible for a local identity (not a mobile number)")
        return False
    return True


def _login_url(path: str) -> str:
    return str(settings.MOTCUA["PUBLIC_URL"]).rstrip("/") + path


def registration_errors(*, identifier: str, password: str, full_name: str) -> dict[str, str]:
    """What is wrong with a registration, by field (empty: nothing): the identifier's
    format, the name, the password's strength. The form shows all of them at once, with its
    own (a mismatched confirmation) beside them."""
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
    return errors


def citizen_register(*, identifier: str, password: str, full_name: str) -> User | None:
    """Create a citizen account with a local identity (e-mail or phone + password).

    The caller answers the same whether the account was created or the identifier was
    already registered (None): the registration form must not tell who is registered. The
    owner of the identifier learns which it was through the outbox: a welcome, or a notice
    that someone tried to register their address, with the way to recover the password.
    ``AccountError`` only for what the form itself shows wrong (format, weak password)."""
    errors = registration_errors(identifier=identifier, password=password, full_name=full_name)
    if errors:
        raise AccountError(errors)
    subject = identifier_normalize(identifier)
    name = " ".join((full_name or "").split())
    # Messages to citizens are in Vietnamese whatever the page's language (as every notice
    # of the outbox, notify.services.message_render).
    taken_title = "Có người đăng ký lại tài khoản của bạn"
    taken_body = (
        "Ai đó vừa dùng địa chỉ này để đăng ký tài khoản trên Cổng dịch vụ công, nhưng địa "
        "chỉ này đã có tài khoản. Nếu đó là bạn, hãy đăng nhập: {login} ; quên mật khẩu "
        "thì lấy lại tại: {forgot} . Nếu không phải bạn, hãy bỏ qua tin này."
    ).format(
        login=_login_url(reverse("portal:login")),
        forgot=_login_url(reverse("portal:password_forgot")),
    )
    welcome_title = "Đã tạo tài khoản trên Cổng dịch vụ công"
    welcome_body = (
        "Tài khoản của bạn đã được tạo. Đăng nhập tại: {login} . Nếu bạn không đăng ký, "
        "hãy báo cho bộ phận một cửa."
    ).format(login=_login_url(reverse("portal:login")))
    if CitizenIdentity.objects.filter(provider=IdentityProvider.LOCAL, subject=subject).exists():
        _tell(subject, kind="citizen_register_taken", title=taken_title, body=taken_body)
        audit_log(
            actor="anonymous",
            action="citizen.register_taken",
            object_type="user",
            object_id=subject,
        )
        return None
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
            _tell(subject, kind="citizen_registered", title=welcome_title, body=welcome_body)
    except IntegrityError:
        # Registered a moment ago by a concurrent request: the same neutral answer.
        return None
    audit_log(actor=user, action="citizen.register", object_type="user", object_id=user.pk)
    return user


# Password recovery: a 6-digit code sent to the identifier, good for RESET_VALID and
# RESET_TRIES tries, one use; at most RESET_PER_ACCOUNT codes per account in RESET_WINDOW
# (per address, the views limit requests and tries with the cache's rate limit).
RESET_VALID = dt.timedelta(minutes=15)
RESET_TRIES = 5
RESET_PER_ACCOUNT = 3
RESET_WINDOW = dt.timedelta(hours=1)


def _code_hash(user_id: int, code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the table alone does not give the codes back.
    return salted_hmac("motcua.portal.password_reset", f"{user_id}:{code}").hexdigest()


def _local_user(identifier: str) -> tuple[str, User | None]:
    try:
        subject = identifier_normalize(identifier)
    except ValueError:
        return "", None
    identity = (
        CitizenIdentity.objects.select_related("user")
        .filter(provider=IdentityProvider.LOCAL, subject=subject, user__is_active=True)
        .first()
    )
    return subject, identity.user if identity else None


def password_reset_request(*, identifier: str, ip: str) -> None:
    """Send a recovery code to the owner of ``identifier``, if it is a registered local
    identity and its per-account limit allows; otherwise nothing, silently (the page
    answers the same either way). An earlier unused code stops working."""
    subject, user = _local_user(identifier)
    if user is None:
        return
    now = timezone.now()
    recent = PasswordReset.objects.filter(user=user, created_at__gt=now - RESET_WINDOW)
    if recent.count() >= RESET_PER_ACCOUNT:
        audit_log(
            actor="anonymous",
            action="citizen.reset_limited",
            object_type="user",
            object_id=user.pk,
            ip=ip or None,
        )
        return
    code = f"{secrets.randbelow(10**6):06d}"
    title = "Mã khôi phục mật khẩu"
    body = (
        f"Mã khôi phục mật khẩu của bạn là {code} (dùng một lần, hết hạn sau "
        f"{int(RESET_VALID.total_seconds() // 60)} phút). Nhập mã tại: "
        f"{_login_url(reverse('portal:password_reset'))} . Không đưa mã này cho bất kỳ ai, "
        "kể cả cán bộ."
    )
    with transaction.atomic():
        PasswordReset.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        PasswordReset.objects.create(
            user=user,
            code_hash=_code_hash(user.pk, code),
            created_at=now,
            expires_at=now + RESET_VALID,
            ip=ip[:45],
        )
        _tell(subject, kind="citizen_password_reset", title=title, body=body)
    audit_log(
        actor="anonymous",
        action="citizen.reset_requested",
        object_type="user",
        object_id=user.pk,
        ip=ip or None,
    )


def password_reset_confirm(*, identifier: str, code: str, password: str, ip: str) -> User:
    """Set a new password with a recovery code. ``AccountError`` for a wrong, expired, used
    or over-tried code (one message for all: it tells nothing), or a weak password. A
    success also lifts this address's citizen login lock on the account."""
    refused = AccountError({"code": _("Mã khôi phục không đúng, đã dùng hoặc đã hết hạn.")})
    subject, user = _local_user(identifier)
    if user is None:
        raise refused
    now = timezone.now()
    with transaction.atomic():
        reset = (
            PasswordReset.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=now)
            .order_by("-id")
            .first()
        )
        if reset is None or reset.attempts >= RESET_TRIES:
            raise refused
        if not constant_time_compare(reset.code_hash, _code_hash(user.pk, code.strip())):
            reset.attempts += 1
            reset.save(update_fields=["attempts"])
            wrong = True  # raised after the block: the try is saved and counts
        else:
            wrong = False
    if wrong:
        raise refused
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise AccountError({"password": " ".join(exc.messages)}) from None
    with transaction.atomic():
        # Single use: only the request that marks it unused->used sets the password.
        if not PasswordReset.objects.filter(pk=reset.pk, used_at__isnull=True).update(used_at=now):
            raise refused
        user.set_password(password)
        user.save(update_fields=["password"])
    login_record_success(username=subject, ip=ip, realm=LoginRealm.CITIZEN)
    audit_log(
        actor=user,
        action="citizen.password_reset",
        object_type="user",
        object_id=user.pk,
        ip=ip or None,
    )
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


def citizen_verified_id_number(user: User) -> str:
    """The số định danh cá nhân an identity provider vouched for this citizen, or "".

    What the document store's "by ID number" rules may trust: a number a citizen typed on a
    form is only a claim; this one was verified by VNeID."""
    return (
        CitizenIdentity.objects.filter(user=user)
        .exclude(id_number="")
        .values_list("id_number", flat=True)
        .first()
        or ""
    )


def _verified_id_number(claims: OidcClaims) -> str:
    try:
        return citizen_id_normalize(claims.id_number)
    except ValueError:
        raise AccountError(
            {"id_number": _("Nhà cung cấp định danh không trả về số định danh cá nhân hợp lệ.")}
        ) from None


def citizen_oidc_sign_in(*, provider: str, claims: OidcClaims, ip: str = "") -> User:
    """The account of a citizen who signed in with an OpenID Connect provider (VNeID).

    In order: the account already linked to this provider's subject; else the account that
    holds an identity with the same verified ID number (linked now); else a new account with
    that verified ID number. Never by e-mail or phone: those are not verified by anyone here,
    so matching on them would hand an account to whoever registered the address first.
    ``AccountError`` when the provider sent no valid ID number or the account is disabled."""
    if provider not in IdentityProvider.values or provider == IdentityProvider.LOCAL:
        raise AccountError({"provider": _("Nhà cung cấp định danh không hợp lệ.")})
    disabled = AccountError({"provider": _("Tài khoản này đã bị khóa.")})
    found = (
        CitizenIdentity.objects.select_related("user")
        .filter(provider=provider, subject=claims.subject)
        .first()
    )
    if found is not None:
        if not found.user.is_active:
            raise disabled
        if not found.id_number and claims.id_number:
            found.id_number = _verified_id_number(claims)
            found.save(update_fields=["id_number"])
        return found.user
    id_number = _verified_id_number(claims)
    with transaction.atomic():
        same_person = (
            CitizenIdentity.objects.select_related("user")
            .filter(id_number=id_number)
            .order_by("id")
            .first()
        )
        if same_person is not None:
            user = same_person.user
            if not user.is_active:
                raise disabled
            CitizenIdentity.objects.create(
                user=user, provider=provider, subject=claims.subject, id_number=id_number
            )
            action = "citizen.identity_linked"
        else:
            name = " ".join(claims.name.split())
            user = User.objects.create_user(
                f"{provider}:{claims.subject}"[:150],
                email=claims.email if "@" in claims.email else "",
                first_name=name[:150],
            )
            user.set_unusable_password()
            user.save(update_fields=["password"])
            CitizenIdentity.objects.create(
                user=user, provider=provider, subject=claims.subject, id_number=id_number
            )
            action = "citizen.register"
    audit_log(
        actor=user,
        action=action,
        object_type="user",
        object_id=user.pk,
        ip=ip or None,
        data={"provider": provider},
    )
    return user


def citizen_oidc_link(
    *, user: User, provider: str, claims: OidcClaims, ip: str = ""
) -> CitizenIdentity:
    """Link an OpenID Connect identity (VNeID) to the logged-in citizen ``user``: refused when
    that identity, or its ID number, already belongs to another account, or when ``user``
    already has another verified ID number. Linking the same identity again changes nothing."""
    if provider not in IdentityProvider.values or provider == IdentityProvider.LOCAL:
        raise AccountError({"provider": _("Nhà cung cấp định danh không hợp lệ.")})
    taken = AccountError({"provider": _("Định danh này đã được liên kết với một tài khoản khác.")})
    id_number = _verified_id_number(claims)
    with transaction.atomic():
        existing = CitizenIdentity.objects.filter(provider=provider, subject=claims.subject).first()
        if existing is not None:
            if existing.user_id != user.pk:
                raise taken
            return existing
        if CitizenIdentity.objects.filter(id_number=id_number).exclude(user=user).exists():
            raise taken
        own = citizen_verified_id_number(user)
        if own and own != id_number:
            raise AccountError(
                {"provider": _("Tài khoản đã gắn với một số định danh cá nhân khác.")}
            )
        try:
            with transaction.atomic():
                identity = CitizenIdentity.objects.create(
                    user=user, provider=provider, subject=claims.subject, id_number=id_number
                )
        except IntegrityError:
            raise taken from None
    audit_log(
        actor=user,
        action="citizen.identity_linked",
        object_type="user",
        object_id=user.pk,
        ip=ip or None,
        data={"provider": provider},
    )
    return identity
