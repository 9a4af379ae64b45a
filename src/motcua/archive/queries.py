"""Reads of the archive worth naming."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import QuerySet

from motcua.archive.models import Document, DocumentKind


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
