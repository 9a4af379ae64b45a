"""Which files a dossier accepts: its parts (what a citizen uploads) and its result.

A file's name and the browser's Content-Type are the sender's claims; the first bytes are
not. A part is PDF, JPEG or PNG, recognised by its signature, up to a size set by the
deployment, and is stored with the extension of the type found (never the name sent). A
result file (ND 118/2025 Điều 22: an electronic or scanned result) is one of a few document
types up to 20 MB, and its content must be what its name says.

A PDF that carries digital signatures has them verified here too (``archive.signing``): a
signature that no longer matches the content (the file was changed after signing) refuses
the file, whatever it is a part or a result; a valid, untrusted or expired one is recorded on
the stored document (``archive.services.document_store``).

Stated once here, for every channel: the portal and the staff form check before the service
call to show the error beside the field, the API likewise, and ``dossier_finish`` checks
again so that no caller can store what the rule refuses.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from motcua.archive.signing import SignatureError, pdf_signature_record, trust_roots_load
from motcua.core.formatting import vn_decimal
from motcua.dossiers.errors import DossierError

# (signature, content type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
EXTENSIONS = {content_type: ext for _sig, content_type, ext in SIGNATURES}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class UploadRefused(DossierError):
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


def pdf_signature_check(upload: File) -> None:
    """``UploadRefused`` when the PDF ``upload`` carries a signature that does not hold (or
    is signed and unreadable); an unsigned PDF passes untouched."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        pdf_signature_record(data, trust_roots_load())
    except SignatureError as exc:
        raise UploadRefused(
            _("Tệp “%(name)s”: %(message)s") % {"name": upload.name or _("tệp"), "message": exc}
        ) from exc


P = ParamSpec("P")
R = TypeVar("R")


def signature_refusals(function: Callable[P, R]) -> Callable[P, R]:
    """The archive's refusal of a signature or a certificate (``SignatureError``), raised
    by a dossier service as the ``UploadRefused`` that pages and the API show (a field error,
    a 422)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except SignatureError as exc:
            raise UploadRefused(str(exc)) from exc

    return wrapper


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
    if content_type == "application/pdf":
        pdf_signature_check(upload)
    return CheckedUpload(
        upload=upload, content_type=content_type, sha256=digest.hexdigest(), size=size
    )


# --- the result file -------------------------------------------------------------------------

RESULT_EXTENSIONS = ["pdf", "docx", "doc", "jpg", "jpeg", "png", "xml", "zip"]
RESULT_MAX_BYTES = 20 * 1024 * 1024
# What each accepted extension's content starts with.
_ZIP = (b"PK\x03\x04",)
RESULT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    **{ext.lstrip("."): (sig,) for sig, _type, ext in SIGNATURES},
    "jpeg": (b"\xff\xd8\xff",),
    "docx": _ZIP,
    "zip": _ZIP,
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),  # OLE2 compound file
    "xml": (b"<", b"\xef\xbb\xbf<"),
}


def result_extension(name: str | None) -> str:
    """The extension a result file's name claims, lower case, without the dot."""
    return (name or "").rpartition(".")[2].lower()


def result_file_check(upload: File) -> None:
    """``UploadRefused`` unless ``upload`` is an accepted result file: an accepted extension,
    at most 20 MB, and content that starts as that type's does."""
    extension = result_extension(upload.name)
    if extension not in RESULT_EXTENSIONS:
        raise UploadRefused(
            _("Tệp kết quả phải có đuôi: %(allowed)s.") % {"allowed": ", ".join(RESULT_EXTENSIONS)}
        )
    if (upload.size or 0) > RESULT_MAX_BYTES:
        raise UploadRefused(_("Tệp kết quả lớn hơn 20 MB."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if extension == "xml":
        head = head.lstrip(b" \t\r\n")
    if not head.startswith(RESULT_SIGNATURES[extension]):
        raise UploadRefused(
            _(
                "Nội dung tệp “%(name)s” không phải tệp %(kind)s như tên tệp cho biết (hệ "
                "thống kiểm tra nội dung tệp). Vui lòng chọn đúng tệp kết quả."
            )
            % {"name": upload.name, "kind": extension.upper()}
        )
    if extension == "pdf":
        pdf_signature_check(upload)


RESULT_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "xml": "application/xml",
    "zip": "application/zip",
}


def result_content_type(upload: File) -> str:
    """The content type of a result file that ``result_file_check`` accepted."""
    return RESULT_CONTENT_TYPES.get(result_extension(upload.name), "application/octet-stream")
