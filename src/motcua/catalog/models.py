"""The catalogue of administrative procedures (domain.md §3).

A ``Procedure`` is the national code; each change of its rules is a new ``ProcedureVersion``
with validity dates, and a dossier pins the version it was received under.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from motcua.agencies import units
from motcua.agencies.models import Agency, Level
from motcua.archive.models import documents_storage, file_size_label
from motcua.core.text import fold


class DurationUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    CALENDAR_DAYS = "calendar_days", _("ngày")
    WORKING_HOURS = "working_hours", _("giờ làm việc")


class OnlineLevel(models.TextChoices):
    NONE = "none", _("Không cung cấp trực tuyến")
    PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
    FULL = "full", _("Dịch vụ công trực tuyến toàn trình")


class PartKind(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    CERTIFIED = "certified", _("Bản sao chứng thực")
    COPY = "copy", _("Bản sao")


class Field(models.Model):
    """Lĩnh vực: the sector of a procedure (đất đai, tư pháp, …)."""

    name = models.CharField(_("tên lĩnh vực"), max_length=255, unique=True)

    class Meta:
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField(_("mã thủ tục"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ProcedureVersionQuerySet(models.QuerySet["ProcedureVersion"]):
    def live(self) -> ProcedureVersionQuerySet:
        """Versions not superseded by a corrected version for the same validity period."""
        return self.filter(superseded_at__isnull=True)

    def valid_on(self, day: dt.date) -> ProcedureVersionQuerySet:
        return self.filter(
            (Q(valid_from__isnull=True) | Q(valid_from__lte=day))
            & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        )


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("phiên bản"), default=1)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    search_text = models.TextField(
        editable=False, default="", help_text="name folded, no diacritics"
    )
    # The folded name without spaces, kept by the database itself: "khaisinh" (typed on a
    # phone without the space) finds "dang ky khai sinh". PostgreSQL indexes it with pg_trgm
    # (migration 0009), which serves ``LIKE '%…%'``; SQLite scans it (a few thousand rows).
    search_compact = models.GeneratedField(
        expression=Replace(F("search_text"), Value(" "), Value("")),
        output_field=models.TextField(),
        db_persist=True,
    )
    field = models.ForeignKey(Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan có thẩm quyền"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=Level.choices)
    duration = models.DecimalField(_("thời hạn giải quyết"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("đơn vị thời hạn"), max_length=16, choices=DurationUnit.choices)
    cutoff = models.BooleanField(
        _("áp dụng giờ chốt 15:00"),
        default=True,
        help_text=_("Hồ sơ nhận sau 15 giờ được coi là nhận vào ngày làm việc tiếp theo"),
    )
    online = models.CharField(
        _("mức độ trực tuyến"), max_length=16, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    national_portal = models.BooleanField(_("tích hợp Cổng DVC quốc gia"), default=False)
    online_payment = models.BooleanField(_("thanh toán trực tuyến"), default=False)
    one_stop = models.BooleanField(_("thực hiện qua Bộ phận Một cửa"), default=True)
    linked = models.BooleanField(_("liên thông"), default=False)
    fee = models.PositiveBigIntegerField(_("phí, lệ phí (đồng)"), default=0)
    result_type = models.CharField(_("loại kết quả"), max_length=255, blank=True, default="")
    electronic_result = models.BooleanField(_("kết quả điện tử"), default=False)
    # ND 118/2025 Điều 19.2: a stored result keeps its validity period. Months from the day
    # of issue (empty: no limit). Not in the catalogue interchange (catalog.schema.json, a
    # shared spec that admits no other field): set in the admin, carried to the procedure's
    # next version by the import.
    result_validity_months = models.PositiveSmallIntegerField(
        _("thời hạn hiệu lực của kết quả (tháng)"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu kết quả không có thời hạn."),
    )
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True, default="")
    # What the citizen reads before applying (issue 16), not in the catalogue interchange
    # either: the companion ``motcua import procedure-guides`` carries them, and the import
    # passes them to the procedure's next version like ``result_validity_months``.
    conditions = models.TextField(_("yêu cầu, điều kiện thực hiện"), blank=True, default="")
    applicant_steps = models.TextField(
        _("trình tự thực hiện (công dân đọc)"),
        blank=True,
        default="",
        help_text=_("Mỗi bước một dòng. Khác với quy trình nội bộ."),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a later version replaced this one for the same agency and validity period
    # (a corrected catalogue). The row stays: dossiers received under it keep pinning it.
    superseded_at = models.DateTimeField(_("bị thay thế lúc"), null=True, blank=True)

    objects = ProcedureVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")
        ordering = ["procedure__code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "number"], name="procedure_version_unique"
            ),
            models.CheckConstraint(condition=Q(duration__gte=0), name="procedure_duration_gte_0"),
        ]
        indexes = [models.Index(fields=["agency", "valid_to"])]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} — {self.name}"

    @property
    def applicant_step_lines(self) -> list[str]:
        return [line.strip() for line in self.applicant_steps.splitlines() if line.strip()]

    @property
    def budget_hours(self) -> Decimal:
        """The legal time expressed in working hours, to compare with step budgets."""
        from motcua.workdays.clock import legal_time_in_working_hours

        return legal_time_in_working_hours(self.duration, self.unit)


class ProvinceWideListing(models.Model):
    """A procedure on a province's list of procedures received regardless of administrative
    boundaries ("tiếp nhận không phụ thuộc địa giới hành chính"): ND 118/2025, the list is
    published by a decision of the chairman of the provincial People's Committee and applies
    from its date. The list names procedures, not versions: a new version of a listed
    procedure stays listed; a later decision lists anew (its own row) and ``valid_to`` closes
    a row the procedure leaves by. Who may receive: ``dossiers.intake_points``. Written only
    by ``catalog.services.province_wide_listing_save``."""

    province = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tỉnh (UBND tỉnh công bố)"),
    )
    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.PROTECT,
        related_name="province_wide_listings",
        verbose_name=_("thủ tục"),
    )
    decision = models.CharField(_("số quyết định công bố danh mục"), max_length=100)
    valid_from = models.DateField(_("ngày quyết định (áp dụng từ)"))
    valid_to = models.DateField(
        _("áp dụng đến"),
        null=True,
        blank=True,
        help_text=_("Ngày cuối cùng thuộc danh mục; trống: đến quyết định sau."),
    )

    class Meta:
        verbose_name = _("thủ tục tiếp nhận không phụ thuộc địa giới hành chính")
        verbose_name_plural = _("danh mục tiếp nhận không phụ thuộc địa giới hành chính")
        ordering = ["province", "procedure__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "procedure", "decision"],
                name="province_wide_listing_unique",
            ),
            # The list is published by a decision: a row without its number is not the list.
            models.CheckConstraint(
                condition=~Q(decision=""), name="province_wide_listing_decision"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="province_wide_listing_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} — {self.decision}"


class StepKind(models.TextChoices):
    """What a workflow step does: who may decide on a dossier is read from it
    (``dossiers.rules``). The catalogue's interchange format has no such field, so an import
    infers it from the step's name (``step_kind_for``); the admin corrects it."""

    RECEIVE = "receive", _("Tiếp nhận")
    PROCESS = "process", _("Thụ lý, thẩm định")
    SIGN = "sign", _("Duyệt, ký")
    RETURN = "return", _("Trả kết quả")


