"""What motcua exchanges with the national public service portal (Cổng DVCQG).

- ``StatusMapping``: which of the portal's ten dossier statuses each kind of dossier event is
  sent as; one editable table (defaults from the data migration), never a dict in code.
- ``PortalPush``: the outbox and sync log of status pushes, a row written in the same
  transaction as the dossier event it announces, sent by the worker with retries.
- ``PullCheckpoint``: how far the pull of online submissions has got.
- ``PullFailure``: the pull's log of submissions it could not create (malformed, unknown
  procedure, a file it could not download), how often, and whether the checkpoint still waits
  for them or they were given up (then re-pulled by hand from the admin).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, DossierEvent, EventType

# The source name of dossiers that came from the national portal (``Dossier.external_source``).
SOURCE = "dvcqg"


class PortalStatus(models.IntegerChoices):
    """The national portal's ten dossier statuses (Cổng DVCQG)."""

    NEW = 1, _("Mới đăng ký")
    ACCEPTED = 2, _("Được tiếp nhận")
    NOT_ACCEPTED = 3, _("Không được tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT = 5, _("Yêu cầu bổ sung giấy tờ")
    FINANCIAL = 6, _("Yêu cầu thực hiện nghĩa vụ tài chính")
    WITHDRAWN = 7, _("Công dân yêu cầu rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    DONE = 9, _("Đã xử lý xong")
    DELIVERED = 10, _("Đã trả kết quả")


class StatusMapping(models.Model):
    """The portal status a kind of dossier event is sent as; none: not sent."""

    event_type = models.CharField(
        _("sự kiện"), max_length=32, choices=EventType.choices, unique=True
    )
    portal_status = models.PositiveSmallIntegerField(
        _("trạng thái trên Cổng DVCQG"), choices=PortalStatus.choices, null=True, blank=True
    )

    class Meta:
        verbose_name = _("ánh xạ trạng thái Cổng DVCQG")
        verbose_name_plural = _("ánh xạ trạng thái Cổng DVCQG")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.portal_status or '-'}"


class PushStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Cổng đã nhận")
    FAILED = "failed", _("Gửi không thành công")


class PortalPush(models.Model):
    """One status of one dossier to send to the national portal (outbox row and sync log)."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="portal_pushes", verbose_name=_("hồ sơ")
    )
    # No database constraint: dossier events are partitioned by year (core.partitions).
    event = models.ForeignKey(
        DossierEvent,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("sự kiện"),
        db_constraint=False,
    )
    portal_status = models.PositiveSmallIntegerField(
        _("trạng thái gửi"), choices=PortalStatus.choices
    )
    status = models.CharField(
        _("tình trạng"), max_length=8, choices=PushStatus.choices, default=PushStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    # While a sender holds the row this is its lease; otherwise the time of the next (re)try.
    next_attempt_at = models.DateTimeField(_("gửi lần tới"), default=timezone.now)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, default="")
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("đồng bộ trạng thái lên Cổng DVCQG")
        verbose_name_plural = _("nhật ký đồng bộ Cổng DVCQG")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "id"], name="portal_push_pending")]

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.portal_status}"


class PullCheckpoint(models.Model):
    """Where the next pull from a source starts (inclusive), and what the last one did."""

    source = models.CharField(_("hệ thống nguồn"), max_length=32, unique=True)
    since = models.DateTimeField(_("lấy hồ sơ nộp từ"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("lần lấy gần nhất"), null=True, blank=True)
    last_report = models.JSONField(_("kết quả lần gần nhất"), default=dict, blank=True)

    class Meta:
        verbose_name = _("mốc lấy hồ sơ")
        verbose_name_plural = _("mốc lấy hồ sơ")

    def __str__(self) -> str:
        return self.source


class PullFailureStatus(models.TextChoices):
    # The checkpoint waits at it: tried again at each pull.
    HOLDING = "holding", _("Đang thử lại")
    # Failed too often: newer submissions go on; re-pulled only by hand.
    SKIPPED = "skipped", _("Đã bỏ qua")
    # Created (or found already here) at a later pull.
    RESOLVED = "resolved", _("Đã lấy được")


class PullFailure(models.Model):
    """A submission the pull could not create, one row per portal code."""

    source = models.CharField(_("hệ thống nguồn"), max_length=32)
    # The portal's code ("?" when even that was missing).
    code = models.CharField(_("mã hồ sơ trên Cổng"), max_length=100)
    # When it was submitted (empty when malformed beyond that).
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    # The checkpoint the page holding it was read from: a re-pull starts there again.
    pulled_since = models.DateTimeField(_("lấy từ mốc"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"),
        max_length=8,
        choices=PullFailureStatus.choices,
        default=PullFailureStatus.HOLDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần lỗi"), default=0)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, default="")
    first_failed_at = models.DateTimeField(_("lỗi lần đầu"), default=timezone.now)
    last_failed_at = models.DateTimeField(_("lỗi gần nhất lúc"), default=timezone.now)
    resolved_at = models.DateTimeField(_("lấy được lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("hồ sơ lấy từ Cổng DVCQG bị lỗi")
        verbose_name_plural = _("nhật ký lỗi lấy hồ sơ từ Cổng DVCQG")
        ordering = ["-last_failed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "code"], name="pull_failure_unique_code")
        ]

    def __str__(self) -> str:
        return self.code
