"""Citizen accounts (the personal document store is ``archive.Document``, domain.md §10).

A citizen is a plain Django ``User`` without a ``StaffProfile``. How they prove who they are
is kept apart in ``CitizenIdentity``: today the only provider is ``local`` (e-mail or phone
and a password, the subject being that e-mail or phone); an OpenID Connect provider such as
VNeID adds rows with its own ``provider`` and the ``sub`` claim as ``subject``, linked to the
same user, without touching dossiers or the store (see ``portal.accounts``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityProvider(models.TextChoices):
    LOCAL = "local", _("Tài khoản của hệ thống (thư điện tử hoặc điện thoại)")
    VNEID = "vneid", _("VNeID (Bộ Công an)")


class CitizenIdentity(models.Model):
    """One way a citizen logs in: a provider and the subject that provider vouches for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="citizen_identities",
    )
    provider = models.CharField(
        _("nhà cung cấp định danh"), max_length=32, choices=IdentityProvider.choices
    )
    # local: the normalised e-mail (lower case) or phone (0xxxxxxxxx); OIDC: the `sub` claim.
    subject = models.CharField(_("định danh"), max_length=255)
    # The số định danh cá nhân an identity provider vouched for (VNeID's ID number claim);
    # empty for a local identity, whose owner only typed it. What links a first OIDC login
    # to an existing account, and what the store's "by ID number" rules can trust.
    id_number = models.CharField(_("số định danh cá nhân (đã xác thực)"), max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("định danh công dân")
        verbose_name_plural = _("định danh công dân")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="citizen_identity_unique")
        ]
        indexes = [models.Index(fields=["id_number"], name="citizen_identity_id_number")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class PasswordReset(models.Model):
    """A password recovery code sent to a citizen (``portal.accounts``). Only a keyed hash of
    the code is kept; a code is good for ``expires_at``, a few tries, and one use."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    code_hash = models.CharField(_("mã (băm)"), max_length=64)
    created_at = models.DateTimeField(_("tạo lúc"), db_index=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    used_at = models.DateTimeField(_("dùng lúc"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("số lần nhập"), default=0)
    ip = models.CharField(_("địa chỉ IP"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("mã khôi phục mật khẩu")
        verbose_name_plural = _("mã khôi phục mật khẩu")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
