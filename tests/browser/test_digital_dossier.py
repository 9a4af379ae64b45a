"""Issue 13's headline journey, in Chromium through the real pages: the digital dossier from
an online submission to a signed result reused at the counter.

A citizen on a phone submits a building permit online with three PDFs → the counter clerk
opens each part inline and accepts → the specialist asks for a supplement → the citizen
uploads it → the specialist receives it (the clock restarts from the receipt) → the leader
signs the result with the agency's certificate (PKCS#12 from a throwaway CA) → the citizen
downloads a PDF whose signature pyHanko validates against that CA, and finds it in "Kho giấy
tờ" → at the counter, a second dossier of the same person reuses it, found by ID number.

Only the world (agencies, people, procedures) and the signing configuration are set up by
code. Screenshots: tests/screenshots/digital-*.png."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from motcua.archive.models import Document, DocumentKind, Origin, SignatureStatus
from motcua.catalog.models import DurationUnit, Part, WorkflowStep, step_kind_for
from motcua.dossiers.models import Dossier, DossierEvent, EventType, Status
from motcua.workdays import clock
from motcua.workdays.calendar import get_calendar
from tests.archive.pki import ThrowawayCA, minimal_pdf
from tests.portal.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    Portal,
    _fresh_cache,
    media,
    portal,
)
from tests.world import procedure_create, world  # noqa: F401 (the portal's world)

from .conftest import shot
from .test_documents import PDF_VIEWER, pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE, DESK = 360, 1366
ID_NUMBER = "066090001234"
CA = ThrowawayCA.make()
SIGNER = "Sở Tư pháp tỉnh Đắk Nông"
PARTS = [
    ("Đơn đề nghị cấp giấy phép", "don-de-nghi.pdf", "DON DE NGHI CAP GIAY PHEP"),
    ("Bản chụp Căn cước công dân", "can-cuoc.pdf", "CAN CUOC CONG DAN"),
    ("Bản vẽ thiết kế", "ban-ve.pdf", "BAN VE THIET KE"),
]
ITEM = "Bản vẽ mặt cắt có chữ ký của chủ đầu tư"


@pytest.fixture
def signing(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, portal: Portal) -> None:  # noqa: F811
    """The deciding agency's PKCS#12 (issued by the throwaway CA) and its password, and the
    CA as the only trust root: configuration, as an operator would set it."""
    folder = tmp_path / "signing"
    agency = portal.building.agency
    CA.write_p12(folder, agency.code, SIGNER, "mật khẩu ký")
    monkeypatch.setenv(
        "MOTCUA_SIGNING_PASSWORD_" + agency.code.upper().replace(".", "_"), "mật khẩu ký"
    )
    roots = tmp_path / "roots.pem"
    roots.write_bytes(CA.pem())
    settings.MOTCUA = {**settings.MOTCUA, "SIGNING_DIR": str(folder), "TRUST_ROOTS": str(roots)}


def _setup(p: Portal) -> Any:
    """The building permit gets its third part and the catalogue's four steps (the third a
    signing step); a second procedure needs the permit already issued."""
    w = p.world
    Part.objects.create(version=p.building, position=3, name=PARTS[2][0])
    for position, (name, unit, hours) in enumerate(
        [
            ("Tiếp nhận, kiểm tra và chuyển hồ sơ", w.center, 4),
            ("Thẩm định hồ sơ, dự thảo kết quả", w.justice, 40),
            ("Lãnh đạo Sở ký", w.justice, 8),
            ("Trả kết quả", w.center, 4),
        ],
        start=1,
    ):
        WorkflowStep.objects.create(
            version=p.building,
            position=position,
            name=name,
            unit=unit,
            hours=Decimal(hours),
            kind=step_kind_for(name),
        )
    amend = procedure_create(
        code="1.009974",
        name="Điều chỉnh giấy phép xây dựng đối với nhà ở riêng lẻ",
        agency=w.justice,
        field=p.field,
        duration=Decimal(10),
        unit=DurationUnit.WORKING_DAYS,
    )
    Part.objects.create(version=amend, position=1, name="Đơn đề nghị điều chỉnh giấy phép")
    Part.objects.create(version=amend, position=2, name="Giấy phép xây dựng đã được cấp")
    return amend


def _staff(new_page: Any, username: str, width: int = DESK) -> Any:
    page = new_page(width=width, height=900)
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("matkhau-thu")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/**")
    return page


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def _open_inline(page: Any, row: Any, name: str) -> None:
    """Click the part's "Xem": a new tab whose response is inline application/pdf, taken by
    Chromium's PDF viewer (a download would leave no viewer frame)."""
    context = page.context
    with (
        context.expect_page() as opened,
        context.expect_event("response", lambda r: "/giay-to/" in r.url) as answer,
    ):
        row.get_by_role("link", name="Xem").first.click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    tab = opened.value
    tab.wait_for_load_state()
    for _ in range(50):
        if any(f.url.startswith(PDF_VIEWER) for f in tab.frames):
            break
        tab.wait_for_timeout(100)
    assert any(f.url.startswith(PDF_VIEWER) for f in tab.frames), [f.url for f in tab.frames]
    tab.wait_for_timeout(800)
    shot(tab, f"digital-02-clerk-opens-{name}")
    tab.close()


