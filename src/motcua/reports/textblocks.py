"""Staff-edited text blocks of a period report: the paragraphs that are not figures.

Sections I (direction, communication), II (administrative reform results), III.2 (other
activities) and IV (plans) of the seed report are prose written by the office for each
period. A block belongs to a period (exact ``from``/``to`` dates, as given to ``motcua report``)
and a scope (an agency, or none for the whole province); the report document prints the blocks
present, in the order of ``KEYS``, each under its title, and leaves out a section without one.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency


class TextBlockKey(models.TextChoices):
    # Order matters: it is the order of the document (see ``SECTIONS``).
    INTRO = "mo_dau", _("Mở đầu (căn cứ báo cáo)")
    DIRECTION = "chi_dao", _("Chỉ đạo, điều hành")
    COMMUNICATION = "tuyen_truyen", _("Tuyên truyền")
    REFORM = "ket_qua_cchc", _("Kết quả thực hiện công tác cải cách hành chính")
    OTHER = "hoat_dong_khac", _("Các hoạt động khác của Trung tâm")
    PLANS = "phuong_huong", _("Phương hướng, nhiệm vụ")
    CLOSING = "ket_luan", _("Kết luận, kiến nghị")


class ReportTextBlock(models.Model):
    date_from = models.DateField(_("từ ngày"))
    date_to = models.DateField(_("đến ngày"))
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("phạm vi (cơ quan)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Để trống: báo cáo toàn tỉnh"),
    )
    key = models.CharField(_("mục"), max_length=32, choices=TextBlockKey.choices)
    title = models.CharField(
        _("tiêu đề"),
        max_length=255,
        blank=True,
        help_text=_("In đậm trên đoạn văn; có thể để trống"),
    )
    text = models.TextField(_("nội dung"), help_text=_("Mỗi dòng là một đoạn văn"))
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        app_label = "reports"
        verbose_name = _("đoạn văn báo cáo")
        verbose_name_plural = _("đoạn văn báo cáo theo kỳ")
        ordering = ["-date_to", "key", "pk"]
        indexes = [models.Index(fields=["date_from", "date_to"])]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ({self.date_from:%d/%m/%Y}-{self.date_to:%d/%m/%Y})"

    @property
    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


def text_blocks_for(
    *, date_from: dt.date, date_to: dt.date, agency_code: str | None
) -> list[ReportTextBlock]:
    """The blocks of exactly this period and scope, in document order."""
    qs = ReportTextBlock.objects.filter(date_from=date_from, date_to=date_to)
    qs = (
        qs.filter(agency__isnull=True)
        if agency_code is None
        else qs.filter(agency__code=agency_code)
    )
    order = {key: i for i, key in enumerate(TextBlockKey.values)}
    return sorted(qs, key=lambda b: (order.get(b.key, 99), b.pk))


class ReportTextBlockAdmin(admin.ModelAdmin):
    """Registered in ``reports/admin.py`` (this module is imported while models load)."""

    list_display = ["key", "title", "date_from", "date_to", "agency", "updated_at"]
    list_filter = ["key", "date_to"]
    search_fields = ["title", "text"]
    autocomplete_fields = ["agency"]
