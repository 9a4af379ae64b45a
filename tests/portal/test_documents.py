"""The citizen opens their own dossier's documents and their store's in the browser (issue 13
item 2); another person's are a 404."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile

from motcua.archive.models import DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier, DossierPart
from tests.portal.conftest import PASSWORD, PDF, PNG, Portal, upload
from tests.portal.test_submission import parts_of, submit

pytestmark = pytest.mark.django_db


def test_the_citizen_opens_their_dossiers_files_and_result_inline(portal: Portal) -> None:
    a, b = parts_of(portal)
    submit(portal, **{f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.png", PNG)})
    dossier = Dossier.objects.get()
    photo = DossierPart.objects.get(dossier=dossier, part_id=b).documents.get()
    result = document_store(
        content=ContentFile(PDF, name="kq.pdf"),
        content_type="application/pdf",
        meta=DocumentMeta(
            name="Giấy phép xây dựng", kind=DocumentKind.RESULT, origin=Origin.ISSUED
        ),
        dossier=dossier,
    )
    mine = portal.client(portal.citizen)
    page = mine.get(f"/ca-nhan/ho-so/{dossier.code}/").content.decode()
    assert f'href="/ca-nhan/ho-so/{dossier.code}/tep/{photo.pk}/" target="_blank"' in page
    assert "Ảnh PNG, 72 B" in page
    assert f"/ca-nhan/ho-so/{dossier.code}/tep/{result.pk}/" in page
    response = mine.get(f"/ca-nhan/ho-so/{dossier.code}/tep/{photo.pk}/")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert AuditEvent.objects.filter(action="document.open", data__via="portal").count() == 1
    other = portal.client(User.objects.create_user("khac@example.vn", password=PASSWORD))
    assert other.get(f"/ca-nhan/ho-so/{dossier.code}/tep/{result.pk}/").status_code == 404
    # A document id of the citizen's own store, asked through a dossier it is not part of.
    stored = portal.citizen.documents.filter(in_store=True, dossier=None).first()
    if stored is not None:
        assert mine.get(f"/ca-nhan/ho-so/{dossier.code}/tep/{stored.pk}/").status_code == 404


def test_a_store_document_opens_inline_for_its_owner_only(portal: Portal) -> None:
    a, b = parts_of(portal)
    submit(portal, **{f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.png", PNG)})
    stored = portal.citizen.documents.filter(in_store=True).first()
    assert stored is not None
    mine = portal.client(portal.citizen)
    listing = mine.get("/ca-nhan/kho/").content.decode()
    assert stored.type_label in listing and "application/" not in listing
    response = mine.get(f"/ca-nhan/kho/{stored.pk}/")
    assert response["Content-Type"] == stored.content_type
    assert response["Content-Disposition"].startswith("inline;")
    other = portal.client(User.objects.create_user("khac@example.vn", password=PASSWORD))
    assert other.get(f"/ca-nhan/kho/{stored.pk}/").status_code == 404
