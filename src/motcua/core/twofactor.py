"""The second factor (TOTP, with django-otp) for staff and administrators.

Required for superusers: without a confirmed device they may sign in only to enrol one, and
the admin (``core.admin_site``) opens only to a session verified with a device. Available
to every staff account: once a staff member has a confirmed device, the login asks for its
code after the password, and the session is not signed in until the code is right.

Codes are guessed as slowly as passwords: a wrong code counts as a failed login of the
staff realm (``core.accounts``), on top of django-otp's own per-device back-off.

Recovery: a user who lost the phone asks an administrator, who removes the device with
``motcua manage otp_reset <username>`` or in the admin ("TOTP devices"); the user signs in
with the password and enrols again (a superuser must).
"""

from __future__ import annotations

import base64

import segno
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.core.audit import Actor, audit_log

DEVICE_NAME = "motcua"


def otp_device_for(user: AbstractBaseUser | AnonymousUser) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if any (several: the newest)."""
    if getattr(user, "pk", None) is None:
        return None
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-id").first()


def otp_verified(user: object) -> bool:
    """Whether this request's user was verified with a device in this session (set by
    django-otp's ``OTPMiddleware``)."""
    verified = getattr(user, "is_verified", None)
    return bool(verified()) if callable(verified) else False


def otp_required(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether this account may not work without a verified device (superusers)."""
    return bool(getattr(user, "is_superuser", False))


def otp_enrol_start(user: AbstractBaseUser) -> TOTPDevice:
    """A fresh unconfirmed device for ``user``; earlier unconfirmed ones are dropped, so a
    secret is shown once: reloading the page draws a new one."""
    TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def otp_enrol_pending(user: AbstractBaseUser, device_id: int | None) -> TOTPDevice | None:
    if device_id is None:
        return None
    return TOTPDevice.objects.filter(pk=device_id, user_id=user.pk, confirmed=False).first()


def otp_enrol_confirm(*, user: AbstractBaseUser, device: TOTPDevice, token: str) -> bool:
    """Confirm ``device`` with a code from the app; the user's other devices are removed
    (one phone per account keeps recovery simple). Audited as ``otp.enrolled``."""
    if not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_log(actor=user, action="otp.enrolled", object_type="user", object_id=user.pk)
    return True


def otp_reset(*, actor: Actor, user: AbstractBaseUser) -> int:
    """Remove every device of ``user`` (a lost phone); returns how many. Audited as
    ``otp.reset``."""
    count, _ = TOTPDevice.objects.filter(user_id=user.pk).delete()
    audit_log(
        actor=actor,
        action="otp.reset",
        object_type="user",
        object_id=user.pk,
        data={"devices": count},
    )
    return count


def otp_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def otp_qr_svg(device: TOTPDevice, *, title: str) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, title=title)
