"""The API lists a dossier's documents and returns their bytes under the dossier's scope rule
(issue 13 item 2); uploads are refused by content as on the web."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from pytest_django import Settings

from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_reuse, document_store
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier, DossierPart
from tests.api.conftest import Api
from tests.world import World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> None:
    storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }
    settings.STORAGES = {**settings.STORAGES, "default": storage, "documents": storage}


def store(
    dossier: Dossier, part: DossierPart | None, content: bytes, content_type: str
) -> Document:
    return document_store(
        content=ContentFile(content, name="x.pdf" if content == PDF else "x.png"),
        content_type=content_type,
        meta=DocumentMeta(
            name=part.name if part else "Giấy phép",
            kind=DocumentKind.PART if part else DocumentKind.RESULT,
            origin=Origin.ONLINE if part else Origin.ISSUED,
        ),
        dossier=dossier,
        dossier_part=part,
    )


def test_a_dossier_lists_its_parts_files_and_result_with_urls_to_their_bytes(
    received: Dossier, specialist_api: Api
) -> None:
    form = DossierPart.objects.create(dossier=received, name="Đơn đề nghị")
    pdf = store(received, form, PDF, "application/pdf")
    photo_part = DossierPart.objects.create(dossier=received, name="CCCD", reused=True)
    photo = document_reuse(
        source=store(received, None, PNG, "image/png"), dossier=received, dossier_part=photo_part
    )
    Document.objects.filter(dossier_part=None).update(kind=DocumentKind.UPLOAD, dossier=None)
    result = store(received, None, PDF, "application/pdf")
    data = specialist_api.get(f"/dossiers/{received.code}").json()
    parts = {p["name"]: p for p in data["parts"]}
    [file] = parts["Đơn đề nghị"]["files"]
    assert file["id"] == pdf.pk
    assert file["content_type"] == "application/pdf"
    assert file["size"] == len(PDF) and file["sha256"] == pdf.sha256
    assert (file["origin"], file["reused"]) == ("online", False)
    assert file["url"] == f"/api/dossiers/{received.code}/documents/{pdf.pk}"
    [reused] = parts["CCCD"]["files"]
    assert (reused["id"], reused["origin"], reused["reused"]) == (photo.pk, "reuse", True)
    assert data["result"]["id"] == result.pk
    # The url returns the bytes, with the recorded type, and the open is audited.
    response = specialist_api.client.get(
        file["url"], headers={"Authorization": f"Bearer {specialist_api.token}"}
    )
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    opened = AuditEvent.objects.get(action="document.open")
    assert opened.data["document"] == pdf.pk and opened.data["via"] == "api"
    assert opened.object_id == received.code


def test_another_agencys_file_and_a_missing_one_are_the_same_404(
    world: World, received: Dossier, specialist_api: Api, outsider_api: Api
) -> None:
    part = DossierPart.objects.create(dossier=received, name="Đơn đề nghị")
    pdf = store(received, part, PDF, "application/pdf")
    other = received.__class__.objects.get(pk=received.pk)
    other.pk = None
    other.code = received.code[:-4] + "9998"
    other.secret = "other"
    other.save()
    elsewhere = store(other, None, PDF, "application/pdf")
    answers = [
        outsider_api.get(f"/dossiers/{received.code}/documents/{pdf.pk}"),
        specialist_api.get(f"/dossiers/{received.code}/documents/{elsewhere.pk}"),
        specialist_api.get(f"/dossiers/{received.code}/documents/{elsewhere.pk + 100}"),
        specialist_api.get(f"/dossiers/{received.code[:-4]}0000/documents/{pdf.pk}"),
    ]
    assert [a.status_code for a in answers] == [404] * 4
    assert len({a.content for a in answers}) == 1
    assert not AuditEvent.objects.filter(action="document.open").exists()
    assert Api(None).get(f"/dossiers/{received.code}/documents/{pdf.pk}").status_code == 401


def test_html_named_pdf_is_refused_as_a_result_with_422(
    world: World, received: Dossier, leader_api: Api
) -> None:
    from motcua.dossiers.services import dossier_handover

    dossier_handover(dossier=received, actor=world.clerk)
    dossier_handover(dossier=received, actor=world.specialist)
    refused = leader_api.client.post(
        f"/api/dossiers/{received.code}/result",
        {
            "expected_version": received.version + 2,
            "result_file": SimpleUploadedFile(
                "giay-phep.pdf", b"<!doctype html><script>alert(1)</script>", "application/pdf"
            ),
        },
        headers={"Authorization": f"Bearer {leader_api.token}"},
    )
    assert refused.status_code == 422
    body = refused.json()
    assert set(body) == {"detail", "code", "errors"}
    assert body["errors"][0]["loc"] == ["body", "result_file"]
    assert "không phải tệp PDF" in body["errors"][0]["msg"]
    assert not Document.objects.filter(dossier=received).exists()


def test_the_openapi_document_describes_the_files(specialist_api: Api) -> None:
    schema = specialist_api.client.get("/api/openapi.json").json()
    assert "/api/dossiers/{code}/documents/{document_id}" in schema["paths"]
    document = schema["components"]["schemas"]["DocumentOut"]["properties"]
    assert {"id", "content_type", "size", "sha256", "origin", "reused", "url"} <= set(document)
    part = schema["components"]["schemas"]["PartOut"]["properties"]
    assert part["files"]["items"]["$ref"].endswith("/DocumentOut")
