"""Webhook subscriptions of integrating systems and the delivery outbox.

A delivery row is written in the same transaction as the dossier event it announces (a
rollback drops it, ``services.webhook_deliveries_queue``) and sent later by ``motcua
worker`` (``sender``), with the notify outbox's lease-and-retry pattern. Rows are never
deleted: the delivery log is the admin's list of them.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency
from motcua.dossiers.models import DossierEvent

# In ``Subscription.kinds``: every event type, including types added later.
ALL_KINDS = "all"


class Subscription(models.Model):
    """One integrating system that is told about dossier events by HTTP POST."""

    name = models.CharField(_("hệ thống nhận"), max_length=200)
    url = models.URLField(_("địa chỉ nhận (URL)"), max_length=500)
    # Kept as it is (it signs every delivery, so it cannot be a hash); shown once, at
    # creation, and never logged or displayed again.
    secret = models.CharField(_("khóa ký"), max_length=100, editable=False)
    # ``EventType`` values, or ``ALL_KINDS``.
    kinds = models.JSONField(_("loại sự kiện"), default=list)
    # Empty: every agency's dossiers; else only dossiers whose competent agency or
    # receiving unit is one of these or under one of them (``services.subscriptions_for``).
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("chỉ hồ sơ của cơ quan"), blank=True, related_name="+"
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)

    class Meta:
        verbose_name = _("đăng ký webhook")
        verbose_name_plural = _("đăng ký webhook")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def wants(self, kind: str) -> bool:
        return ALL_KINDS in self.kinds or kind in self.kinds


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    DELIVERED = "delivered", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class Delivery(models.Model):
    """One event to one subscription (the outbox row and its log)."""

    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("đăng ký"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    # No database constraint: dossier events are partitioned by year on PostgreSQL, and no
    # foreign key can point into such a table (core.partitions). Django still cascades.
    event = models.ForeignKey(
        DossierEvent,
        verbose_name=_("sự kiện"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    # The body sent (the event as ``GET /api/events`` lists it), fixed when queued.
    payload = models.JSONField(_("nội dung"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    # While a worker sends it, its lease (as notify.Message); otherwise the next (re)try.
    next_attempt_at = models.DateTimeField(_("gửi lần tới"), default=timezone.now)
    claimed_by = models.CharField(_("tiến trình gửi"), max_length=100, blank=True, default="")
    last_status_code = models.PositiveSmallIntegerField(_("mã HTTP gần nhất"), null=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, default="")
    last_duration_ms = models.PositiveIntegerField(_("thời gian phản hồi (ms)"), null=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("gửi được lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("lần gửi webhook")
        verbose_name_plural = _("nhật ký gửi webhook")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due"),
            models.Index(fields=["subscription", "status", "id"], name="webhook_sub_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.subscription} #{self.event_id}"
