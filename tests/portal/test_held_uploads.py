"""Uploads survive a failed online form (issue 13 item 7): the files that passed their check
are held and shown as "Đã tải", and the next submit uses them without picking them again."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from motcua.archive.models import Document, HeldUpload
from motcua.catalog.models import Part
from motcua.dossiers.models import Dossier, DossierPart
from motcua.portal.accounts import citizen_register
from tests.portal.conftest import EXE, PASSWORD, PDF, Portal, upload
from tests.portal.test_submission import APPLICANT

pytestmark = pytest.mark.django_db

URL = "/thu-tuc/1.009972/nop/"
WRONG_ID = {**APPLICANT, "id_number": "12345"}  # not 12 digits
CONTENTS = [PDF + b"%don", PDF + b"%cccd", PDF + b"%ban-ve"]
NAMES = ["don-de-nghi.pdf", "cccd.pdf", "ban-ve.pdf"]


def three_parts(portal: Portal) -> list[int]:
    Part.objects.create(version=portal.building, position=3, name="Bản vẽ thiết kế")
    return list(portal.building.parts.order_by("position").values_list("pk", flat=True))


def tokens(page: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="held-(part-\d+)" value="([^"]+)"', page):
        found.setdefault(name, []).append(value)
    return found


def test_a_wrong_id_number_keeps_the_three_files_for_the_next_submit(portal: Portal) -> None:
    parts = three_parts(portal)
    client = portal.client(portal.citizen)
    files = {f"part-{pk}": upload(n, c) for pk, n, c in zip(parts, NAMES, CONTENTS, strict=True)}
    response = client.post(URL, {**WRONG_ID, **files})
    page = response.content.decode()
    assert response.status_code == 400
    assert not Dossier.objects.exists()
    for name in NAMES:
        assert f"<strong>{name}</strong> (PDF, 1 KB)" in page
    assert page.count("Đã tải:") == 3
    held = tokens(page)
    assert sorted(held) == sorted(f"part-{pk}" for pk in parts)
    assert HeldUpload.objects.count() == 3 and not Document.objects.exists()

    # Fixed ID, no file picked again: the held files are used.
    response = client.post(URL, {**APPLICANT, **{f"held-{k}": v for k, v in held.items()}})
    assert response.status_code == 302, response.content.decode()
    dossier = Dossier.objects.get()
    stored = [
        p.documents.get().file.read()
        for p in DossierPart.objects.filter(dossier=dossier).order_by("part__position")
    ]
    assert stored == CONTENTS
    # Used: the held rows and their files are gone.
    assert not HeldUpload.objects.exists()


def test_a_second_failure_keeps_the_held_files_and_a_new_file_replaces_one(
    portal: Portal,
) -> None:
    parts = three_parts(portal)
    client = portal.client(portal.citizen)
    files = {f"part-{pk}": upload(n, c) for pk, n, c in zip(parts, NAMES, CONTENTS, strict=True)}
    held = tokens(client.post(URL, {**WRONG_ID, **files}).content.decode())
    sent = {f"held-{k}": v for k, v in held.items()}
    # Still wrong: the same three tokens come back, no new row.
    again = tokens(client.post(URL, {**WRONG_ID, **sent}).content.decode())
    assert again == held and HeldUpload.objects.count() == 3
    # "đổi" with a new file for the first part: the new file is used.
    first = f"part-{parts[0]}"
    response = client.post(
        URL,
        {
            **APPLICANT,
            **sent,
            f"held-choice-{first}": "change",
            first: upload("moi.pdf", PDF + b"%moi"),
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    part = DossierPart.objects.get(dossier=dossier, part_id=parts[0])
    assert part.documents.get().file.read() == PDF + b"%moi"
    assert not HeldUpload.objects.exists()


def test_a_refused_file_is_not_held_and_its_error_stays(portal: Portal) -> None:
    a, b = list(portal.building.parts.order_by("position").values_list("pk", flat=True))
    response = portal.client(portal.citizen).post(
        URL, {**APPLICANT, f"part-{a}": upload("don.pdf", EXE), f"part-{b}": upload("c.pdf", PDF)}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "không phải tệp PDF, JPEG hoặc PNG" in page
    assert list(tokens(page)) == [f"part-{b}"]
    assert list(HeldUpload.objects.values_list("original_name", flat=True)) == ["c.pdf"]


def test_another_session_cannot_use_the_token(portal: Portal) -> None:
    parts = three_parts(portal)
    files = {f"part-{pk}": upload(n, c) for pk, n, c in zip(parts, NAMES, CONTENTS, strict=True)}
    held = tokens(portal.client(portal.citizen).post(URL, {**WRONG_ID, **files}).content.decode())
    sent = {f"held-{k}": v for k, v in held.items()}
    other = citizen_register(identifier="binh@example.vn", password=PASSWORD, full_name="Bình")
    # Another citizen, and the same citizen signed in elsewhere: the tokens are ignored, as
    # unknown ones are (every part is missing).
    for client in (portal.client(other), portal.client(portal.citizen)):
        response = client.post(URL, {**APPLICANT, **sent})
        page = response.content.decode()
        assert response.status_code == 400
        assert page.count("Phải chọn tệp cho giấy tờ này.") == 3
        assert "Đã tải:" not in page
    assert not Dossier.objects.exists()
    assert HeldUpload.objects.count() == 3


def test_the_completion_form_keeps_its_files(portal: Portal) -> None:
    """The completion form fails when a part's file is refused: the other part's file is
    held and sent with the next try."""
    from motcua.dossiers.services import dossier_request_completion

    a, b = list(portal.building.parts.order_by("position").values_list("pk", flat=True))
    client: Client = portal.client(portal.citizen)
    client.post(
        URL, {**APPLICANT, f"part-{a}": upload("a.pdf", PDF), f"part-{b}": upload("b.pdf", PDF)}
    )
    dossier = Dossier.objects.get()
    dossier_request_completion(
        dossier=dossier, actor=portal.world.clerk, items=["Bản vẽ"], reason="Thiếu"
    )
    page_url = f"/ca-nhan/ho-so/{dossier.code}/"
    response = client.post(
        page_url,
        {f"part-{a}": upload("sua.pdf", PDF + b"%sua"), f"part-{b}": upload("x.pdf", EXE)},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "<strong>sua.pdf</strong>" in page
    held = tokens(page)
    assert list(held) == [f"part-{a}"]
    response = client.post(page_url, {f"held-part-{a}": held[f"part-{a}"][0], "note": "Đã sửa"})
    assert response.status_code == 302
    contents = [
        d.file.read() for d in Document.objects.filter(dossier=dossier, dossier_part__part_id=a)
    ]
    assert PDF + b"%sua" in contents
    assert not HeldUpload.objects.exists()
