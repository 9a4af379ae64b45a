"""Staff forms keep their files after a failure (issue 13 item 7): the result and the
hand-over draft are held, shown on the dossier page as "Đã tải", and used by the next try."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.archive.models import HeldUpload
from motcua.archive.queries import result_document
from motcua.dossiers.models import Dossier, Status

from .conftest import World, login
from .test_result_upload import media  # noqa: F401
from .test_views import at_agency, received

pytestmark = pytest.mark.django_db

RESULT = b"%PDF-1.4 giay phep"


def post(client: Client, dossier: Dossier, path: str, data: dict[str, object]) -> str:
    response = client.post(f"/can-bo/ho-so/{dossier.code}/{path}/", data, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def token(page: str, field: str) -> str:
    found = re.findall(rf'name="held-{field}" value="([^"]+)"', page)
    assert len(found) == 1, page
    return str(found[0])


def test_a_result_sent_with_a_stale_form_is_kept_and_used_next(
    world: World,
    media: None,  # noqa: F811
) -> None:
    client = Client()
    dossier = at_agency(world, client)
    login(client, world.specialist)
    upload = SimpleUploadedFile("giay-phep.pdf", RESULT, content_type="application/pdf")
    # The page was stale (someone changed the dossier meanwhile): the service refuses.
    page = post(
        client, dossier, "co-ket-qua", {"version": dossier.version - 1, "result_file": upload}
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert "<strong>giay-phep.pdf</strong> (PDF, 1 KB)" in page
    held = token(page, "result_file")
    # The same person in another session does not see it.
    other = login(Client(), world.specialist)
    assert "giay-phep.pdf" not in other.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    # No file picked again: the held one is the result.
    page = post(
        client, dossier, "co-ket-qua", {"version": dossier.version, "held-result_file": held}
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY, page
    document = result_document(dossier)
    assert document is not None and document.file.read() == RESULT
    assert not HeldUpload.objects.exists()
    assert "Đã tải:" not in page


def test_a_refused_result_is_not_held(world: World, media: None) -> None:  # noqa: F811
    client = Client()
    dossier = at_agency(world, client)
    login(client, world.specialist)
    bad = SimpleUploadedFile("ket-qua.pdf", b"MZ not a pdf", content_type="application/pdf")
    page = post(client, dossier, "co-ket-qua", {"version": dossier.version, "result_file": bad})
    assert "không phải tệp PDF" in page and "Đã tải:" not in page
    assert not HeldUpload.objects.exists()


def test_the_handover_draft_is_kept(world: World, media: None) -> None:  # noqa: F811
    client = Client()
    dossier = received(world, client)
    draft = SimpleUploadedFile("du-thao.pdf", RESULT, content_type="application/pdf")
    data = {"to_unit": world.construction_unit.name, "note": "Kèm dự thảo"}
    page = post(client, dossier, "chuyen-xu-ly", {**data, "version": 999, "draft_file": draft})
    held = token(page, "draft_file")
    assert "<strong>du-thao.pdf</strong>" in page
    post(
        client,
        dossier,
        "chuyen-xu-ly",
        {**data, "version": dossier.version, "held-draft_file": held},
    )
    row = dossier.handovers.get()
    assert row.draft_file and Path(row.draft_file.path).read_bytes() == RESULT
    assert not HeldUpload.objects.exists()
