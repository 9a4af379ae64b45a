"""Staff open a dossier's documents (issue 13 item 2): PDF and images in the browser with
their recorded type, other kinds as downloads, every open audited, and a document of a
dossier out of scope or of another dossier answering exactly like a missing one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.test import Client
from pytest_django import Settings

from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier, DossierPart
from tests.responses import ClientResponse

from .conftest import World, login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DOCX = b"PK\x03\x04" + b"\x00" * 64
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def part_with_file(
    dossier: Dossier,
    content: bytes,
    content_type: str,
    *,
    name: str = "Đơn đề nghị cấp phép",
    extension: str = ".pdf",
) -> tuple[DossierPart, Document]:
    part = DossierPart.objects.create(dossier=dossier, name=name)
    document = document_store(
        content=ContentFile(content, name=f"x{extension}"),
        content_type=content_type,
        meta=DocumentMeta(name=name, kind=DocumentKind.PART, origin=Origin.ONLINE),
        dossier=dossier,
        dossier_part=part,
    )
    return part, document


def result_with_file(dossier: Dossier, content: bytes, content_type: str, ext: str) -> Document:
    return document_store(
        content=ContentFile(content, name=f"ket-qua{ext}"),
        content_type=content_type,
        meta=DocumentMeta(name="Giấy phép xây dựng", kind=DocumentKind.RESULT, origin="issued"),
        dossier=dossier,
    )


def url(dossier: Dossier, document: Document | int) -> str:
    pk = document if isinstance(document, int) else document.pk
    return f"/can-bo/ho-so/{dossier.code}/giay-to/{pk}/"


def same_404(*answers: ClientResponse) -> bool:
    """All 404, with the same page apart from what changes with every response (the CSRF
    token, the seconds left in the session)."""

    def page(answer: ClientResponse) -> bytes:
        content: bytes = answer.content
        content = re.sub(rb'[A-Za-z0-9]{64}"', b'TOKEN"', content)
        return re.sub(rb'data-session-expires-in="\d+"', b"", content)

    statuses = {a.status_code for a in answers}
    return statuses == {404} and len({page(a) for a in answers}) == 1


def body(response: ClientResponse) -> bytes:
    assert isinstance(response, FileResponse)
    return b"".join(response.streaming_content)


def test_a_part_pdf_opens_inline_with_its_type_and_is_audited(world: World) -> None:
    dossier = world.dossier()
    _, document = part_with_file(dossier, PDF, "application/pdf")
    client = login(Client(), world.specialist)
    response = client.get(url(dossier, document))
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{dossier.code}-{document.pk}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert "script-src" not in policy  # nothing of the file's author runs
    opened = AuditEvent.objects.get(action="document.open")
    assert opened.actor == world.specialist
    assert (opened.object_type, opened.object_id) == ("dossier", dossier.code)
    assert opened.data == {
        "document": document.pk,
        "name": "Đơn đề nghị cấp phép",
        "kind": "part",
        "download": False,
        "via": "office",
    }


def test_an_image_opens_inline_and_a_download_is_asked_for_with_tai(world: World) -> None:
    dossier = world.dossier()
    _, image = part_with_file(dossier, PNG, "image/png", extension=".png")
    client = login(Client(), world.clerk)
    response = client.get(url(dossier, image))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    download = client.get(url(dossier, image) + "?tai=1")
    assert download["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="document.open").count() == 2
    assert AuditEvent.objects.filter(action="document.open", data__download=True).count() == 1


def test_the_recorded_type_is_sent_never_a_guess_and_other_kinds_download(
    world: World,
) -> None:
    dossier = world.dossier()
    # A row says DOCX: it is sent as DOCX and as an attachment, whatever its name or bytes.
    result = result_with_file(dossier, DOCX, DOCX_TYPE, ".pdf")
    response = login(Client(), world.leader).get(url(dossier, result))
    assert response["Content-Type"] == DOCX_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_out_of_scope_another_dossiers_document_and_a_missing_one_are_the_same_404(
    world: World,
) -> None:
    dossier = world.dossier()
    _, document = part_with_file(dossier, PDF, "application/pdf")
    other = world.dossier()
    _, elsewhere = part_with_file(other, PDF, "application/pdf")
    outsider = login(Client(), world.outsider)  # Sở Tư pháp: not this dossier's agency
    specialist = login(Client(), world.specialist)
    missing_dossier = Dossier(code="000.00.15.H18-260105-9999")
    # Each person gets one answer, whether the document is out of scope, of another dossier
    # (the dossier in the address is in scope) or does not exist.
    assert same_404(
        outsider.get(url(dossier, document)),
        outsider.get(url(missing_dossier, document)),
    )
    assert same_404(
        specialist.get(url(dossier, elsewhere)),
        specialist.get(url(dossier, elsewhere.pk + 1000)),
        specialist.get(url(missing_dossier, document)),
    )
    assert not AuditEvent.objects.filter(action="document.open").exists()
    denied = AuditEvent.objects.filter(action="read.denied", actor=world.outsider)
    assert dossier.code in {e.object_id for e in denied}


def test_the_dossier_page_lists_each_parts_files_and_the_result(world: World) -> None:
    dossier = world.dossier()
    big = PDF + b"0" * (1_250_000 - len(PDF))  # 1,2 MB
    scanned, first = part_with_file(dossier, big, "application/pdf", name="Đơn đề nghị")
    _, photo = part_with_file(dossier, PNG, "image/png", name="Ảnh chụp mặt bằng", extension=".png")
    reused = DossierPart.objects.create(dossier=dossier, name="Căn cước công dân", reused=True)
    Document.objects.filter(pk=photo.pk).update(dossier_part=reused)
    DossierPart.objects.create(
        dossier=dossier, name="Bản vẽ thiết kế", not_digitised_reason="Bản vẽ khổ A0"
    )
    result = result_with_file(dossier, PDF, "application/pdf", ".pdf")
    page = login(Client(), world.specialist).get(f"/can-bo/ho-so/{dossier.code}/")
    html = page.content.decode()
    assert f'href="{url(dossier, first)}" target="_blank"' in html
    assert "PDF, 1,2 MB" in html
    assert "Ảnh PNG, 72 B" in html
    assert "application/pdf" not in html
    assert "tái sử dụng" in html
    assert "chưa số hóa" in html and "Bản vẽ khổ A0" in html
    assert f'href="{url(dossier, result)}"' in html
    assert scanned.pk  # the parts are in the page's order
    assert html.index("Đơn đề nghị") < html.index("Căn cước công dân")


def test_the_former_result_address_leads_to_the_result_document(world: World) -> None:
    dossier = world.dossier()
    result = result_with_file(dossier, PDF, "application/pdf", ".pdf")
    client = login(Client(), world.specialist)
    response = client.get(f"/can-bo/ho-so/{dossier.code}/tep-ket-qua/")
    assert response.status_code == 302
    assert response["Location"] == url(dossier, result) + "?tai=1"
    outsider = login(Client(), world.outsider)
    assert outsider.get(f"/can-bo/ho-so/{dossier.code}/tep-ket-qua/").status_code == 404
