"""Writes of the portal: the document store, and online submission through the dossier
services (the portal never writes a dossier field itself)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files import File
from django.utils.translation import gettext as _

from motcua.catalog.models import Part, ProcedureVersion
from motcua.core.audit import audit_log
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.errors import TransitionError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import PartInput, dossier_complete, dossier_submit
from motcua.dossiers.services.files import atomic_with_files, file_store
from motcua.dossiers.uploads import EXTENSIONS, CheckedUpload
from motcua.portal.models import StoredDocument


@dataclass(frozen=True)
class PartSubmission:
    """One part of an online dossier: a new upload, or a document from the citizen's store."""

    part: Part | None
    name: str
    upload: CheckedUpload | None = None
    stored: StoredDocument | None = None


def stored_document_add(*, owner: User, name: str, checked: CheckedUpload) -> StoredDocument:
    """Put an upload in the owner's store. The same content uploaded again is not stored
    twice: the existing document is returned."""
    existing = (
        StoredDocument.objects.filter(owner=owner, sha256=checked.sha256).order_by("-id").first()
    )
    if existing is not None:
        return existing
    document = StoredDocument(
        owner=owner,
        name=name.strip()[:500],
        sha256=checked.sha256,
        content_type=checked.content_type,
        size=checked.size,
    )
    # A random name with the extension of the type found: the sender's name is never used
    # on disk.
    # Removed again if the transaction rolls back (``atomic_with_files``).
    file_store(document.file, f"{uuid.uuid4().hex}{checked.extension}", checked.upload)
    document.save()
    return document


def _part_inputs(owner: User, items: Sequence[PartSubmission]) -> list[PartInput]:
    """The service's inputs. Run in ``atomic_with_files``: a refused submission removes the
    files newly put in the store and the dossier's copies with the rolled-back rows."""
    inputs = []
    for item in items:
        if item.stored is not None:
            if item.stored.owner_id != owner.pk:
                raise TransitionError(_("Giấy tờ được chọn không thuộc kho dữ liệu của bạn."))
            document, reused = item.stored, True
        elif item.upload is not None:
            document = stored_document_add(owner=owner, name=item.name, checked=item.upload)
            reused = False
        else:
            continue
        document.file.open("rb")
        inputs.append(
            PartInput(
                part=item.part,
                name=item.name,
                reused=reused,
                file=File(
                    document.file, name=f"{uuid.uuid4().hex}{EXTENSIONS[document.content_type]}"
                ),
                content_type=document.content_type,
                sha256=document.sha256,
            )
        )
    return inputs


def _close(inputs: Sequence[PartInput]) -> None:
    for item in inputs:
        if item.file is not None:
            item.file.close()


def portal_dossier_submit(
    *,
    owner: User,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    parts: Sequence[PartSubmission],
) -> Dossier:
    """Store the new uploads in the citizen's store and submit the dossier online
    (``dossier_submit``): one transaction, the citizen as actor and owner."""
    with atomic_with_files():
        inputs = _part_inputs(owner, parts)
        try:
            dossier = dossier_submit(
                procedure_version=procedure_version,
                applicant=applicant,
                actor=owner,
                owner=owner,
                parts=inputs,
            )
        finally:
            _close(inputs)
    audit_log(
        actor=owner,
        action="portal.submit",
        object_type="dossier",
        object_id=dossier.code,
        data={"reused": sum(1 for p in inputs if p.reused)},
    )
    return dossier


def portal_dossier_complete(
    *, owner: User, dossier: Dossier, parts: Sequence[PartSubmission], note: str
) -> Dossier:
    """The citizen completes a dossier the one-stop unit sent back (``dossier_complete``)."""
    if dossier.owner_id != owner.pk:
        raise TransitionError(_("Không tìm thấy hồ sơ."))
    with atomic_with_files():
        inputs = _part_inputs(owner, parts)
        try:
            return dossier_complete(
                dossier=dossier,
                actor=owner,
                parts=inputs,
                note=note,
                expected_version=dossier.version,
            )
        finally:
            _close(inputs)
