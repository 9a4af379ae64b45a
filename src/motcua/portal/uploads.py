"""Checking what a citizen uploads: the type by its content, the size by a setting.

A file's name and the browser's Content-Type are the sender's claims; the first bytes are
not. Only PDF, JPEG and PNG are accepted, recognised by their signatures, and the stored
file gets the extension of the type found (never the name sent).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from motcua.core.formatting import vn_decimal

# (signature, content type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
EXTENSIONS = {content_type: ext for _sig, content_type, ext in SIGNATURES}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class UploadRefused(Exception):
    """A file that is not accepted; the message is Vietnamese and names the file."""


@dataclass(frozen=True)
class CheckedUpload:
    upload: UploadedFile
    content_type: str
    sha256: str
    size: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]


def upload_max_bytes() -> int:
    return int(getattr(settings, "MOTCUA", {}).get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def content_type_sniff(head: bytes) -> str | None:
    """The accepted type whose signature ``head`` starts with, or None."""
    for signature, content_type, _ext in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def upload_check(upload: UploadedFile) -> CheckedUpload:
    """The upload with its real type and SHA-256, or ``UploadRefused``."""
    name = upload.name or _("tệp")
    limit = upload_max_bytes()
    size = upload.size or 0
    if size > limit:
        raise UploadRefused(
            _("Tệp “%(name)s” quá lớn (%(size)s MB); tối đa %(limit)s MB mỗi tệp.")
            % {
                "name": name,
                "size": vn_decimal(size / (1024 * 1024), 1),
                "limit": vn_decimal(limit / (1024 * 1024), 0),
            }
        )
    if size == 0:
        raise UploadRefused(_("Tệp “%(name)s” rỗng.") % {"name": name})
    upload.seek(0)
    head = upload.read(16)
    content_type = content_type_sniff(head)
    if content_type is None:
        raise UploadRefused(
            _(
                "Tệp “%(name)s” không phải tệp PDF, JPEG hoặc PNG (hệ thống kiểm tra nội dung "
                "tệp, không dựa vào tên tệp). Vui lòng chọn tệp khác."
            )
            % {"name": name}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(
        upload=upload, content_type=content_type, sha256=digest.hexdigest(), size=size
    )
