"""Reads of the archive worth naming."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.archive.models import Document, DocumentKind, Origin


def store_documents_for(user: User) -> QuerySet[Document]:
    """The documents of ``user``'s electronic store ("Kho giấy tờ"), newest first."""
    return Document.objects.filter(owner_id=user.pk, in_store=True).order_by("-created_at", "-id")


def result_document(dossier: object) -> Document | None:
    """The dossier's latest result document, if its result is electronic."""
    return (
        Document.objects.filter(dossier_id=dossier.pk, kind=DocumentKind.RESULT)  # type: ignore[attr-defined]
        .order_by("-created_at", "-id")
        .first()
    )


def dossier_document(dossier: object, document_id: int) -> Document | None:
    """Document ``document_id`` if it belongs to ``dossier`` (a part's file, the result, a
    form), else None: a document of another dossier is as missing as one that does not
    exist. The caller has checked that its user may see ``dossier``."""
    document = Document.objects.filter(dossier_id=dossier.pk, pk=document_id).first()  # type: ignore[attr-defined]
    if document is not None:
        document.dossier = dossier  # type: ignore[assignment]
    return document


HOLDER_KINDS = (DocumentKind.RESULT, DocumentKind.UPLOAD, DocumentKind.PART)


def documents_of_holder(id_number: str, *, limit: int = 50) -> list[Document]:
    """The stored documents of the person or organisation with ``id_number``, that the
    counter may reuse instead of asking for a new copy (ND 118/2025 Điều 17.1.b): results
    issued to them and parts of their earlier dossiers that staff received; valid today;
    newest first. A reuse is not listed again (its source is), nor the same content twice.

    Callers show it only for the number the clerk typed for the applicant in front of them:
    no browsing of the archive by anything else."""
    id_number = (id_number or "").strip()
    if not id_number:
        return []
    today = timezone.localdate()
    # Only what staff have vouched for: a result issued, or a part of a dossier that was
    # received (checked at the counter or accepted online) and not refused. A part uploaded
    # online carries the ID number its sender typed: until staff accept the dossier it proves
    # nothing about that person, and must never be offered to the counter as theirs.
    vouched = Q(kind=DocumentKind.RESULT, origin=Origin.ISSUED) | Q(
        kind=DocumentKind.PART, dossier__received_at__isnull=False
    ) & ~Q(dossier__end_kind="refused")
    rows = (
        Document.objects.filter(holder_id_number=id_number, kind__in=HOLDER_KINDS)
        .filter(vouched)
        .exclude(origin=Origin.REUSE)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-created_at", "-id")
    )
    found: list[Document] = []
    seen: set[str] = set()
    for document in rows.iterator(chunk_size=200):
        if document.sha256 in seen:
            continue
        seen.add(document.sha256)
        found.append(document)
        if len(found) >= limit:
            break
    return found
