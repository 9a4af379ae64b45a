"""The official forms issued for a dossier, kept as documents of the archive (issue 13).

Printing a form from the dossier's page (or fetching it through the API) is the act of
issuing it: the first time a form is issued for a dossier in a format, the bytes handed out
are stored as a document (kind "form", origin "issued") with their SHA-256. A form printed
again is not stored again — a PDF or DOCX rendered anew never has the same bytes (the
renderers stamp the time), so "the same form" is the dossier, the form and the format, and
the one kept is the first handed out. The register (form 07) lists many dossiers and belongs
to none: it is not kept here.
"""

from __future__ import annotations

from django.core.files.base import ContentFile

from motcua.archive.files import atomic_with_files
from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.core.audit import Actor, audit_log
from motcua.dossiers.classify import local_date
from motcua.dossiers.listeners import save_listeners_batched
from motcua.dossiers.models import Dossier
from motcua.dossiers.services.base import _lock, _now, _user


def form_type_code(form: str) -> str:
    """The document-type code of an official form: ``mau-01`` … (TT 03/2025/TT-VPCP)."""
    return f"mau-{form}"


def dossier_form_issued(
    *, dossier: Dossier, form: str, fmt: str, data: bytes, actor: Actor
) -> Document | None:
    """Keep ``data``, form ``form`` just issued for ``dossier`` as ``fmt``, unless this form
    was already kept for the dossier in this format. Returns the new document, else None."""
    # The renderer's tables, imported here: the services need no renderer otherwise.
    from motcua.dossiers.forms_docs.render import CONTENT_TYPES, FORMS

    if form not in FORMS or form == "07" or fmt not in CONTENT_TYPES:
        return None
    kept = Document.objects.filter(
        dossier_id=dossier.pk,
        kind=DocumentKind.FORM,
        type_code=form_type_code(form),
        content_type=CONTENT_TYPES[fmt],
    )
    if kept.exists():  # the common case, a reprint: one query, no lock
        return None
    now = _now()
    with atomic_with_files(), save_listeners_batched():
        locked = _lock(dossier, None)  # two first prints at once keep one
        if kept.exists():
            return None
        issuer = locked.receiving_unit if form in {"01", "02", "03"} else locked.agency
        issuer = issuer or locked.agency
        document = document_store(
            content=ContentFile(data, name=f"mau-{form}.{fmt}"),
            content_type=CONTENT_TYPES[fmt],
            meta=DocumentMeta(
                name=FORMS[form],
                kind=DocumentKind.FORM,
                origin=Origin.ISSUED,
                summary=f"{FORMS[form]} — {locked.code}",
                type_code=form_type_code(form),
                holder_id_number=locked.applicant_id_number,
                holder_name=locked.applicant_name,
                issuer=issuer.name,
                issuer_agency_id=issuer.pk,
                issued_on=local_date(now),
            ),
            actor=_user(actor),
            dossier=locked,
            extension=f".{fmt}",
        )
        audit_log(
            actor=actor,
            action="document.form_issued",
            object_type="dossier",
            object_id=locked.code,
            data={"form": form, "fmt": fmt, "document": document.pk, "sha256": document.sha256},
        )
    return document
