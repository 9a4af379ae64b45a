"""The result file's rule (``dossiers.uploads.result_file_check``) holds whatever the channel:
the service refuses what the staff form and the API refuse, so a script or a new channel
cannot store a program as a signed result (ND 118/2025 Điều 22)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import Settings

from motcua.archive.queries import result_document
from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services import dossier_finish
from motcua.dossiers.uploads import UploadRefused, result_file_check
from tests.dossiers.conftest import to_signing
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
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
    return tmp_path


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("ket-qua.exe", b"MZ\x90\x00", "phải có đuôi"),
        ("giay-phep.pdf", b"MZ\x90\x00 not a pdf", "không phải tệp PDF"),
        ("quyet-dinh.docx", b"%PDF-1.4 a pdf named docx", "không phải tệp DOCX"),
    ],
)
def test_the_service_refuses_a_file_the_rule_refuses(
    world: World, appraised: Dossier, media: Path, name: str, content: bytes, says: str
) -> None:
    at_signing = to_signing(world, appraised)
    with pytest.raises(UploadRefused, match=says):
        dossier_finish(
            dossier=at_signing, actor=world.leader, result_file=SimpleUploadedFile(name, content)
        )
    appraised.refresh_from_db()
    assert appraised.status == Status.PROCESSING and result_document(appraised) is None
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_a_large_result_file_is_refused(world: World) -> None:
    big = SimpleUploadedFile("ket-qua.pdf", b"%PDF-1.4" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(UploadRefused, match="lớn hơn 20 MB"):
        result_file_check(big)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("kq.PDF", b"%PDF-1.7"),
        ("kq.xml", b"\n  <?xml version='1.0'?>"),
        ("kq.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 ole"),
        ("kq.zip", b"PK\x03\x04 archive"),
        ("kq.jpeg", b"\xff\xd8\xff\xe0 jpeg"),
    ],
)
def test_accepted_result_files(name: str, content: bytes) -> None:
    upload = SimpleUploadedFile(name, content)
    result_file_check(upload)
    assert upload.read() == content  # left at its start for whoever stores it
