"""The counter digitises a paper dossier in a real browser at 1366 px: a scan for one part,
the applicant's stored result found by ID number and reused for another."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.archive.models import DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.dossiers.models import Dossier
from tests.office.conftest import World

from .conftest import shot
from .test_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOLDER = "001099012345"


@pytest.fixture(autouse=True)
def documents_dir(settings: Any, tmp_path: Path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }


def test_the_clerk_scans_one_part_and_reuses_another(
    world: World, new_page: Any, tmp_path: Path
) -> None:
    kept = document_store(
        content=SimpleUploadedFile("kq.pdf", b"%PDF-1.4 earlier"),
        content_type="application/pdf",
        meta=DocumentMeta(
            name="Giấy chứng nhận quyền sử dụng đất",
            kind=DocumentKind.RESULT,
            origin=Origin.ISSUED,
            code=f"{HOLDER}.GCN",
            holder_id_number=HOLDER,
        ),
    )
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(b"%PDF-1.4 scanned at the counter")
    first, second = world.version.parts.all()
    clerk = new_page(width=1366, height=900)
    log_in(clerk, "clerk")
    clerk.goto(f"/can-bo/quay/thu-tuc/{world.version.pk}/")
    clerk.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    clerk.get_by_label("Số định danh cá nhân / mã số thuế").fill(HOLDER)
    clerk.get_by_label(first.name).check()
    clerk.get_by_label(second.name).check()
    clerk.get_by_role("button", name="Tìm giấy tờ đã lưu theo số định danh").click()
    clerk.get_by_text("Tìm thấy 1 giấy tờ").wait_for()
    # What was typed is still there after the lookup.
    assert clerk.get_by_label("Họ tên / tên tổ chức").input_value() == "Nguyễn Văn An"
    assert clerk.get_by_label(first.name).is_checked()
    clerk.locator(f'[name="part-{first.pk}"]').set_input_files(str(scan))
    clerk.locator(f'[name="reuse-{second.pk}"]').select_option(str(kept.pk))
    shot(clerk, "counter-digitise-1366")
    clerk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    clerk.wait_for_url("**/can-bo/ho-so/**")
    dossier = Dossier.objects.get()
    one, two = dossier.parts.order_by("id")
    assert one.documents.get().origin == Origin.SCAN
    assert two.reused and two.documents.get().source == kept
    shot(clerk, "counter-digitise-received")
