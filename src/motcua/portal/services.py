"""Writes of the portal: the document store, and online submission through the dossier
services (the portal never writes a dossier field itself)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files import File
from django.utils.translation import gettext as _

from motcua.archive.files import atomic_with_files
from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.queries import store_documents_for
from motcua.archive.services import DocumentMeta, document_store
from motcua.catalog.models import Part, ProcedureVersion
from motcua.core.audit import audit_log
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.errors import TransitionError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import (
    PartFile,
    PartInput,
    dossier_complete,
    dossier_submit,
    dossier_supplement_submit,
)
from motcua.dossiers.uploads import CheckedUpload
from motcua.fees.compute import FeeAnswers
from motcua.fees.services import dossier_fee_answer


@dataclass(frozen=True)
class PartSubmission:
    """One part of an online dossier: a new upload, or a document from the citizen's store."""

    part: Part | None
    name: str
    upload: CheckedUpload | None = None
    stored: Document | None = None


def stored_document_add(*, owner: User, name: str, checked: CheckedUpload) -> Document:
    """Put an upload in the owner's store. The same content uploaded again is not stored
    twice: the existing document is returned."""
    existing = store_documents_for(owner).filter(sha256=checked.sha256).first()
    if existing is not None:
        return existing
    # Removed again if the transaction rolls back (``atomic_with_files``).
    return document_store(
        content=checked.upload,
        content_type=checked.content_type,
        sha256=checked.sha256,
        extension=checked.extension,
        meta=DocumentMeta(name=name, kind=DocumentKind.UPLOAD, origin=Origin.ONLINE),
        actor=owner,
        owner=owner,
        in_store=True,
    )


def _part_inputs(owner: User, items: Sequence[PartSubmission]) -> list[PartInput]:
    """The service's inputs. Run in ``atomic_with_files``: a refused submission removes the
    files newly put in the store and the dossier's documents with the rolled-back rows."""
    inputs = []
    for item in items:
        if item.stored is not None:
            if item.stored.owner_id != owner.pk or not item.stored.in_store:
                raise TransitionError(_("Giấy tờ được chọn không thuộc kho dữ liệu của bạn."))
            inputs.append(PartInput(part=item.part, name=item.name, reuse_of=item.stored))
        elif item.upload is not None:
            stored_document_add(owner=owner, name=item.name, checked=item.upload)
            item.upload.upload.seek(0)
            inputs.append(
                PartInput(
                    part=item.part,
                    name=item.name,
                    files=[
                        PartFile(
                            file=File(item.upload.upload, name=f"tep{item.upload.extension}"),
                            content_type=item.upload.content_type,
                            sha256=item.upload.sha256,
                        )
                    ],
                )
            )
    return inputs


def portal_dossier_submit(
    *,
    owner: User,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    parts: Sequence[PartSubmission],
    result_channel: str = "",
    fee_answers: FeeAnswers | None = None,
) -> Dossier:
    """Store the new uploads in the citizen's store and submit the dossier online
    (``dossier_submit``): one transaction, the citizen as actor and owner. ``fee_answers``:
    the applicant's answers to the fee questions, assessed with the submission
    (``fees.services.dossier_fee_answer``)."""
    with atomic_with_files():
        inputs = _part_inputs(owner, parts)
        dossier = dossier_submit(
            procedure_version=procedure_version,
            applicant=applicant,
            actor=owner,
            owner=owner,
            parts=inputs,
            result_channel=result_channel,
        )
        if fee_answers is not None:
            dossier_fee_answer(dossier=dossier, actor=owner, answers=fee_answers)
            dossier.refresh_from_db(fields=["fee_total", "fee_lines"])
    audit_log(
        actor=owner,
        action="portal.submit",
        object_type="dossier",
        object_id=dossier.code,
        data={
            "reused": sum(1 for p in inputs if p.reuse_of is not None),
            "result_channel": result_channel,
        },
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
        return dossier_complete(
            dossier=dossier,
            actor=owner,
            parts=inputs,
            note=note,
            expected_version=dossier.version,
        )


def portal_supplement_submit(
    *, owner: User, dossier: Dossier, parts: Sequence[PartSubmission], note: str
) -> Dossier:
    """The citizen sends the supplement the agency asked for (``dossier_supplement_submit``):
    new uploads go to their store too, as at submission; one transaction."""
    if dossier.owner_id != owner.pk:
        raise TransitionError(_("Không tìm thấy hồ sơ."))
    with atomic_with_files():
        inputs = _part_inputs(owner, parts)
        return dossier_supplement_submit(
            dossier=dossier,
            actor=owner,
            parts=inputs,
            note=note,
            expected_version=dossier.version,
        )
