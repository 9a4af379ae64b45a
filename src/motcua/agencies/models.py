"""Administrative units and agencies, with validity dates and successors.

The district level ended on 30/6/2025 and provinces merged (domain.md §2): an agency is never
deleted; it gets ``valid_to`` and a ``successor`` and keeps its past dossiers.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class AgencyKind(models.TextChoices):
    PEOPLE_COMMITTEE = "people_committee", _("Ủy ban nhân dân")
    DEPARTMENT = "department", _("Sở, ban, ngành")
    SERVICE_CENTER = "service_center", _("Trung tâm Phục vụ hành chính công / Bộ phận Một cửa")
    VERTICAL = "vertical", _("Cơ quan ngành dọc")
    UNIT = "unit", _("Phòng, đơn vị trực thuộc")


class Agency(models.Model):
    code = models.CharField(
        _("mã định danh"),
        max_length=32,
        unique=True,
        help_text=_("Mã định danh điện tử theo QCVN 102:2016/BTTTT, ví dụ 000.00.19.H18"),
    )
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=100, blank=True)
    level = models.CharField(_("cấp"), max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField(
        _("loại"), max_length=32, choices=AgencyKind.choices, default=AgencyKind.DEPARTMENT
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    # Materialised path of ancestor ids ("/1/5/17/"), kept by agencies.services so that a
    # scope ("this agency and everything under it") is one indexed prefix filter.
    path = models.CharField(max_length=512, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["path", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="agency_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )
