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

    @property
    def is_one_stop_unit(self) -> bool:
        """A one-stop service centre or unit (where counter clerks receive dossiers)."""
        return self.kind == AgencyKind.SERVICE_CENTER

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Letterhead(models.Model):
    """What an agency's documents print about it from ``valid_from`` on (ND 30/2020/NĐ-CP,
    Phụ lục I): the governing body's line, the unit's name as printed, the place of the date
    line and the head's title. A blank field is derived (``agencies.letterheads``): the
    superior from the parent, the place from the nearest people's committee, the title from
    the kind. A new row from a date keeps earlier documents as they were printed."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan, đơn vị"),
        on_delete=models.CASCADE,
        related_name="letterheads",
    )
    valid_from = models.DateField(
        _("áp dụng từ"), null=True, blank=True, help_text=_("Để trống: áp dụng từ đầu.")
    )
    superior = models.CharField(
        _("cơ quan chủ quản"),
        max_length=255,
        blank=True,
        help_text=_(
            "Dòng trên tên cơ quan, ví dụ Bảo hiểm xã hội Việt Nam. Để trống: cơ quan cấp trên "
            "trực tiếp; ủy ban nhân dân không có dòng này."
        ),
    )
    unit_name = models.CharField(
        _("tên in trên văn bản"),
        max_length=255,
        blank=True,
        help_text=_("Ví dụ Sở Tư pháp (dưới UBND tỉnh). Để trống: tên cơ quan."),
    )
    place_name = models.CharField(
        _("địa danh"),
        max_length=100,
        blank=True,
        help_text=_(
            "Địa danh ghi trước ngày tháng: tên tỉnh đối với cơ quan cấp tỉnh, tên xã, phường "
            "đối với cấp xã. Để trống: lấy của ủy ban nhân dân gần nhất."
        ),
    )
    head_title = models.CharField(
        _("chức danh người đứng đầu"),
        max_length=100,
        blank=True,
        help_text=_("Ví dụ Giám đốc, Chủ tịch. Để trống: theo loại cơ quan."),
    )
    abbreviation = models.CharField(
        _("chữ viết tắt"),
        max_length=32,
        blank=True,
        help_text=_("Ở dòng Lưu: VT, … ví dụ STP. Để trống: tên viết tắt."),
    )

    class Meta:
        verbose_name = _("thể thức văn bản")
        verbose_name_plural = _("thể thức văn bản")
        ordering = ["agency", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "valid_from"], name="letterhead_one_per_date"
            ),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(valid_from__isnull=True),
                name="letterhead_one_from_start",
            ),
        ]

    def __str__(self) -> str:
        since = self.valid_from.isoformat() if self.valid_from else "…"
        return f"{self.agency.code} {since}"


class AgencyContact(models.Model):
    """Where and when the public reaches an agency (usually a one-stop unit, the place of
    submission): shown on the procedure pages. Plain fields, not dated like ``Letterhead``:
    a page shows today's address and hours, nothing printed earlier depends on them.
    Written only by ``agencies.contacts.agency_contact_save``."""

    agency = models.OneToOneField(
        Agency, verbose_name=_("cơ quan, đơn vị"), on_delete=models.CASCADE, related_name="contact"
    )
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True, default="")
    opening_hours = models.TextField(
        _("giờ làm việc"),
        blank=True,
        default="",
        help_text=_("Mỗi khoảng ngày một dòng, ví dụ Thứ Hai – Thứ Sáu: 7:00–11:30"),
    )
    phone = models.CharField(_("điện thoại"), max_length=50, blank=True, default="")
    hotline = models.CharField(_("đường dây nóng"), max_length=50, blank=True, default="")
    email = models.EmailField(_("thư điện tử"), max_length=254, blank=True, default="")
    map_url = models.URLField(_("đường dẫn bản đồ"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("địa chỉ liên hệ")
        verbose_name_plural = _("địa chỉ liên hệ")

    def __str__(self) -> str:
        return self.agency.code

    @property
    def opening_lines(self) -> list[str]:
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]