def step_kind_for(name: str) -> StepKind:
    """The kind a step's name says: "… ký …" or "… phê duyệt" signs (the last such step of a
    workflow decides: ``dossiers.rules.decision_step``), "Tiếp nhận …" receives, "Trả kết
    quả" returns; anything else processes."""
    words = name.casefold().replace(",", " ").split()
    text = " ".join(words)
    if "ký" in words or "phê duyệt" in text or "duyệt" in words:
        return StepKind.SIGN
    if text.startswith("tiếp nhận"):
        return StepKind.RECEIVE
    if text.startswith("trả kết quả"):
        return StepKind.RETURN
    return StepKind.PROCESS


class WorkflowStep(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("bước"), max_length=255)
    # The unit performing the step: an agency of the register, else (only then) a label
    # such as "Lãnh đạo Sở" (``motcua.agencies.units``).
    unit = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị thực hiện"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit_label = models.CharField(
        _("đơn vị / vai trò ngoài danh mục"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("Chỉ ghi khi đơn vị thực hiện bước không có trong danh mục cơ quan"),
    )
    hours = models.DecimalField(_("thời gian (giờ làm việc)"), max_digits=8, decimal_places=2)
    kind = models.CharField(
        _("loại bước"),
        max_length=16,
        choices=StepKind.choices,
        default=StepKind.PROCESS,
        help_text=_(
            "Bước “Duyệt, ký” cuối cùng của quy trình là bước ghi nhận kết quả giải quyết."
        ),
    )

    class Meta:
        verbose_name = _("bước quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="workflow_step_unique"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="workflow_step_hours_gte_0"),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(unit_label=""),
                name="workflow_step_unit_or_label",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"

    @property
    def unit_name(self) -> str:
        return units.unit_name(self.unit, self.unit_label)


class Part(models.Model):
    """Thành phần hồ sơ: a document the applicant must provide."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    copies = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    kind = models.CharField(
        _("loại bản"), max_length=16, choices=PartKind.choices, default=PartKind.COPY
    )
    reusable = models.BooleanField(_("có thể lấy từ kho dữ liệu điện tử"), default=False)

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="part_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class BlankFormType(models.TextChoices):
    PDF = "application/pdf", "PDF"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word (DOCX)"


class BlankForm(models.Model):
    """Mẫu đơn, tờ khai: a blank form the applicant fills in (e.g. "Mẫu số 03/2013/TT-LLTP"),
    published on the procedure's page for download. Its own small model rather than an
    ``archive.Document``: a document is something held for a dossier or a citizen (retention,
    holder, signature, access through the dossier), a blank form is public catalogue content
    that follows its version. The file goes through the archive's storage all the same
    (``archive.models.documents_storage``), so backups and the orphan sweep cover it. Written
    only by ``catalog.guides.procedure_guide_save``."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="forms")
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên mẫu"), max_length=500)
    number = models.CharField(_("số hiệu mẫu"), max_length=100, blank=True, default="")
    file = models.FileField(
        _("tệp"), storage=documents_storage, upload_to="forms/%Y/%m/", max_length=255
    )
    content_type = models.CharField(max_length=100, choices=BlankFormType.choices)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("mẫu đơn, tờ khai")
        verbose_name_plural = _("mẫu đơn, tờ khai")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="blank_form_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()

    @property
    def extension(self) -> str:
        return ".pdf" if self.content_type == BlankFormType.PDF else ".docx"

    @property
    def size_label(self) -> str:
        return file_size_label(self.size)

    @property
    def download_name(self) -> str:
        """ "Mẫu số 03/2013/TT-LLTP" -> "mau-so-03-2013-tt-lltp.pdf": ASCII, never the name
        of the file the importer had."""
        stem = slugify(fold(self.number or self.name).replace("/", " "))[:60] or "mau"
        return f"{stem}{self.extension}"
