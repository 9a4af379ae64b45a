"""Calendar overrides: official days off and make-up working days that `holidays` lacks."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OverrideKind(models.TextChoices):
    OFF = "off", _("Ngày nghỉ")
    WORKING = "working", _("Ngày làm việc")


class CalendarOverride(models.Model):
    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=8, choices=OverrideKind.choices)
    # The text that decides the day (number, kind, issuer), e.g. "Công văn 12729/VPCP-KGVX của
    # Văn phòng Chính phủ", and its date. Empty only on rows seeded from the ``holidays``
    # package's schedule that no text was found for: those are flagged for the administrator,
    # who cannot save a row without a reference (``calendar_override_save``).
    legal_reference = models.CharField(_("căn cứ"), max_length=255, blank=True)
    legal_reference_date = models.DateField(_("ngày ban hành căn cứ"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True, default="")
    # The calendar cache key reads max(updated_at): an edit anywhere invalidates it.
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("ngày nghỉ / làm bù điều chỉnh")
        verbose_name_plural = _("lịch điều chỉnh")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"

    @property
    def confirmed(self) -> bool:
        return bool(self.legal_reference.strip())
