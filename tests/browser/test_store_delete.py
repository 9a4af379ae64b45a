"""A citizen removes an upload from "Kho giấy tờ" on a 360 px phone, after a confirm step."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile

from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from tests.portal.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    PDF,
    Portal,
    _fresh_cache,
    media,
    portal,
)
from tests.world import world  # noqa: F401 (the portal's world, not the office's)

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_delete_an_upload_from_the_store_on_a_phone(
    portal: Portal,  # noqa: F811
    new_page: Any,
) -> None:
    stored = document_store(
        content=ContentFile(PDF, name="cccd.pdf"),
        content_type="application/pdf",
        meta=DocumentMeta(
            name="Bản chụp Căn cước công dân", kind=DocumentKind.UPLOAD, origin=Origin.ONLINE
        ),
        owner=portal.citizen,
        in_store=True,
    )
    page = new_page(width=360, height=740)
    page.goto("/ca-nhan/dang-nhap/")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill("an.nguyen@example.vn")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/ca-nhan/ho-so/")
    page.goto("/ca-nhan/kho/")
    shot(page, "portal-store-360")
    page.get_by_role("link", name="Xóa Bản chụp Căn cước công dân").click()
    page.get_by_role("heading", name="Xóa giấy tờ khỏi kho?").wait_for()
    shot(page, "portal-store-delete-confirm-360")
    assert Document.objects.filter(pk=stored.pk).exists()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.get_by_role("button", name="Xóa giấy tờ").click()
    page.wait_for_url("**/ca-nhan/kho/")
    page.get_by_text("Chưa có giấy tờ nào.").wait_for()
    shot(page, "portal-store-deleted-360")
    assert not Document.objects.filter(pk=stored.pk).exists()
