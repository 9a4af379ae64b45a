"""Digitising a received part later: scans added to a part of an open dossier."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from motcua.archive.files import atomic_with_files
from motcua.archive.models import DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.core.audit import Actor
from motcua.dossiers.listeners import save_listeners_batched
from motcua.dossiers.models import Dossier, DossierPart, EventType
from motcua.dossiers.rules import Action, require_action
from motcua.dossiers.services.base import (
    PartFile,
    _event,
    _lock,
    _now,
    _refuse,
    _save,
    _user,
)


def dossier_part_digitise(
    *,
    dossier: Dossier,
    actor: Actor,
    part: DossierPart,
    files: Sequence[PartFile],
    expected_version: int | None = None,
) -> Dossier:
    """Add scans (``files``, checked by ``dossiers.uploads.upload_check``) to ``part`` of an
    open dossier: a paper part not digitised at intake, or a page missing from its scan
    (ND 118/2025: the one-stop unit digitises what it receives). The part's reason for not
    being digitised is dropped once it has a file; the event and the audit row say which
    part got how many files."""
    if not files:
        raise _refuse(_("Phải chọn ít nhất một tệp bản quét."))
    now = _now()
    with atomic_with_files(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.DIGITISE)
        row = DossierPart.objects.select_for_update().filter(pk=part.pk, dossier=locked).first()
        if row is None:
            raise _refuse(_("Hồ sơ %(code)s không có thành phần này.") % {"code": locked.code})
        user = _user(actor)
        documents = [
            document_store(
                content=item.file,
                content_type=item.content_type,
                sha256=item.sha256,
                meta=DocumentMeta(
                    name=row.name,
                    kind=DocumentKind.PART,
                    origin=Origin.SCAN,
                    type_code=str(row.part.position) if row.part else "",
                    holder_id_number=locked.applicant_id_number,
                    holder_name=locked.applicant_name,
                ),
                actor=user,
                dossier=locked,
                dossier_part=row,
            )
            for item in files
        ]
        reason = row.not_digitised_reason
        if reason:
            row.not_digitised_reason = ""
            row.save(update_fields=["not_digitised_reason"])
        # The version moves: a form shown before the scans were added is stale.
        _save(locked, dossier, [])
        _event(
            locked,
            type=EventType.DIGITISED,
            actor=actor,
            at=now,
            from_status=locked.status,
            data={
                "part": row.name,
                "part_id": row.pk,
                "files": len(documents),
                "documents": [d.pk for d in documents],
                **({"was_not_digitised": reason} if reason else {}),
            },
        )
    return locked
