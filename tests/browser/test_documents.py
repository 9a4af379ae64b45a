"""A clerk opens an online dossier's PDF part from the dossier page: it opens in a new tab in
Chromium's PDF viewer (the response is inline application/pdf under the file's sandboxing
policy). Screenshots: tests/screenshots/office-documents*.png."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile

from motcua.archive.models import DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.dossiers.models import Channel, DossierPart, Status
from tests.office.conftest import World
from tests.portal.conftest import media  # noqa: F401 (files in a temporary folder)

from .conftest import shot
from .test_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"


def pdf(text: str) -> bytes:
    """A one-page PDF that shows ``text`` (ASCII), built by hand."""
    stream = f"BT /F1 36 Tf 72 700 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def test_a_clerk_opens_an_online_parts_pdf_in_a_new_tab(
    world: World,
    new_page: Any,
    media: Any,  # noqa: F811
) -> None:
    dossier = world.dossier(
        channel=Channel.ONLINE, status=Status.SUBMITTED, received_at=None, due_at=None
    )
    for name, text in (("Đơn đề nghị cấp phép", "DON DE NGHI"), ("Bản vẽ thiết kế", "BAN VE")):
        part = DossierPart.objects.create(dossier=dossier, name=name)
        document_store(
            content=ContentFile(pdf(text), name="x.pdf"),
            content_type="application/pdf",
            meta=DocumentMeta(name=name, kind=DocumentKind.PART, origin=Origin.ONLINE),
            dossier=dossier,
            dossier_part=part,
        )
    DossierPart.objects.create(
        dossier=dossier, name="Giấy tờ về đất", not_digitised_reason="Người nộp mang bản gốc"
    )
    page = new_page()
    log_in(page, "clerk")
    page.goto(f"/can-bo/ho-so/{dossier.code}/")
    row = page.locator("tr", has_text="Đơn đề nghị cấp phép")
    row.get_by_text("PDF, ").wait_for()
    shot(page, "office-documents")
    context = page.context
    with (
        context.expect_page() as opened,
        context.expect_event("response", lambda r: "/giay-to/" in r.url) as answer,
    ):
        row.get_by_role("link", name="Xem").click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    tab = opened.value
    tab.wait_for_load_state()
    # Chromium's PDF viewer took the response (a download would leave no viewer frame).
    for _ in range(50):
        if any(f.url.startswith(PDF_VIEWER) for f in tab.frames):
            break
        tab.wait_for_timeout(100)
    assert any(f.url.startswith(PDF_VIEWER) for f in tab.frames), [f.url for f in tab.frames]
    tab.wait_for_timeout(1000)
    shot(tab, "office-documents-pdf")
