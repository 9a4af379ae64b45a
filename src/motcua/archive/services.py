"""Writes of the archive: a document stored, a document reused, a citizen's own deleted.

Callers run these inside ``archive.files.atomic_with_files`` (the dossier services do, the
portal does): the file is written under its final name before the row that names it, and
removed if the transaction rolls back. The content has been checked by the caller's rule
(``dossiers.uploads``) before it reaches here; the archive records what it is given, and
reads the digital signatures of a PDF itself (``archive.signing``), so that whatever the
channel a stored PDF says who signed it and whether the signature holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.archive.files import atomic_with_files, file_store
from motcua.archive.models import Document, DocumentKind, HeldUpload, Origin, retention_years
from motcua.archive.signing import pdf_signature_record, trust_roots_load
from motcua.core.audit import audit_log

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentMeta:
    """What is known of a document besides its bytes (domain.md §10)."""

    name: str
    kind: str
    origin: str
    summary: str = ""
    type_code: str = ""
    code: str = ""
    holder_id_number: str = ""
    holder_name: str = ""
    issuer: str = ""
    issuer_agency_id: int | None = None
    issued_on: dt.date | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    validity_scope: str = ""
    signer: str = ""
    signed_at: dt.datetime | None = None
    signature_status: str = ""
    signature_detail: dict[str, Any] = field(default_factory=dict)


def file_sha256(content: File) -> str:
    digest = hashlib.sha256()
    content.seek(0)
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    return digest.hexdigest()


def document_signatures_read(content: File, content_type: str, meta: DocumentMeta) -> DocumentMeta:
    """``meta`` with what the PDF's own signatures say (signer, time, status and each
    check), unless the caller already recorded a signature. Raises
    ``archive.signing.SignatureBroken`` for a signature that no longer matches the content
    (such a file is not stored) and ``PdfCorrupt`` for a signed file that cannot be read."""
    if content_type != "application/pdf" or meta.signature_status:
        return meta
    content.seek(0)
    data = content.read()
    content.seek(0)
    record = pdf_signature_record(data, trust_roots_load())
    if not record.status:
        return meta
    return replace(
        meta,
        signer=record.signer,
        signed_at=record.signed_at,
        signature_status=record.status,
        signature_detail=record.detail or {},
    )


def document_store(
    *,
    content: File,
    content_type: str,
    meta: DocumentMeta,
    actor: User | None = None,
    owner: User | None = None,
    in_store: bool = False,
    dossier: Any = None,
    dossier_part: Any = None,
    sha256: str = "",
    extension: str = "",
) -> Document:
    """Store ``content`` as a new document. The file gets a random name with ``extension``
    (or the one of its name): the sender's name is never used on disk. A PDF's signatures
    are verified and recorded (``document_signatures_read``)."""
    meta = document_signatures_read(content, content_type, meta)
    now = timezone.now()
    suffix = extension or PurePath(content.name or "").suffix.lower()[:10]
    document = Document(
        kind=meta.kind,
        origin=meta.origin,
        name=meta.name.strip()[:500],
        summary=meta.summary[:1000],
        type_code=meta.type_code[:64],
        code=meta.code[:100],
        holder_id_number=meta.holder_id_number,
        holder_name=meta.holder_name[:255],
        owner=owner,
        in_store=in_store,
        issuer=meta.issuer[:255],
        issuer_agency_id=meta.issuer_agency_id,
        issued_on=meta.issued_on,
        valid_from=meta.valid_from,
        valid_until=meta.valid_until,
        validity_scope=meta.validity_scope[:255],
        signer=meta.signer[:255],
        signed_at=meta.signed_at,
        signature_status=meta.signature_status,
        signature_detail=meta.signature_detail,
        content_type=content_type,
        size=content.size or 0,
        sha256=sha256 or file_sha256(content),
        dossier=dossier,
        dossier_part=dossier_part,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=now,
        retention_years=retention_years(meta.kind),
    )
    file_store(document.file, f"{uuid.uuid4().hex}{suffix}", content)
    document.save()
    return document


def document_reuse(
    *,
    source: Document,
    kind: str = DocumentKind.PART,
    actor: User | None = None,
    dossier: Any = None,
    dossier_part: Any = None,
    name: str = "",
) -> Document:
    """A new row for ``dossier``'s part naming ``source``'s stored file (not a copy), with
    its metadata, its ``source`` and the origin "reuse"."""
    document = Document.objects.get(pk=source.pk)  # every field, whatever the caller loaded
    document.pk = None
    document.id = None
    document._state.adding = True
    document.kind = kind
    document.origin = Origin.REUSE
    document.name = (name or source.name)[:500]
    document.source = source
    document.owner = None
    document.in_store = False
    document.dossier = dossier
    document.dossier_part = dossier_part
    document.created_by = actor if actor is not None and actor.is_authenticated else None
    document.created_at = timezone.now()
    document.retention_years = retention_years(kind)
    document.save()
    return document


# --- uploads held across a failed form ---------------------------------------------------------

# How long a held upload waits for the form to be sent again.
HELD_FOR = dt.timedelta(hours=24)


def upload_hold(
    content: File,
    *,
    content_type: str,
    sha256: str = "",
    user: User | AnonymousUser | None,
    session_key: str,
) -> HeldUpload:
    """Keep a file that passed its field's content check, sent with a form that failed for
    another reason, and return its row (its ``token`` goes into the page). ``content.name``
    is kept for display only. The holder is ``user`` (when signed in) and ``session_key``:
    ``upload_take`` answers only to both."""
    owner = user if isinstance(user, User) else None  # a User is signed in; AnonymousUser not
    if owner is None and not session_key:
        raise ValueError("an upload is held for a user or a session")
    held = HeldUpload(
        token=secrets.token_urlsafe(32),
        user=owner,
        session_key=session_key,
        original_name=PurePath(content.name or "").name[:255] or "tep",
        content_type=content_type,
        size=content.size or 0,
        sha256=sha256 or file_sha256(content),
        created_at=timezone.now(),
    )
    content.seek(0)
    with atomic_with_files():
        file_store(held.file, "held", content)
        held.save()
    return held


def upload_take(
    token: str, *, user: User | AnonymousUser | None, session_key: str
) -> HeldUpload | None:
    """The upload held under ``token`` for this user and session, or None: an unknown, an
    expired and another person's token look the same. The row stays until
    ``upload_release`` (after the form succeeded) or its expiry."""
    if not token or not session_key:
        return None
    held = HeldUpload.objects.filter(
        token=token, session_key=session_key, created_at__gt=timezone.now() - HELD_FOR
    )
    if user is not None and user.is_authenticated:
        held = held.filter(user_id=user.pk)
    else:
        held = held.filter(user__isnull=True)
    return held.first()


def _held_delete(held: HeldUpload) -> None:
    name = held.file.name
    held.delete()
    if name:
        held.file.storage.delete(name)


def upload_release(held: HeldUpload) -> None:
    """Forget a held upload once the form that used it succeeded (its content has been
    stored where it belongs) or once another file replaced it."""
    _held_delete(held)


def held_uploads_expire(*, older_than: dt.timedelta = HELD_FOR) -> int:
    """Delete the held uploads older than ``older_than`` and their files; return how many.
    Idempotent: the hourly ``held_uploads_expire`` job of `motcua worker`."""
    expired = list(HeldUpload.objects.filter(created_at__lte=timezone.now() - older_than))
    for held in expired:
        _held_delete(held)
    if expired:
        logger.info("%d held upload(s) expired", len(expired))
    return len(expired)


# --- the citizen's store -----------------------------------------------------------------------


class StoredDocumentKept(Exception):
    """A document of the store that its owner may not delete; the message says why."""


def stored_document_delete(*, document: Document, actor: User) -> None:
    """Delete ``document`` from ``actor``'s store: the row, and its file once no other row
    names it. Only what the citizen put there themselves may go: a result issued to them
    (ND 118/2025 Điều 19: the issuing body's record of it) and a document a dossier's part
    uses (reused from the store: the part names the same file) are kept, with
    ``StoredDocumentKept`` saying why. Anything else is refused as missing (the caller
    found it through ``store_documents_for``, so "not yours" cannot arise from the pages).
    Audited; the file goes after the commit."""
    with transaction.atomic():
        locked = (
            Document.objects.select_for_update()
            .filter(pk=document.pk, owner_id=actor.pk, in_store=True)
            .first()
        )
        if locked is None:
            raise Document.DoesNotExist
        if locked.kind != DocumentKind.UPLOAD or locked.dossier_id is not None:
            raise StoredDocumentKept(
                _("Đây là kết quả giải quyết cơ quan đã cấp cho bạn, không thể xóa khỏi kho.")
            )
        if locked.reuses.exists():
            raise StoredDocumentKept(
                _("Giấy tờ này đang được dùng trong hồ sơ đã nộp, không thể xóa khỏi kho.")
            )
        name = locked.file.name
        storage = locked.file.storage
        audit_log(
            actor=actor,
            action="document.delete",
            object_type="document",
            object_id=locked.pk,
            data={"name": locked.name, "sha256": locked.sha256, "size": locked.size},
        )
        locked.delete()
        if name and not Document.objects.filter(file=name).exists():
            transaction.on_commit(lambda: storage.delete(name))
