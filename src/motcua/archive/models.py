"""Stored documents (domain.md §10): every file that a dossier received, produced or issued,
and every document of a citizen's electronic store ("Kho giấy tờ"), with the metadata that
ND 118/2025 asks of an electronic document.

One row is one document *as held in one place*: the scan of a paper part in a dossier, a
part uploaded online, a result, a citizen's own copy. A reused document is a new row (for
the dossier that reuses it) naming the same stored file and pointing at its ``source``: the
bytes are never copied, the reuse is counted on the part, and each row keeps its own
retention. Files go through the ``documents`` storage (``settings.STORAGES``: local disk
outside the web root by default, an S3-compatible bucket by configuration).

The archive knows nothing of dossiers' rules: it holds the rows and files; the dossier
services decide when a document is made (``archive.services``), the pages and the API decide
who may open it through the dossier's own access rule.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils import timezone
from django.utils.functional import LazyObject, Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.formatting import vn_decimal


class DocumentsStorage(LazyObject):
    """``STORAGES["documents"]``, resolved at first use (as Django's ``default_storage``) and
    again after the setting changes (``archive.apps``), so that a test may point it
    elsewhere."""

    def _setup(self) -> None:
        self._wrapped = storages["documents"]


documents_storage_object = DocumentsStorage()


def documents_storage() -> Storage:
    """The storage of stored documents (the field's callable, named in migrations)."""
    return documents_storage_object  # type: ignore[return-value]


class DocumentKind(models.TextChoices):
    PART = "part", _("Thành phần hồ sơ")
    RESULT = "result", _("Kết quả giải quyết")
    FORM = "form", _("Mẫu, phiếu đã ban hành")
    UPLOAD = "upload", _("Giấy tờ công dân lưu vào kho")


class Origin(models.TextChoices):
    ONLINE = "online", _("Nộp trực tuyến")
    SCAN = "scan", _("Số hóa tại bộ phận một cửa")
    ISSUED = "issued", _("Do cơ quan ban hành")
    REUSE = "reuse", _("Tái sử dụng từ kho dữ liệu")
    IMPORT = "import", _("Chuyển từ hệ thống cũ")


class SignatureStatus(models.TextChoices):
    NONE = "", _("Không có chữ ký số")
    VALID = "valid", _("Chữ ký số hợp lệ")
    INVALID = "invalid", _("Chữ ký số không hợp lệ")
    UNTRUSTED = "untrusted", _("Chữ ký đúng nhưng chứng thư số không được tin cậy")
    EXPIRED = "expired", _("Chứng thư số đã hết hạn khi ký")


# Years a document is kept, by kind (a deployment overrides them with
# MOTCUA_RETENTION_YEARS, ``settings.MOTCUA["RETENTION_YEARS"]``). Forms and parts follow the
# dossier's own retention under the archive law (Luật Lưu trữ 2024, Luật số 33/2024/QH15:
# the periods are set by the Ministry of Home Affairs' lists; Thông tư 10/2022/TT-BNV gives
# the periods of documents common to all agencies, 5–20 years by field for case files,
# 10 taken here as the default); a result issued to a person is kept for good (0), as the
# issuing agency's copy of an individual decision. Checked against those texts' structure
# only, not line by line against TT 10/2022's table (not at hand when this was written): the
# records office of each installation confirms or overrides them.
RETENTION_YEARS: dict[str, int] = {
    DocumentKind.PART: 10,
    DocumentKind.FORM: 10,
    DocumentKind.RESULT: 0,
    DocumentKind.UPLOAD: 0,
}


def retention_years(kind: str) -> int:
    """Years to keep a document of ``kind``; 0 is "for good"."""
    overrides = getattr(settings, "MOTCUA", {}).get("RETENTION_YEARS", {})
    return int(overrides.get(kind, RETENTION_YEARS.get(kind, 10)))


# A file's type in words, by the content type recorded when it was stored (never guessed
# from its name when it is shown).
TYPE_LABELS: dict[str, str | Promise] = {
    "application/pdf": "PDF",
    "image/jpeg": _("Ảnh JPEG"),
    "image/png": _("Ảnh PNG"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
    "application/msword": "Word (DOC)",
    "application/xml": "XML",
    "text/xml": "XML",
    "application/zip": "ZIP",
}


def file_size_label(size: int) -> str:
    """1234567 -> '1,2 MB' (Vietnamese decimal comma, domain.md §11)."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{vn_decimal(size / 1024, 0)} KB"
    return f"{vn_decimal(size / (1024 * 1024), 1)} MB"


class Document(models.Model):
    kind = models.CharField(_("loại"), max_length=16, choices=DocumentKind.choices)
    origin = models.CharField(_("nguồn"), max_length=16, choices=Origin.choices)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    summary = models.CharField(_("trích yếu"), max_length=1000, blank=True, default="")
    # The document-type code (a result's type, a part's position in its procedure).
    type_code = models.CharField(_("mã loại giấy tờ"), max_length=64, blank=True, default="")
    # ND 118/2025 Điều 22.4: an electronic result's code is the holder's identifier followed
    # by the result-type code.
    code = models.CharField(_("mã giấy tờ"), max_length=100, blank=True, default="")
    holder_id_number = models.CharField(
        _("số định danh của chủ giấy tờ"), max_length=13, blank=True, default="", db_index=True
    )
    holder_name = models.CharField(_("chủ giấy tờ"), max_length=255, blank=True, default="")
    # The citizen account whose store shows it (none: only the dossier's record).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản lưu giữ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )
    in_store = models.BooleanField(_("trong kho giấy tờ của công dân"), default=False)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255, blank=True, default="")
    issuer_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("cơ quan ban hành (danh mục)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    # ND 118/2025 Điều 19.2: validity period and scope.
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    validity_scope = models.CharField(_("phạm vi hiệu lực"), max_length=255, blank=True, default="")
    # Who signed it (from a verified digital signature, or as recorded) and when.
    signer = models.CharField(_("người ký"), max_length=255, blank=True, default="")
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    signature_status = models.CharField(
        _("chữ ký số"),
        max_length=16,
        choices=SignatureStatus.choices,
        blank=True,
        default=SignatureStatus.NONE,
    )
    signature_detail = models.JSONField(_("kết quả kiểm tra chữ ký"), default=dict, blank=True)

    file = models.FileField(
        _("tệp"), storage=documents_storage, upload_to="documents/%Y/%m/", max_length=255
    )
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), default=0)
    sha256 = models.CharField(max_length=64, db_index=True)

    # Where it came from: the dossier and the part it belongs to (none for a citizen's own).
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    dossier_part = models.ForeignKey(
        "dossiers.DossierPart",
        verbose_name=_("thành phần hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    # A reused document: the stored document it was taken from (same file, not a copy).
    source = models.ForeignKey(
        "self",
        verbose_name=_("lấy từ giấy tờ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reuses",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lưu, số hóa"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("lưu lúc"), db_index=True)
    # Years to keep it from ``created_at`` (0: for good), fixed when stored.
    retention_years = models.PositiveSmallIntegerField(_("thời hạn bảo quản (năm)"), default=10)

    class Meta:
        verbose_name = _("giấy tờ lưu trữ")
        verbose_name_plural = _("giấy tờ lưu trữ")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "in_store", "-created_at"], name="document_store"),
            models.Index(fields=["dossier", "kind"], name="document_dossier"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def retain_until(self) -> dt.date | None:
        """The last day it must be kept; None when kept for good."""
        if not self.retention_years:
            return None
        created = self.created_at.date()
        try:
            return created.replace(year=created.year + self.retention_years)
        except ValueError:  # 29 February
            return created.replace(year=created.year + self.retention_years, day=28)

    @property
    def type_label(self) -> str:
        """The file's type in words ("PDF", "Ảnh JPEG"), from its recorded content type."""
        label = TYPE_LABELS.get(self.content_type)
        if label is not None:
            return str(label)
        suffix = PurePath(self.file.name or "").suffix.lstrip(".").upper()
        return suffix or str(_("Tệp"))

    @property
    def size_label(self) -> str:
        """The file's size as a person reads it: "590 B", "48 KB", "1,2 MB"."""
        return file_size_label(self.size)

    @property
    def is_valid_today(self) -> bool:
        today = timezone.localdate()
        if self.valid_from and today < self.valid_from:
            return False
        return not (self.valid_until and today > self.valid_until)


def held_upload_path(instance: HeldUpload, filename: str) -> str:
    # A random name: the sender's name is for display only, never used on disk.
    return f"held/{uuid.uuid4().hex}"


class HeldUpload(models.Model):
    """A checked file sent with a form that failed validation, kept so that it never has to
    be picked again (issue 13 item 7): the page shows it as "đã tải" with a token that the
    next submit of the same person sends back. Only the same account and session can take it
    (``archive.services.upload_take``); it is deleted after use or ``HELD_FOR`` later
    (``held_uploads_expire``). Not a document: no dossier names it until a form succeeds."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    session_key = models.CharField(max_length=40, blank=True, default="")
    file = models.FileField(storage=documents_storage, upload_to=held_upload_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("tệp đã tải giữ lại")
        verbose_name_plural = _("tệp đã tải giữ lại")

    def __str__(self) -> str:
        return self.original_name
