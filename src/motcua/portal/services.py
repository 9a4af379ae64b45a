"""Writes of the portal: the document store, and online submission through the dossier
services (the portal never writes a dossier field itself)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.catalog.models import Part, ProcedureVersion
from motcua.core.audit import audit_log
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.errors import TransitionError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import PartInput, dossier_complete, dossier_submit
from motcua.portal.models import StoredDocument
from motcua.portal.uploads import EXTENSIONS, CheckedUpload


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
    document.file.save(f"{uuid.uuid4().hex}{checked.extension}", checked.upload, save=False)
    document.save()
    return document


def _part_inputs(
    owner: User, items: Sequence[PartSubmission], written: list[str]
) -> list[PartInput]:
    """The service's inputs; ``written`` collects the files newly put in the store, so that
    a refused submission can remove them (the rows go with the rolled-back transaction)."""
    inputs = []
    for item in items:
        if item.stored is not None:
            if item.stored.owner_id != owner.pk:
                raise TransitionError(_("Giấy tờ được chọn không thuộc kho dữ liệu của bạn."))
            document, reused = item.stored, True
        elif item.upload is not None:
            known = StoredDocument.objects.filter(owner=owner, sha256=item.upload.sha256).exists()
            document = stored_document_add(owner=owner, name=item.name, checked=item.upload)
            if not known:
                written.append(document.file.name or "")
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


def _remove(names: Sequence[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def portal_dossier_submit(
    *,
    owner: User,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    parts: Sequence[PartSubmission],
) -> Dossier:
    """Store the new uploads in the citizen's store and submit the dossier online
    (``dossier_submit``): one transaction, the citizen as actor and owner."""
    written: list[str] = []
    try:
        with transaction.atomic():
            inputs = _part_inputs(owner, parts, written)
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
    except Exception:
        _remove(written)
        raise
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
    written: list[str] = []
    try:
        with transaction.atomic():
            inputs = _part_inputs(owner, parts, written)
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
    except Exception:
        _remove(written)
        raise
