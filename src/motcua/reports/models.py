"""The editable weights of the QĐ 766/QĐ-TTg service index (indicators.md).

Weights that are not confirmed from the primary text are kept here so that a province can
change them without code; the defaults are seeded by a data migration.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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


# Staff-edited paragraphs of the report document (the documents helper's model).
from motcua.reports.textblocks import ReportTextBlock, TextBlockKey  # noqa: E402

__all__ = ["IndicatorWeight", "ReportTextBlock", "TextBlockKey"]
