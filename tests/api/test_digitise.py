"""POST /api/dossiers/{code}/parts/{id}/files: scans of a part, the same content check as the
counter, 422 in the documented shape, 404 outside the scope like a missing dossier."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import Settings

from motcua.dossiers.models import Dossier, EventType
from tests.api.conftest import Api, applicant_json
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def documents_dir(settings: Settings, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def upload(api: Api, code: str, part: int, version: int, *files: SimpleUploadedFile) -> Any:
    return api.client.post(
        f"/api/dossiers/{code}/parts/{part}/files",
        {"expected_version": version, "files": list(files)},
        headers=api._headers(),
    )


def received(api: Api) -> dict[str, Any]:
    created = api.post(
        "/dossiers",
        {
            "procedure": "1.001234",
            "channel": "postal",
            "applicant": applicant_json(),
            "parts": [{"name": "Tờ khai", "not_digitised_reason": "Quét sau"}],
        },
    )
    assert created.status_code == 201, created.content
    return dict(created.json())


def test_a_part_is_digitised_through_the_api(
    world: World, clerk_api: Api, traveller: time_machine.Traveller
) -> None:
    data = received(clerk_api)
    part = data["parts"][0]
    assert part["not_digitised_reason"] == "Quét sau"
    done = upload(
        clerk_api,
        data["code"],
        part["id"],
        data["version"],
        SimpleUploadedFile("1.pdf", b"%PDF-1.4 one"),
        SimpleUploadedFile("2.jpg", b"\xff\xd8\xff two"),
    )
    assert done.status_code == 200, done.content
    assert done.json()["parts"][0]["not_digitised_reason"] == ""
    assert done.json()["version"] == data["version"] + 1
    dossier = Dossier.objects.get(code=data["code"])
    assert dossier.parts.get().documents.count() == 2
    assert dossier.events.filter(type=EventType.DIGITISED).exists()


def test_a_wrong_file_is_a_422_naming_it(
    world: World, clerk_api: Api, traveller: time_machine.Traveller
) -> None:
    data = received(clerk_api)
    part = data["parts"][0]["id"]
    wrong = upload(
        clerk_api,
        data["code"],
        part,
        data["version"],
        SimpleUploadedFile("1.pdf", b"%PDF-1.4 one"),
        SimpleUploadedFile("2.pdf", b"<html>not a pdf</html>"),
    )
    assert wrong.status_code == 422
    body = wrong.json()
    assert body["code"] == "invalid"
    assert body["errors"][0]["loc"] == ["body", "files", 1]
    assert "không phải tệp PDF, JPEG hoặc PNG" in body["errors"][0]["msg"]
    assert not Dossier.objects.get(code=data["code"]).parts.get().documents.exists()


def test_out_of_scope_or_unknown_is_a_404(
    world: World, clerk_api: Api, outsider_api: Api, traveller: time_machine.Traveller
) -> None:
    data = received(clerk_api)
    part = data["parts"][0]["id"]
    scan = SimpleUploadedFile("1.pdf", b"%PDF-1.4 one")
    outside = upload(outsider_api, data["code"], part, data["version"], scan)
    missing = upload(clerk_api, "KHONG-CO", part, data["version"], scan)
    other_part = upload(clerk_api, data["code"], part + 999, data["version"], scan)
    assert outside.status_code == missing.status_code == other_part.status_code == 404
    assert outside.json() == missing.json()
