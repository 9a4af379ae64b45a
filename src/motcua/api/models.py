"""Access tokens for systems that call the JSON API (the postal partner, the national portal).

A token acts as the staff user it is tied to: that user's role and agency decide what it may
see and change (domain.md §12). Only the SHA-256 of a token is stored; its first characters
(``prefix``) are kept in clear so that an operator can tell tokens apart in the admin.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_TOKEN_DAYS = 90


def token_days_default() -> int:
    """How long a new token lives, in days: ``MOTCUA["API_TOKEN_DAYS"]`` (default 90)."""
    return int(getattr(settings, "MOTCUA", {}).get("API_TOKEN_DAYS", DEFAULT_TOKEN_DAYS))


def token_expires_default() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=token_days_default())


class Scope(models.TextChoices):
    """What a token may call (``api.scopes.require_scope`` on each operation)."""

    READ = "read", _("Xem hồ sơ, sự kiện, mẫu, tệp")
    INTAKE = "intake", _("Tiếp nhận hồ sơ, từ chối tiếp nhận, sổ hướng dẫn")
    PROCESS = "process", _("Xử lý hồ sơ (các thao tác trên hồ sơ)")
    POSTAL = "postal", _("Bưu chính: trả kết quả qua bưu điện, theo dõi bưu gửi")
    PAYMENT_CALLBACK = "payment_callback", _("Thông báo kết quả thanh toán")
    CATALOG = "catalog", _("Danh mục thủ tục")


# What a token created without naming scopes gets: a staff system's work (read, receive,
# process). ``postal`` (the tracking callback speaks as the postal service) and
# ``payment_callback`` (a payment platform's word) are given only on purpose, to that partner.
DEFAULT_SCOPES: tuple[str, ...] = (Scope.READ.value, Scope.INTAKE.value, Scope.PROCESS.value)


def scopes_default() -> list[str]:
    return list(DEFAULT_SCOPES)


class ApiToken(models.Model):
    name = models.CharField(
        _("tên hệ thống"), max_length=100, help_text=_("Ví dụ: Bưu điện tỉnh (Bưu chính công ích)")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản cán bộ"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    prefix = models.CharField(_("tiền tố"), max_length=16, db_index=True, editable=False)
    # A token is 256 random bits: a plain SHA-256 suffices (no slow hash is needed against
    # guessing), and it lets a request find its token with one indexed lookup.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True, editable=False)
    # A token leaked from a partner's configuration should not work for ever: it expires, and
    # the partner rotates it (create the new one, switch, revoke the old). Tokens issued
    # before expiry existed got the default life from the day of the migration.
    expires_at = models.DateTimeField(_("hết hạn lúc"), default=token_expires_default)
    # The operations the token may call (``Scope`` values), and the agencies it acts within
    # (with their subtrees; none: all of its account's scope). Both only narrow what the
    # account may do, never widen it.
    scopes = models.JSONField(_("phạm vi sử dụng"), default=scopes_default, blank=True)
    agencies = models.ManyToManyField(
        "agencies.Agency",
        verbose_name=_("chỉ trong các cơ quan"),
        blank=True,
        related_name="+",
        help_text=_("Để trống: mọi cơ quan trong phạm vi của tài khoản."),
    )

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def via(self) -> str:
        """How events written with this token name the calling system."""
        return f"{self.name} ({self.prefix})"


class IdempotencyKey(models.Model):
    """The first answer to a creating POST sent with an ``Idempotency-Key`` header, replayed
    to a retry with the same key and body within ``IDEMPOTENCY_HOURS`` (``api.idempotency``).

    Keys are the caller's own (``user``: a token acts as its account), so two systems cannot
    collide; ``request_hash`` is the SHA-256 of the method, path and parsed body."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("khóa chống gửi lặp")
        verbose_name_plural = _("khóa chống gửi lặp")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
