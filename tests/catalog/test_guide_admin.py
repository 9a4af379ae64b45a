"""The guide of a procedure version (conditions, applicant steps, blank forms) edited in the
admin: saved by ``procedure_guide_save`` like the import, audited, the form files checked."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.catalog.models import BlankForm
from motcua.core.models import AuditEvent
from tests.catalog.test_guides import PDF, docx_bytes
from tests.world import World, world_build


@pytest.fixture
def world(db: None) -> World:
    return world_build()


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def _rows(*rows: dict[str, Any], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "mau-TOTAL_FORMS": len(rows),
        "mau-INITIAL_FORMS": initial,
        "mau-MIN_NUM_FORMS": 0,
        "mau-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data.update({f"mau-{i}-{key}": value for key, value in row.items()})
    return data


def test_the_admin_edits_conditions_steps_and_forms_through_the_service(world: World) -> None:
    client = _admin(world)
    url = f"/quan-tri/catalog/procedureversion/{world.procedure.pk}/huong-dan/"
    change = client.get(f"/quan-tri/catalog/procedureversion/{world.procedure.pk}/change/")
    assert url in change.content.decode()  # the version's page links to its guide
    assert client.get(url).status_code == 200

    saved = client.post(
        url,
        {
            "conditions": "Người có quốc tịch Việt Nam.",
            "steps": "Nộp hồ sơ\n\nNhận kết quả\n",
            **_rows(
                {
                    "name": "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
                    "number": "Mẫu số 03",
                    "file": SimpleUploadedFile("to-khai.pdf", PDF),
                }
            ),
        },
    )
    assert saved.status_code == 302
    version = type(world.procedure).objects.get(pk=world.procedure.pk)
    assert version.conditions == "Người có quốc tịch Việt Nam."
    assert version.applicant_step_lines == ["Nộp hồ sơ", "Nhận kết quả"]
    form = version.forms.get()
    assert (form.name, form.number, form.content_type) == (
        "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
        "Mẫu số 03",
        "application/pdf",
    )
    event = AuditEvent.objects.get(action="catalog.guide_save")
    assert event.actor == world.admin

    # The page shows what is published; renaming without a new file keeps the stored file,
    # and a second form is added in the empty row.
    page = client.get(url).content.decode()
    assert "Mẫu số 03" in page and "Người có quốc tịch Việt Nam." in page
    stored = form.file.name
    client.post(
        url,
        {
            "conditions": "Người có quốc tịch Việt Nam.",
            "steps": "Nộp hồ sơ\nNhận kết quả",
            **_rows(
                {"existing": form.pk, "name": "Tờ khai (sửa tên)", "number": "Mẫu số 03"},
                {
                    "name": "Giấy ủy quyền",
                    "number": "",
                    "file": SimpleUploadedFile("uy-quyen.docx", docx_bytes()),
                },
                initial=1,
            ),
        },
    )
    forms = list(BlankForm.objects.filter(version=version).order_by("position"))
    assert [f.name for f in forms] == ["Tờ khai (sửa tên)", "Giấy ủy quyền"]
    assert forms[0].file.name == stored
    assert AuditEvent.objects.filter(action="catalog.guide_save").count() == 2

    # Deleting a row removes the form.
    client.post(
        url,
        {
            "conditions": "Người có quốc tịch Việt Nam.",
            "steps": "Nộp hồ sơ\nNhận kết quả",
            **_rows(
                {"existing": forms[0].pk, "name": forms[0].name, "number": "Mẫu số 03"},
                {"existing": forms[1].pk, "name": forms[1].name, "DELETE": "on"},
                initial=2,
            ),
        },
    )
    assert [f.name for f in BlankForm.objects.filter(version=version)] == ["Tờ khai (sửa tên)"]


def test_a_file_that_is_not_a_pdf_or_docx_is_refused_and_nothing_changes(world: World) -> None:
    client = _admin(world)
    url = f"/quan-tri/catalog/procedureversion/{world.procedure.pk}/huong-dan/"
    answer = client.post(
        url,
        {
            "conditions": "Điều kiện mới",
            "steps": "",
            **_rows(
                {"name": "Tờ khai", "file": SimpleUploadedFile("to-khai.pdf", b"MZ not a pdf")},
                {"name": "Không có tệp"},
            ),
        },
    )
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Tệp phải là PDF hoặc Word (DOCX)." in html
    assert "Chọn tệp mẫu đơn, tờ khai." in html
    world.procedure.refresh_from_db()
    assert world.procedure.conditions == ""
    assert not BlankForm.objects.exists()
    assert not AuditEvent.objects.filter(action="catalog.guide_save").exists()


def test_staff_without_the_admin_cannot_reach_the_guide_page(world: World) -> None:
    client = Client()
    client.force_login(world.leader)
    url = f"/quan-tri/catalog/procedureversion/{world.procedure.pk}/huong-dan/"
    assert client.get(url).status_code == 302  # to the login, like every admin page
    assert client.post(url, {"conditions": "x", **_rows()}).status_code == 302
    world.procedure.refresh_from_db()
    assert world.procedure.conditions == ""
