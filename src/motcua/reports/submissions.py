"""The reports sent to the Government reporting information system (Hệ thống thông tin báo cáo
Chính phủ, ``reports.govlink``): one row per version of one report of one period and scope,
its payload frozen when it was made (``reports.sending.report_submit``).

A sent version is never edited: a later correction of the figures is a new version with the
next number. The row is also the send log: attempts, the last error, when the system took it
and the identifier it answered with.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency


class SubmissionKind(models.TextChoices):
    II06A = "ii06a", _("Biểu II.06a (tình hình, kết quả giải quyết TTHC)")
    INDICATORS = "indicators", _("Bộ chỉ số chỉ đạo, điều hành (QĐ 766)")


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Hệ thống đã nhận")
    FAILED = "failed", _("Bị từ chối")
    # A newer version was made before this one could be sent: that one carries the figures.
    SUPERSEDED = "superseded", _("Thay bằng phiên bản mới trước khi gửi")


class ReportSubmission(models.Model):
    kind = models.CharField(_("loại báo cáo"), max_length=16, choices=SubmissionKind.choices)
    period = models.CharField(_("kỳ báo cáo"), max_length=8)  # "2022Q3", "2022"
    date_from = models.DateField(_("từ ngày"))
    date_to = models.DateField(_("đến ngày"))
    # The scope (that agency's subtree); none: the whole province.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("phạm vi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("phiên bản"))
    payload = models.JSONField(_("nội dung gửi"))
    # sha256 of the canonical JSON of the payload's figures: equal figures, equal digest.
    sha256 = models.CharField(_("mã băm số liệu (SHA-256)"), max_length=64)
    reason = models.TextField(_("lý do tạo phiên bản mới"), blank=True, default="")
    created_by = models.CharField(_("người tạo"), max_length=150, blank=True, default="")
    status = models.CharField(
        _("tình trạng"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    # While a sender holds the row this is its lease; otherwise the time of the next (re)try.
    next_attempt_at = models.DateTimeField(_("gửi lần tới"), default=timezone.now)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True, default="")
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    response_id = models.CharField(_("mã tiếp nhận"), max_length=128, blank=True, default="")

    class Meta:
        verbose_name = _("báo cáo gửi Hệ thống báo cáo Chính phủ")
        verbose_name_plural = _("nhật ký gửi Hệ thống báo cáo Chính phủ")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "agency", "version"],
                name="report_submission_version",
            ),
            # NULL is never equal to NULL in a unique index: the province's own constraint.
            models.UniqueConstraint(
                fields=["kind", "period", "version"],
                condition=Q(agency__isnull=True),
                name="report_submission_version_province",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="report_sub_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} v{self.version}"
