"""A refused online submission or completion leaves no file: neither in the citizen's store nor
as the dossier's copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from motcua.archive.models import Document
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Dossier, DossierPart
from motcua.dossiers.services import (
    ConflictError,
    TransitionError,
    dossier_reject,
    dossier_request_completion,
)
from motcua.dossiers.uploads import upload_check
from motcua.portal.services import PartSubmission, portal_dossier_complete, portal_dossier_submit
from tests.portal.conftest import PDF, PNG, Portal, upload

pytestmark = pytest.mark.django_db


def files_in(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def applicant() -> Applicant:
    return Applicant(kind="citizen", name="Nguyễn Văn An", id_number="066090001234")


def test_submission_refused_after_a_part_was_copied_leaves_no_file(
    portal: Portal, media: Path
) -> None:
    first = portal.building.parts.order_by("position").first()
    with pytest.raises(TransitionError, match="phải có tên"):
        portal_dossier_submit(
            owner=portal.citizen,
            procedure_version=portal.building,
            applicant=applicant(),
            parts=[
                PartSubmission(part=first, name="Đơn", upload=upload_check(upload("a.pdf", PDF))),
                PartSubmission(
                    part=None, name=" ", upload=upload_check(upload("b.png", PNG, "image/png"))
                ),
            ],
        )
    assert not Dossier.objects.exists() and not Document.objects.exists()
    assert files_in(media) == []


def test_completion_on_a_stale_page_leaves_no_file(portal: Portal, media: Path) -> None:
    """The citizen completes the dossier the clerk rejected meanwhile: a conflict, and the
    upload is not kept."""
    dossier = portal_dossier_submit(
        owner=portal.citizen,
        procedure_version=portal.building,
        applicant=applicant(),
        parts=[PartSubmission(part=None, name="Đơn", upload=upload_check(upload("a.pdf", PDF)))],
    )
    dossier_request_completion(
        dossier=dossier, actor=portal.world.clerk, items=["Bản vẽ"], reason="Thiếu bản vẽ"
    )
    seen = Dossier.objects.get(pk=dossier.pk)
    before = files_in(media)
    dossier_reject(dossier=dossier, actor=portal.world.clerk, reason="Không thuộc thẩm quyền")
    with pytest.raises(ConflictError):
        portal_dossier_complete(
            owner=portal.citizen,
            dossier=seen,
            parts=[
                PartSubmission(
                    part=None, name="Bản vẽ", upload=upload_check(upload("v.png", PNG, "image/png"))
                )
            ],
            note="",
        )
    assert files_in(media) == before
    assert Document.objects.filter(in_store=True).count() == 1
    assert DossierPart.objects.filter(dossier=dossier).count() == 1
