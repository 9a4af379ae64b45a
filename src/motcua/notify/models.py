"""The notification outbox and the periodic-job schedule of the worker.

Messages are written in the same transaction as the change they announce (a rollback drops
them) and sent later by ``motcua worker``; a message is never deleted, so that a failed one
stays visible in the admin and can be retried.

The outbox knows no domain app: what a message is about is a string written by the app
that queued it (``kind``, and ``reference`` such as ``dossier:<code>``), not a foreign key,
so that the apps that notify depend on ``notify`` and never the other way round.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    # A pickup order to the postal service (its body is the order as JSON), sent by the
    # handler that the app owning it registered (``worker.register_channel``).
    POSTAL = "postal", _("Đặt bưu chính chuyển phát")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi không thành công")


class Message(models.Model):
    """One notification to one recipient on one channel (the outbox row)."""

    # What the message announces, named by the app that queued it ("received", "refused",
    # "feedback_answered", …): a filter in the admin, no choices here (they are the apps').
    kind = models.CharField(_("loại thông báo"), max_length=32)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True, default="")
    body = models.TextField(_("nội dung"))
    # What the message is about, as "<type>:<identifier>" ("dossier:000.00.19.H18-220829-0001",
    # "feedback:…"), written by the app that queued it: a string rather than a foreign key
    # so that the outbox depends on no domain app and outlives the row it speaks of.
    reference = models.CharField(
        _("liên quan đến"), max_length=100, blank=True, default="", db_index=True
    )
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    # While a worker sends a message this is its lease: the time after which another worker
    # may take it over (the first one crashed); otherwise the time of the next (re)try.
    next_attempt_at = models.DateTimeField(_("gửi lần tới"), default=timezone.now)
    claimed_by = models.CharField(_("tiến trình gửi"), max_length=100, blank=True, default="")
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, default="")
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("hộp thư đi (thông báo)")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_due")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


class PeriodicJob(models.Model):
    """When a registered periodic job (``worker.register_job``) next runs, shared by all
    workers so that a job runs once per period however many workers there are."""

    name = models.CharField(_("tên công việc"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("chạy lần tới"))
    last_started_at = models.DateTimeField(_("bắt đầu lần cuối"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("kết thúc lần cuối"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, default="")

    class Meta:
        verbose_name = _("công việc định kỳ")
        verbose_name_plural = _("công việc định kỳ")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
