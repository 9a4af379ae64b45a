"""Opening a stored document: the one response every channel sends (the staff pages, the
citizen's pages, the API), and the audit row of each open.

Who may open a document is the caller's business (the dossier's own access rule, or the
citizen's store); this module decides *how* its bytes leave the system:

- the content type is the one recorded when the document was stored (the upload rule checked
  the content then), never a guess from its name or its bytes;
- PDF, JPEG and PNG open in the browser (``inline``), anything else is a download;
- ``X-Content-Type-Options: nosniff``, so that a browser never reads the bytes as another type;
- ``Cache-Control: private, no-store``: personal data (domain.md §12);
- a sandboxing Content-Security-Policy (``FILE_POLICY``): the file is treated as a page of a
  unique origin that may run no script, load nothing and be framed by no one. Chromium's PDF
  viewer still renders a PDF under it (checked with Debian's Chromium 156, the browser tests'),
  and its image viewer needs only inline styles.
"""

from __future__ import annotations

from pathlib import PurePath

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import FileResponse, Http404

from motcua.archive.models import Document
from motcua.core.audit import audit_log

# The types a browser shows by itself without running anything of the file's author.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})

FILE_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)


def document_filename(document: Document, prefix: str) -> str:
    """``<prefix>-<id>.<ext>``: never the sender's own file name (it may carry anything)."""
    suffix = PurePath(document.file.name or "").suffix.lower()
    return f"{prefix}-{document.pk}{suffix}"


def document_response(document: Document, *, filename: str, download: bool = False) -> FileResponse:
    """The document's bytes with the headers above; ``download`` forces an attachment."""
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:  # a row whose file is gone: as missing as no row
        raise Http404 from exc
    content_type = document.content_type or "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=download or content_type not in INLINE_TYPES,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = FILE_POLICY
    return response


def document_open(
    document: Document,
    *,
    actor: AbstractBaseUser | AnonymousUser,
    via: str,
    filename: str,
    download: bool = False,
) -> FileResponse:
    """Audit that ``actor`` opened ``document`` (action ``document.open``: on its dossier's
    trail when it has one, else on the document) and answer its bytes."""
    response = document_response(document, filename=filename, download=download)
    dossier_code = document.dossier.code if document.dossier_id else ""  # type: ignore[union-attr]
    audit_log(
        actor=actor,
        action="document.open",
        object_type="dossier" if dossier_code else "document",
        object_id=dossier_code or str(document.pk),
        data={
            "document": document.pk,
            "name": document.name,
            "kind": document.kind,
            "download": bool(response.as_attachment),
            "via": via,
        },
    )
    return response
