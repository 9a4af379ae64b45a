"""The citizen opens their own dossier's documents and their store's in the browser (issue 13
item 2); another person's are a 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from pytest_django import DjangoCaptureOnCommitCallbacks

from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.services import (
    DocumentMeta,
    StoredDocumentKept,
    document_store,
    stored_document_delete,
)
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


def test_the_citizen_deletes_their_own_upload_after_confirming(
    portal: Portal, media: Path, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    a, b = parts_of(portal)
    submit(portal, **{f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.png", PNG)})
    stored = Document.objects.get(owner=portal.citizen, in_store=True, content_type="image/png")
    path = Path(stored.file.path)
    assert path.exists()
    mine = portal.client(portal.citizen)
    listing = mine.get("/ca-nhan/kho/").content.decode()
    assert f'href="/ca-nhan/kho/{stored.pk}/xoa/"' in listing
    # Asked first: the GET deletes nothing.
    confirm = mine.get(f"/ca-nhan/kho/{stored.pk}/xoa/")
    assert confirm.status_code == 200 and "Xóa giấy tờ khỏi kho?" in confirm.content.decode()
    assert Document.objects.filter(pk=stored.pk).exists()
    # Another citizen cannot, and learns nothing.
    other = portal.client(User.objects.create_user("khac@example.vn", password=PASSWORD))
    assert other.post(f"/ca-nhan/kho/{stored.pk}/xoa/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = mine.post(f"/ca-nhan/kho/{stored.pk}/xoa/", follow=True)
    assert response.redirect_chain[-1][0] == "/ca-nhan/kho/"
    assert "Đã xóa" in response.content.decode()
    assert not Document.objects.filter(pk=stored.pk).exists()
    assert not path.exists()
    # The dossier keeps its own copy of the part.
    dossier = Dossier.objects.get(owner=portal.citizen)
    assert DossierPart.objects.get(dossier=dossier, part_id=b).documents.get().file.read() == PNG
    event = AuditEvent.objects.get(action="document.delete")
    assert event.actor == portal.citizen and event.object_id == str(stored.pk)


def test_a_reused_upload_and_an_issued_result_are_kept(portal: Portal) -> None:
    a, b = parts_of(portal)
    submit(portal, **{f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.png", PNG)})
    stored = Document.objects.get(owner=portal.citizen, in_store=True, content_type="image/png")
    submit(portal, **{f"part-{a}": upload("a2.pdf", PDF + b"2"), f"reuse-{b}": stored.pk})
    assert stored.reuses.exists()
    mine = portal.client(portal.citizen)
    refused = mine.post(f"/ca-nhan/kho/{stored.pk}/xoa/")
    assert refused.status_code == 409
    assert "đang được dùng trong hồ sơ đã nộp" in refused.content.decode()
    assert Document.objects.filter(pk=stored.pk).exists()
    result = document_store(
        content=ContentFile(PDF, name="kq.pdf"),
        content_type="application/pdf",
        meta=DocumentMeta(name="Giấy phép", kind=DocumentKind.RESULT, origin=Origin.ISSUED),
        owner=portal.citizen,
        in_store=True,
        dossier=Dossier.objects.filter(owner=portal.citizen).first(),
    )
    listing = mine.get("/ca-nhan/kho/").content.decode()
    assert f"/ca-nhan/kho/{result.pk}/xoa/" not in listing
    with pytest.raises(StoredDocumentKept):
        stored_document_delete(document=result, actor=portal.citizen)
    assert Document.objects.filter(pk=result.pk).exists()
    assert not AuditEvent.objects.filter(action="document.delete").exists()
