"""The counter digitises what it receives: scans per part (several files in one field
``part-<id>``), a wrong file refused beside its part, the applicant's stored documents found by
ID number and reused, and scans added later from the dossier page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from motcua.archive.models import Document, DocumentKind, HeldUpload, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier, EventType
from tests.responses import ClientResponse

from .conftest import World, login
from .test_counter_rules import RECEIVE

pytestmark = pytest.mark.django_db
HOLDER = RECEIVE["applicant_id_number"]


@pytest.fixture(autouse=True)
def documents_dir(settings: Settings, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def pdf(name: str, body: bytes = b"%PDF-1.4 scan") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def text(response: ClientResponse) -> str:
    return html.unescape(response.content.decode())


def url(world: World) -> str:
    return f"/can-bo/quay/thu-tuc/{world.version.pk}/"


def test_the_clerk_attaches_scans_to_each_part(world: World) -> None:
    client = login(Client(), world.clerk)
    first, second = world.version.parts.all()
    response = client.post(
        url(world),
        {
            **RECEIVE,
            "parts": [str(first.pk), str(second.pk)],
            f"part-{first.pk}": [pdf("trang-1.pdf"), pdf("trang-2.png", b"\x89PNG\r\n\x1a\n..")],
            f"reason-{second.pk}": "Bản vẽ khổ A0",
        },
    )
    assert response.status_code == 302, text(response)[:2000]
    dossier = Dossier.objects.get()
    one, two = dossier.parts.order_by("id")
    documents = list(one.documents.order_by("id"))
    assert [d.content_type for d in documents] == ["application/pdf", "image/png"]
    # Stored under the type found, not the name sent.
    assert documents[1].file.name is not None
    assert documents[1].file.name.endswith(".png")
    assert {d.origin for d in documents} == {Origin.SCAN}
    assert not two.documents.exists() and two.not_digitised_reason == "Bản vẽ khổ A0"


def test_a_wrong_file_is_refused_beside_its_part(world: World) -> None:
    client = login(Client(), world.clerk)
    first, second = world.version.parts.all()
    response = client.post(
        url(world),
        {
            **RECEIVE,
            "parts": [str(first.pk), str(second.pk)],
            f"part-{first.pk}": [pdf("to-khai.pdf", b"<html>not a pdf</html>")],
            f"reason-{second.pk}": "Bản vẽ khổ A0",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert not Dossier.objects.exists() and not Document.objects.exists()
    message = "Tệp “to-khai.pdf” không phải tệp PDF, JPEG hoặc PNG"
    assert message in page
    # Beside the part it belongs to: inside that part's block, not the other's.
    block = page.split(f'data-part="{first.pk}"', 1)[1].split('data-part="', 1)[0]
    assert message in block


def test_a_part_without_scan_reuse_or_reason_is_not_received(world: World) -> None:
    client = login(Client(), world.clerk)
    parts = list(world.version.parts.all())
    response = client.post(url(world), {**RECEIVE, "parts": [str(p.pk) for p in parts]})
    assert response.status_code == 200
    assert "hoặc ghi lý do không số hóa" in text(response)
    assert not Dossier.objects.exists()


def test_the_applicants_stored_documents_are_found_and_reused(world: World) -> None:
    first, second = world.version.parts.all()
    kept = document_store(
        content=pdf("kq.pdf", b"%PDF-1.4 earlier result"),
        content_type="application/pdf",
        meta=DocumentMeta(
            name="Giấy phép cũ",
            kind=DocumentKind.RESULT,
            origin=Origin.ISSUED,
            code=f"{HOLDER}.GP",
            holder_id_number=HOLDER,
        ),
    )
    document_store(  # someone else's: never shown
        content=pdf("x.pdf", b"%PDF-1.4 other"),
        content_type="application/pdf",
        meta=DocumentMeta(
            name="Giấy tờ người khác",
            kind=DocumentKind.RESULT,
            origin=Origin.ISSUED,
            holder_id_number="001099099999",
        ),
    )
    client = login(Client(), world.clerk)
    typed = {**RECEIVE, "parts": [str(first.pk), str(second.pk)]}
    looked = client.post(url(world), {**typed, "outcome": "lookup"})
    assert looked.status_code == 200
    page = text(looked)
    assert "Giấy phép cũ" in page and "Giấy tờ người khác" not in page
    assert 'value="Nguyễn Văn An"' in page  # what was typed is kept
    assert "Hồ sơ chưa đủ thành phần" not in page and "errorlist" not in page  # not judged yet
    lookup = AuditEvent.objects.get(action="document.lookup")
    assert lookup.object_id == HOLDER and lookup.data["found"] == [kept.pk]

    response = client.post(
        url(world),
        {**typed, f"reuse-{first.pk}": str(kept.pk), f"reason-{second.pk}": "Khổ A0"},
    )
    assert response.status_code == 302, text(response)[:2000]
    part = Dossier.objects.get().parts.order_by("id").first()
    assert part is not None and part.reused
    assert part.documents.get().source == kept


def test_a_document_not_found_for_the_typed_number_cannot_be_picked(world: World) -> None:
    first, second = world.version.parts.all()
    theirs = document_store(
        content=pdf("x.pdf", b"%PDF-1.4 other"),
        content_type="application/pdf",
        meta=DocumentMeta(
            name="Giấy tờ người khác",
            kind=DocumentKind.RESULT,
            origin=Origin.ISSUED,
            holder_id_number="001099099999",
        ),
    )
    client = login(Client(), world.clerk)
    response = client.post(
        url(world),
        {
            **RECEIVE,
            "parts": [str(first.pk), str(second.pk)],
            f"reuse-{first.pk}": str(theirs.pk),
            f"reason-{second.pk}": "Khổ A0",
        },
    )
    assert response.status_code == 200
    assert not Dossier.objects.exists()


def test_scans_are_added_later_from_the_dossier_page(world: World) -> None:
    client = login(Client(), world.clerk)
    first, second = world.version.parts.all()
    client.post(
        url(world),
        {
            **RECEIVE,
            "parts": [str(first.pk), str(second.pk)],
            f"reason-{first.pk}": "Máy quét hỏng",
            f"reason-{second.pk}": "Máy quét hỏng",
        },
    )
    dossier = Dossier.objects.get()
    page = text(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Số hóa thành phần hồ sơ" in page and "(chưa số hóa)" in page
    part = dossier.parts.order_by("id").first()
    assert part is not None
    wrong = client.post(
        f"/can-bo/ho-so/{dossier.code}/so-hoa/",
        {"version": dossier.version, "part": part.pk, "scans": [pdf("a.pdf", b"GIF89a")]},
        follow=True,
    )
    assert "không phải tệp PDF, JPEG hoặc PNG" in text(wrong)
    assert not part.documents.exists()
    done = client.post(
        f"/can-bo/ho-so/{dossier.code}/so-hoa/",
        {"version": dossier.version, "part": part.pk, "scans": [pdf("a.pdf"), pdf("b.pdf")]},
        follow=True,
    )
    assert "Đã lưu bản quét" in text(done)
    assert part.documents.count() == 2
    assert dossier.events.filter(type=EventType.DIGITISED).count() == 1


def held_tokens(page: str, field: str) -> list[str]:
    return re.findall(rf'name="held-{field}" value="([^"]+)"', page)


def test_the_scans_survive_the_lookup_and_a_wrong_id_number(world: World) -> None:
    """Issue 13 item 7 at the counter: scans chosen before "Tìm giấy tờ đã lưu" or sent with a
    form that fails are shown as uploaded and used by the next submit, never picked again;
    a refused file is not held."""
    client = login(Client(), world.clerk)
    first, second = world.version.parts.all()
    scans = [b"%PDF-1.4 to khai trang 1", b"\x89PNG\r\n\x1a\n to khai trang 2"]
    field = f"part-{first.pk}"
    # The lookup reloads the form: the two scans are kept, the HTML named .pdf is not.
    response = client.post(
        url(world),
        {
            **RECEIVE,
            "outcome": "lookup",
            "parts": [str(first.pk), str(second.pk)],
            field: [pdf("trang-1.pdf", scans[0]), pdf("trang-2.png", scans[1])],
            f"part-{second.pk}": [pdf("ban-ve.pdf", b"<html>not a pdf</html>")],
        },
    )
    page = text(response)
    assert response.status_code == 200
    kept = held_tokens(page, field)
    assert len(kept) == 2 and held_tokens(page, f"part-{second.pk}") == []
    assert "Đã tải:" in page and "<strong>trang-1.pdf</strong> (PDF, 1 KB)" in page
    assert "<strong>trang-2.png</strong> (PNG, 1 KB)" in page
    # A wrong ID number: the held scans are shown again (no file sent this time).
    response = client.post(
        url(world),
        {
            **RECEIVE,
            "applicant_id_number": "0010990",
            "parts": [str(first.pk), str(second.pk)],
            f"held-{field}": kept,
            f"reason-{second.pk}": "Bản vẽ khổ A0",
        },
    )
    page = text(response)
    assert response.status_code == 200 and not Dossier.objects.exists()
    assert "12 chữ số" in page
    assert held_tokens(page, field) == kept
    block = page.split(f'data-part="{first.pk}"', 1)[1].split('data-part="', 1)[0]
    assert "trang-1.pdf" in block and "trang-2.png" in block
    # Fixed and submitted without picking the scans again: the dossier has their bytes.
    response = client.post(
        url(world),
        {
            **RECEIVE,
            "parts": [str(first.pk), str(second.pk)],
            f"held-{field}": kept,
            f"held-choice-{field}": "keep",
            f"reason-{second.pk}": "Bản vẽ khổ A0",
        },
    )
    assert response.status_code == 302, text(response)[:2000]
    one = Dossier.objects.get().parts.get(part=first)
    stored = [d.file.read() for d in one.documents.order_by("id")]
    assert stored == scans
    assert {d.content_type for d in one.documents.all()} == {"application/pdf", "image/png"}
    assert not HeldUpload.objects.exists()  # used, then released