def _validated(data: bytes) -> Any:
    """pyHanko's validation of the one signature in ``data``, the test CA the only trust
    root. In a thread of its own: pyHanko runs an event loop, and Playwright's already runs
    in this one."""

    def validate() -> Any:
        [embedded] = PdfFileReader(io.BytesIO(data)).embedded_signatures
        trust = asn1_x509.Certificate.load(CA.cert.public_bytes(Encoding.DER))
        return validate_pdf_signature(
            embedded, ValidationContext(trust_roots=[trust], allow_fetching=False)
        )

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(validate).result()


def test_the_digital_dossier_from_upload_to_reuse(
    portal: Portal,  # noqa: F811
    signing: None,
    new_page: Any,
    tmp_path: Path,
) -> None:
    amend = _setup(portal)
    parts = list(portal.building.parts.order_by("position"))

    # 1. The citizen, on a phone, submits online with three PDFs.
    citizen = new_page(width=PHONE, height=740)
    citizen.goto(f"/ca-nhan/dang-nhap/?next=/thu-tuc/{portal.building.procedure.code}/nop/")
    citizen.get_by_label("Thư điện tử hoặc số điện thoại").fill("an.nguyen@example.vn")
    citizen.get_by_label("Mật khẩu").fill(PASSWORD)
    citizen.get_by_role("button", name="Đăng nhập").click()
    citizen.wait_for_url("**/nop/")
    citizen.get_by_label("Số định danh cá nhân (12 số) hoặc mã số thuế").fill(ID_NUMBER)
    citizen.get_by_label("Điện thoại").fill("0912345678")
    for part, (_name, filename, text) in zip(parts, PARTS, strict=True):
        citizen.locator(f"input[name=part-{part.pk}]").set_input_files(
            {"name": filename, "mimeType": "application/pdf", "buffer": pdf(text)}
        )
    shot(citizen, "digital-01-citizen-submits-360")
    _no_sideways_scroll(citizen)
    citizen.get_by_role("button", name="Kiểm tra trước khi nộp").click()
    citizen.get_by_role("button", name="Nộp hồ sơ").click()
    citizen.wait_for_url("**/ca-nhan/ho-so/**")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED and dossier.owner == portal.citizen
    shot(citizen, "digital-01-citizen-submitted-360")

    # 2. The clerk opens each part inline, then accepts and hands it to the appraisal step.
    clerk = _staff(new_page, "tiepnhan")
    clerk.goto(f"/can-bo/ho-so/{dossier.code}/")
    clerk.get_by_role("heading", name=f"Hồ sơ {dossier.code}").wait_for()
    shot(clerk, "digital-02-clerk-dossier-1366")
    for index, (name, _filename, _text) in enumerate(PARTS, start=1):
        _open_inline(clerk, clerk.locator("tr", has_text=name), str(index))
    clerk.get_by_role("button", name="Tiếp nhận hồ sơ trực tuyến").click()
    clerk.get_by_text("Đã tiếp nhận hồ sơ.").wait_for()
    clerk.get_by_role("button", name="Chuyển", exact=True).click()
    clerk.get_by_text("Đã chuyển hồ sơ").wait_for()
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.received_at is not None

    # 3. The specialist asks for a supplement.
    specialist = _staff(new_page, "chuyenvien")
    specialist.goto(f"/can-bo/ho-so/{dossier.code}/")
    form = specialist.locator('details[data-action="supplement"]')
    form.locator("summary").click()
    form.get_by_label("Nội dung cần bổ sung (mỗi dòng một nội dung)").fill(ITEM)
    form.get_by_label("Lý do").fill("Bản vẽ thiết kế thiếu mặt cắt")
    shot(specialist, "digital-03-specialist-asks-1366")
    form.get_by_role("button", name="Gửi yêu cầu bổ sung").click()
    specialist.get_by_text("Đã gửi yêu cầu bổ sung hồ sơ").wait_for()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    due_before = dossier.due_at

    # 4. The citizen sees what is asked and uploads it online.
    citizen.goto(f"/ca-nhan/ho-so/{dossier.code}/")
    citizen.get_by_role("heading", name="Cần bổ sung hồ sơ").wait_for()
    assert ITEM in citizen.locator("#bo-sung").inner_text()
    citizen.locator("input[name=item-1]").set_input_files(
        {"name": "mat-cat.pdf", "mimeType": "application/pdf", "buffer": pdf("MAT CAT")}
    )
    shot(citizen, "digital-04-citizen-supplement-360")
    _no_sideways_scroll(citizen)
    citizen.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    citizen.get_by_text("Đã gửi hồ sơ bổ sung.").wait_for()
    shot(citizen, "digital-04-citizen-supplement-sent-360")

    # 5. The specialist receives it: the clock restarts from the receipt, then hands the
    # dossier to the leader's signing step.
    specialist.goto(f"/can-bo/ho-so/{dossier.code}/")
    specialist.locator("section", has_text="Người nộp đã gửi bổ sung trực tuyến").wait_for()
    shot(specialist, "digital-05-specialist-sees-supplement-1366")
    specialist.get_by_role("button", name="Đã nhận đủ bổ sung").click()
    specialist.get_by_text("Đã nhận hồ sơ bổ sung").first.wait_for()
    dossier.refresh_from_db()
    received = DossierEvent.objects.get(dossier=dossier, type=EventType.SUPPLEMENT_RECEIVED)
    version = dossier.procedure_version
    assert dossier.status == Status.PROCESSING
    assert dossier.due_at == clock.due_at(
        received.at, version.duration, version.unit, cutoff=version.cutoff, calendar=get_calendar()
    )
    assert dossier.due_explanation["restarted_at"] == received.at.isoformat()
    assert due_before is not None and dossier.due_at is not None
    assert dossier.due_at >= due_before
    assert dossier.parts.filter(name=ITEM).get().documents.count() == 1
    shot(specialist, "digital-05-specialist-received-1366")
    specialist.get_by_label("Ý kiến, đề xuất gửi bước sau").fill("Đề nghị cấp giấy phép")
    specialist.get_by_role("button", name="Chuyển", exact=True).click()
    specialist.get_by_text("Đã chuyển hồ sơ").wait_for()

    # 6. The leader signs: the result PDF is signed with the agency's certificate.
    leader = _staff(new_page, "lanhdao")
    leader.goto(f"/can-bo/ho-so/{dossier.code}/")
    finish = leader.locator('details[data-action="finish"]')
    assert finish.locator("summary").inner_text() == "Duyệt, ký — có kết quả"
    finish.get_by_label("Tệp kết quả (PDF, DOCX, ảnh; tối đa 20 MB)").set_input_files(
        {"name": "giay-phep.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}
    )
    shot(leader, "digital-06-leader-signs-1366")
    finish.get_by_role("button", name="Duyệt, ký — có kết quả").click()
    leader.get_by_text("Đã cập nhật kết quả giải quyết").wait_for()
    shot(leader, "digital-06-leader-signed-1366")
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    result = Document.objects.get(dossier=dossier, kind=DocumentKind.RESULT)
    assert result.signature_status == SignatureStatus.VALID and result.signer == SIGNER
    assert result.owner == portal.citizen and result.holder_id_number == ID_NUMBER

    # 7. The citizen downloads the result from their page; pyHanko validates its signature
    # with the test CA as the only trust root. It is in "Kho giấy tờ".
    citizen.goto(f"/ca-nhan/ho-so/{dossier.code}/")
    citizen.locator("[data-result]").wait_for()
    shot(citizen, "digital-07-citizen-result-360")
    _no_sideways_scroll(citizen)
    with citizen.expect_download() as download:
        citizen.locator("[data-result]").get_by_role("link", name="Tải về").click()
    saved = tmp_path / "ket-qua.pdf"
    download.value.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(minimal_pdf())  # the upload, with an incremental signature
    status = _validated(data)
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert SIGNER in status.signing_cert.subject.human_friendly
    citizen.goto("/ca-nhan/kho/")
    stored = citizen.locator("li", has=citizen.locator(f'a[href="/ca-nhan/kho/{result.pk}/"]'))
    stored.get_by_role("link", name=result.name).wait_for()
    assert SIGNER in stored.inner_text()
    shot(citizen, "digital-08-citizen-store-360")
    _no_sideways_scroll(citizen)

    # 8. At the counter, a second dossier of the same person: the clerk types the ID number,
    # finds the stored result and picks it for the part that asks for the permit.
    first, second = amend.parts.order_by("position")
    clerk.goto(f"/can-bo/quay/thu-tuc/{amend.pk}/")
    clerk.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    clerk.get_by_label("Số định danh cá nhân / mã số thuế").fill(ID_NUMBER)
    clerk.get_by_label("Điện thoại", exact=True).fill("0912345678")
    clerk.get_by_label(first.name).check()
    clerk.get_by_label(second.name).check()
    scan = pdf("DON DE NGHI DIEU CHINH")
    clerk.locator(f'[name="part-{first.pk}"]').set_input_files(
        {"name": "don-dieu-chinh.pdf", "mimeType": "application/pdf", "buffer": scan}
    )
    clerk.get_by_role("button", name="Tìm giấy tờ đã lưu theo số định danh").click()
    clerk.get_by_text("Tìm thấy").wait_for()
    # The scan chosen before the lookup is kept (no need to pick it again).
    clerk.locator(".held", has_text="don-dieu-chinh.pdf").wait_for()
    assert clerk.locator(f'[name="part-{first.pk}"]').is_hidden()
    reuse = clerk.locator(f'[name="reuse-{second.pk}"]')
    reuse.select_option(str(result.pk))
    assert result.code in reuse.locator("option:checked").inner_text()
    shot(clerk, "digital-09-counter-reuses-1366")
    clerk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    clerk.wait_for_url("**/can-bo/ho-so/**")
    shot(clerk, "digital-09-counter-received-1366")
    again = Dossier.objects.exclude(pk=dossier.pk).get()
    assert again.procedure_version == amend and again.applicant_id_number == ID_NUMBER
    scanned = again.parts.get(part=first)
    scan_document = scanned.documents.get()
    assert scan_document.origin == Origin.SCAN and scan_document.file.read() == scan
    reused = again.parts.get(part=second)
    assert reused.reused
    copy = reused.documents.get()
    assert copy.source == result and copy.origin == Origin.REUSE and copy.sha256 == result.sha256
