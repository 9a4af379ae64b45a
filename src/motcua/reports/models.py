"""The reports app's own rows: the editable weights of the QĐ 766/QĐ-TTg service index
(indicators.md), the staff-edited paragraphs of the report document, and the period reports
that leaders ask for from the dashboard.

Weights that are not confirmed from the primary text are kept here so that a province can
change them without code; the defaults are seeded by a data migration.

A report of a province takes seconds to tens of seconds to make (measured on the demo
province, 47 717 dossiers: the figures 0,3-0,6 s, then the XLSX 0,8-3,4 s, the DOCX 4,3 s, the
PDF 6,2 s in one process at load average 6; 19-47 s through ``motcua report`` at load 12-16),
too long for a request that a proxy or a worker timeout may cut: the dashboard records the
request (``reports.services.report_request_create``), ``motcua worker`` makes the document
(``reports.jobs``), and the dashboard offers the file when it is ready. The model lived in
``office`` until issue 11; its table was renamed, its rows kept (migration 0004).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency


class IndicatorWeight(models.Model):
    code = models.CharField(_("mã chỉ số"), max_length=64, unique=True)
    group = models.CharField(_("nhóm"), max_length=64)
    name = models.CharField(_("tên chỉ số"), max_length=255)
    points = models.DecimalField(_("điểm tối đa"), max_digits=6, decimal_places=2, default=0)
    # Full marks at this rate (%); below it the score is pro rata. Empty: informational only.
    threshold = models.DecimalField(
        _("ngưỡng đạt điểm tối đa (%)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    confirmed = models.BooleanField(
        _("đã đối chiếu văn bản gốc"),
        default=False,
        help_text=_("Điểm và ngưỡng đã được đối chiếu với Quyết định 766/QĐ-TTg"),
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("trọng số chỉ số")
        verbose_name_plural = _("trọng số chỉ số QĐ 766")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.points} điểm)"


class ReportFormat(models.TextChoices):
    DOCX = "docx", _("Word (DOCX)")
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("Excel (XLSX): biểu II.06a, chỉ số, biểu đồ")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ lập")
    RUNNING = "running", _("Đang lập")
    DONE = "done", _("Đã lập xong")
    FAILED = "failed", _("Lập không thành công")


class ReportRequest(models.Model):
    """One period report asked for by one user, for the scope they may report on."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The scope the report covers (its competent agencies' subtree); none: the whole province.
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("phạm vi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    date_from = models.DateField(_("từ ngày"))
    date_to = models.DateField(_("đến ngày"))
    fmt = models.CharField(_("định dạng"), max_length=8, choices=ReportFormat.choices)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=ReportStatus.choices,
        default=ReportStatus.PENDING,
    )
    file = models.FileField(_("tệp"), upload_to="reports/%Y/%m/", blank=True, default="")
    error = models.TextField(_("lỗi"), blank=True, default="")
    created_at = models.DateTimeField(_("yêu cầu lúc"), auto_now_add=True)
    started_at = models.DateTimeField(_("bắt đầu lập lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("lập xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("yêu cầu lập báo cáo")
        verbose_name_plural = _("yêu cầu lập báo cáo")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="report_request_queue"),
            models.Index(fields=["requested_by", "created_at"], name="report_request_user"),
        ]

    def __str__(self) -> str:
        return f"{self.date_from:%d/%m/%Y}-{self.date_to:%d/%m/%Y} {self.fmt}"


# Staff-edited paragraphs of the report document (the documents helper's model).
# What is sent to the Government reporting information system (reports.govlink).
from motcua.reports.submissions import (  # noqa: E402
    ReportSubmission,
    SubmissionKind,
    SubmissionStatus,
)
from motcua.reports.textblocks import ReportTextBlock, TextBlockKey  # noqa: E402

__all__ = [
    "IndicatorWeight",
    "ReportFormat",
    "ReportRequest",
    "ReportStatus",
    "ReportSubmission",
    "ReportTextBlock",
    "SubmissionKind",
    "SubmissionStatus",
    "TextBlockKey",
]


class RankingScore(models.Model):
    """One agency's QĐ 766 score for a period (a year, or one of its quarters), as computed
    at ``computed_at`` over the days ``date_from``–``date_to``: the ranking is an assessment
    of a period, published as the national portal publishes its own, so the pages read these
    rows instead of computing every agency's indicators on each request
    (``reports.ranking``). Rows of a period are replaced together; a period whose
    ``date_to`` is its last day was computed after it closed and is kept."""

    year = models.PositiveSmallIntegerField(_("năm"))
    # 0: the whole year; 1-4: that quarter's own days.
    quarter = models.PositiveSmallIntegerField(_("quý"), default=0)
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", verbose_name=_("cơ quan")
    )
    date_from = models.DateField(_("từ ngày"))
    date_to = models.DateField(_("đến ngày"))
    score = models.FloatField(_("điểm"))
    points = models.FloatField(_("tổng điểm"))
    # The score by group and indicator, as ``indicators_for_agencies`` gives its "qd766".
    qd766 = models.JSONField(_("điểm theo nhóm"))
    computed_at = models.DateTimeField(_("tính lúc"))

    class Meta:
        verbose_name = _("điểm Bộ chỉ số của kỳ")
        verbose_name_plural = _("điểm Bộ chỉ số theo kỳ (QĐ 766)")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter", "agency"], name="reports_ranking_period_agency"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__lte=4), name="reports_ranking_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}/{self.quarter} {self.agency_id} {self.score}"
