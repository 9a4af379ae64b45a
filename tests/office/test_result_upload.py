"""The result file: refused in Vietnamese when its name or its content is not an accepted
document type (the content is checked, as the portal checks citizens' files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from motcua.dossiers.models import Status

from .conftest import World, login
from .test_views import at_agency, post_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def finish(world: World, name: str, content: bytes) -> tuple[str, Status]:
    client = Client()
    dossier = at_agency(world, client)
    login(client, world.specialist)
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    page = post_action(
        client, dossier, "co-ket-qua", {"version": dossier.version, "result_file": upload}
    )
    dossier.refresh_from_db()
    return page, Status(dossier.status)


def test_a_wrong_extension_is_refused_in_vietnamese(world: World, media: None) -> None:
    page, status = finish(world, "ket-qua.exe", b"MZ\x90\x00")
    assert status == Status.PROCESSING
    assert "Không nhận tệp có đuôi “exe”" in page
    assert "is not allowed" not in page


def test_a_program_named_pdf_is_refused_by_its_content(world: World, media: None) -> None:
    page, status = finish(world, "giay-phep.pdf", b"MZ\x90\x00 not a pdf")
    assert status == Status.PROCESSING
    assert "Nội dung tệp “giay-phep.pdf” không phải tệp PDF" in page


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("quyet-dinh.docx", b"PK\x03\x04 word document"),
        ("ban-do.png", b"\x89PNG\r\n\x1a\n image"),
        ("du-lieu.xml", b"\xef\xbb\xbf<?xml version='1.0'?><a/>"),
    ],
)
def test_accepted_documents_pass(world: World, media: None, name: str, content: bytes) -> None:
    _page, status = finish(world, name, content)
    assert status == Status.RESULT_READY
