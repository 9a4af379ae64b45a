"""The official forms 01-07 render to DOCX and PDF with the dossier's values, the Vietnamese
way (domain.md §11), in the ND 30/2020 layout; the receipt's QR code holds the lookup URL."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import segno
from django.contrib.auth import get_user_model
from django.utils import translation
from docx import Document
from docx.oxml.ns import qn
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject
from pytest_django import DjangoAssertNumQueries, Settings

from motcua.agencies.models import Agency, AgencyKind, Level
from motcua.catalog.models import DurationUnit, Field, Part, PartKind, Procedure, ProcedureVersion
from motcua.core import documents
from motcua.core.documents import DocumentHeader
from motcua.dossiers.forms_docs import context as ctx
from motcua.dossiers.forms_docs import form_response, render_context, render_form
from motcua.dossiers.forms_docs.render import Format, qr_png
from motcua.dossiers.models import (
    Channel,
    DeliveryChannel,
    Dossier,
    DossierEvent,
    DossierPart,
    EndKind,
    EventType,
    Handover,
    Status,
    StepResult,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CODE = "000.00.19.H18-220829-0007"
APPLICANT = "Nguyễn Thị Hồng Nhung"
PUBLIC = "https://dichvucong.example.vn"


def at(day: int, month: int, hour: int, minute: int = 0, year: int = 2022) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def docx_text(data: bytes) -> str:
    """Every paragraph of the document, tables included, one per line."""
    body = Document(io.BytesIO(data)).element.body
    lines = ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]
    return "\n".join(lines)


def qr_modules(image: Any, *, scale: int = 8, border: int = 2) -> list[list[bool]]:
    """Read a QR code printed by ``qr_png`` back into its matrix of dark modules, sampling the
    centre of each module: a decoder for the one layout we print."""
    grey = image.convert("L")
    size = grey.width // scale - 2 * border
    half = scale // 2
    return [
        [
            grey.getpixel(((border + x) * scale + half, (border + y) * scale + half)) < 128
            for x in range(size)
        ]
        for y in range(size)
    ]


def expected_modules(url: str) -> list[list[bool]]:
    return [[bool(m) for m in row] for row in segno.make(url, error="m", micro=False).matrix]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    # Extracted text may come decomposed; compare in the composed form the sources use.
    return re.sub(r"[ \t]+", " ", unicodedata.normalize("NFC", text))


# Each output format with the function that reads its text back.
FORMATS: tuple[tuple[Format, Callable[[bytes], str]], ...] = (
    ("docx", docx_text),
    ("pdf", pdf_text),
)


def flat(text: str) -> str:
    """Line breaks of a PDF fall anywhere: compare with single spaces."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def public_url(settings: Settings) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "PUBLIC_URL": PUBLIC + "/"}


@pytest.fixture
def dossier(db: None, public_url: None) -> Dossier:
    province = Agency.objects.create(
        code="000.00.00.H18",
        name="Ủy ban nhân dân tỉnh Đắk Nông",
        level=Level.PROVINCE,
        kind=AgencyKind.PEOPLE_COMMITTEE,
    )
    center = Agency.objects.create(
        code="000.00.40.H18",
        name="Trung tâm Phục vụ hành chính công tỉnh",
        level=Level.PROVINCE,
        kind=AgencyKind.SERVICE_CENTER,
        parent=province,
    )
    department = Agency.objects.create(
        code="000.00.19.H18",
        name="Sở Xây dựng",
        short_name="SXD",
        level=Level.PROVINCE,
        kind=AgencyKind.DEPARTMENT,
        parent=province,
    )
    field = Field.objects.create(name="Hoạt động xây dựng")
    version = ProcedureVersion.objects.create(
        procedure=Procedure.objects.create(code="1.009972"),
        name="Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt",
        field=field,
        agency=department,
        level=Level.PROVINCE,
        duration=Decimal("3"),
        unit=DurationUnit.WORKING_DAYS,
    )
    part = Part.objects.create(
        version=version,
        position=1,
        name="Đơn đề nghị cấp giấy phép xây dựng",
        kind=PartKind.ORIGINAL,
    )
    clerk = get_user_model().objects.create_user(
        "tiepnhan", first_name="Bình", last_name="Trần Văn"
    )
    d = Dossier.objects.create(
        code=CODE,
        secret="k7Qm2xPa",
        procedure_version=version,
        agency=department,
        level=Level.PROVINCE,
        field=field,
        receiving_unit=center,
        channel=Channel.DIRECT,
        applicant_kind="citizen",
        applicant_name=APPLICANT,
        applicant_phone="0912 345 678",
        applicant_email="nhung@example.vn",
        applicant_address="Tổ 3, phường Nghĩa Đức, thành phố Gia Nghĩa",
        status=Status.PROCESSING,
        received_at=at(29, 8, 10),
        due_at=at(5, 9, 17),
    )
    DossierPart.objects.create(dossier=d, part=part, name=part.name, kind=PartKind.ORIGINAL)
    DossierPart.objects.create(
        dossier=d, name="Bản vẽ thiết kế xây dựng", kind=PartKind.COPY, copies=2
    )
    DossierEvent.objects.create(
        dossier=d, type=EventType.RECEIVED, at=at(29, 8, 10), actor=clerk, data={"sets": 2}
    )
    return d


def test_receipt_docx_prints_the_dossier_and_embeds_the_lookup_qr(dossier: Dossier) -> None:
    data = render_form("01", dossier, fmt="docx")
    text = docx_text(data)
    for expected in (
        CODE,
        APPLICANT,
        "UBND TỈNH ĐẮK NÔNG",
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Đắk Nông, ngày 29 tháng 8 năm 2022",
        "Liên 1: Lưu",
        "Liên 2: Giao người nộp hồ sơ",
        "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt",
        "Bản vẽ thiết kế xây dựng",
        "Bản sao chứng thực" if False else "Bản chính",
        "Số lượng hồ sơ: 2 (bộ)",
        "3 ngày làm việc",
        "Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 29/8/2022",
        "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 5/9/2022",
        "Quyển số: 2022, Số thứ tự: 7",
        "Trần Văn Bình",
        "mã tra cứu: k7Qm2xPa",
    ):
        assert expected in text, expected
    assert "{{" not in text and "{%" not in text
    # Both copies carry the QR code, and it encodes the public lookup address exactly.
    url = f"{PUBLIC}/tra-cuu/?ma={CODE}&bi-mat=k7Qm2xPa&kenh=qr"
    assert ctx.receipt_context(dossier).lookup_url == url
    doc = Document(io.BytesIO(data))
    images = [r.target_part.blob for r in doc.part.rels.values() if "image" in r.reltype]
    assert images and all(blob == qr_png(url) for blob in images)
    assert qr_modules(Image.open(io.BytesIO(images[0]))) == expected_modules(url)
    assert len(doc.inline_shapes) == 2
    # A reprint of the applicant's copy alone.
    reprint = docx_text(render_form("01", dossier, fmt="docx", copy=2))
    assert "Liên 2" in reprint and "Liên 1" not in reprint


def test_official_forms_stay_vietnamese_in_an_english_interface(dossier: Dossier) -> None:
    with translation.override("en"):
        text = docx_text(render_form("01", dossier, fmt="docx"))
    assert "3 ngày làm việc" in text and "Bản chính" in text


def test_receipt_pdf_prints_the_same_values_on_two_copies(dossier: Dossier) -> None:
    data = render_form("01", dossier, fmt="pdf")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    assert all(len(page.images) == 1 for page in reader.pages)
    url = f"{PUBLIC}/tra-cuu/?ma={CODE}&bi-mat=k7Qm2xPa&kenh=qr"
    for page in reader.pages:
        assert qr_modules(page.images[0].image) == expected_modules(url)
    text = flat(pdf_text(data))
    for expected in (
        CODE,
        APPLICANT,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Đắk Nông, ngày 29 tháng 8 năm 2022",
        "10 giờ 00 phút, ngày 29/8/2022",
        "17 giờ 00 phút, ngày 5/9/2022",
        "Liên 2: Giao người nộp hồ sơ",
        "Trần Văn Bình",
    ):
        assert expected in text, expected
    # domain.md §11: Times New Roman or a face with its metrics, and nothing else: a letter
    # taken from a fallback face would move the rest of its line.
    fonts = embedded_fonts(data)
    assert fonts and all(times_metric_face(f) for f in fonts), fonts


# The faces with the advance widths of Times New Roman that fontconfig may find, as named in
# CSS and as their PostScript names appear in a PDF (subset prefix and separators removed).
TIMES_METRIC_FACES = {
    "Times New Roman": "timesnewroman",
    "Tinos": "tinos",
    "Liberation Serif": "liberationserif",
}
# Where every piece of text of the receipt falls, as laid out with Tinos (see
# ``test_receipt_pdf_lays_out_the_same_with_every_times_metric_face``).
RECEIPT_LAYOUT = Path(__file__).with_name("receipt_layout.json")
LAYOUT_TOLERANCE_PT = 0.5


def embedded_fonts(data: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(data))
    names: set[str] = set()
    for page in reader.pages:
        resources = page["/Resources"]
        assert isinstance(resources, DictionaryObject)
        fonts = resources["/Font"]
        assert isinstance(fonts, DictionaryObject)
        names.update(str(f["/BaseFont"]) for f in fonts.values())
    return names


def times_metric_face(base_font: str) -> str | None:
    """'/ABCDEF+Liberation-Serif-Bold' -> 'Liberation Serif'; None for any other face."""
    name = re.sub(r"[-_ ]", "", base_font.lstrip("/").split("+")[-1]).lower()
    for family, prefix in TIMES_METRIC_FACES.items():
        if name.startswith(prefix):
            return family
    return None


def pdf_runs(data: bytes) -> list[tuple[int, float, float, str]]:
    """Every piece of text in the PDF with its page and its origin in points."""
    runs: list[tuple[int, float, float, str]] = []
    for number, page in enumerate(PdfReader(io.BytesIO(data)).pages):

        def visit(
            text: str, cm: Any, tm: Any, _font: Any, _size: Any, number: int = number
        ) -> None:
            text = unicodedata.normalize("NFC", text).replace("\xa0", " ").strip()
            if text:
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                runs.append((number, round(x, 2), round(y, 2), re.sub(r"\s+", " ", text)))

        page.extract_text(visitor_text=visit)
    return runs


def test_receipt_pdf_lays_out_the_same_with_every_times_metric_face(
    dossier: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The receipt is forced onto each Times-metric face in turn; every face this machine has
    (with the Vietnamese letters) must put every piece of text where Tinos put it when
    ``receipt_layout.json`` was recorded. A machine with Tinos, with Liberation Serif 2.x, or
    with both therefore checks one against the other through the recorded layout."""
    expected = [tuple(run) for run in json.loads(RECEIPT_LAYOUT.read_text())]
    checked = []
    for family in TIMES_METRIC_FACES:
        monkeypatch.setattr(documents, "CSS_FONT_FAMILY", f'"{family}"')
        data = render_form("01", dossier, fmt="pdf")
        if {times_metric_face(f) for f in embedded_fonts(data)} != {family}:
            # Not installed here, or without the Vietnamese letters: fontconfig substituted.
            continue
        checked.append(family)
        runs = pdf_runs(data)
        assert len(PdfReader(io.BytesIO(data)).pages) == 2, family
        assert [(p, t) for p, _x, _y, t in runs] == [(p, t) for p, _x, _y, t in expected], family
        for (_p, x, y, text), (_q, want_x, want_y, _t) in zip(runs, expected, strict=True):
            assert abs(x - want_x) <= LAYOUT_TOLERANCE_PT, (family, text, x, want_x)
            assert abs(y - want_y) <= LAYOUT_TOLERANCE_PT, (family, text, y, want_y)
    assert checked, (
        "no Times-metric face with Vietnamese letters: install fonts-croscore (Tinos) or "
        "fonts-liberation2 (fonts-liberation 1.x has no Vietnamese)"
    )


def test_supplement_request_lists_the_items_from_the_event(dossier: Dossier) -> None:
    DossierEvent.objects.create(
        dossier=dossier,
        type=EventType.SUPPLEMENT_REQUESTED,
        at=at(30, 8, 9, 15),
        data={
            "items": ["Bản vẽ mặt bằng móng", "Giấy chứng nhận quyền sử dụng đất"],
            "reason": "Hồ sơ thiếu bản vẽ móng",
            "contact_name": "Lê Thị Thu",
            "contact_phone": "0261 3544 123",
        },
    )
    for fmt, extract in FORMATS:
        text = flat(extract(render_form("02", dossier, fmt=fmt)))
        assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
        assert "1. Bản vẽ mặt bằng móng" in text
        assert "2. Giấy chứng nhận quyền sử dụng đất" in text
        assert "Lý do: Hồ sơ thiếu bản vẽ móng" in text
        assert "Lê Thị Thu, số điện thoại 0261 3544 123" in text
        # During processing the competent agency asks, dated the day of the request.
        assert "SỞ XÂY DỰNG" in text
        assert "Đắk Nông, ngày 30 tháng 8 năm 2022" in text


def test_supplement_request_needs_items(dossier: Dossier) -> None:
    with pytest.raises(ValueError, match="danh mục"):
        ctx.supplement_context(dossier)


def test_refusal_at_intake_and_after_appraisal(dossier: Dossier) -> None:
    data = render_form("03", dossier, fmt="docx", reason="Thiếu đơn\nThiếu bản vẽ", at_intake=True)
    text = flat(docx_text(data))
    assert "không tiếp nhận hồ sơ này" in text
    # A reason typed on two lines keeps its line break in Word.
    assert "Thiếu đơn\nThiếu bản vẽ" in [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    DossierEvent.objects.create(
        dossier=dossier,
        type=EventType.REFUSED,
        at=at(2, 2, 14, year=2023),
        data={"reason": "Công trình không phù hợp quy hoạch", "signer_name": "Phạm Văn Đức"},
    )
    text = flat(pdf_text(render_form("03", dossier, fmt="pdf")))
    assert "không giải quyết hồ sơ này" in text
    assert "Công trình không phù hợp quy hoạch" in text
    # ND 30/2020 Phụ lục I, Mục II.8: the head's title, never "THỦ TRƯỞNG …".
    assert "GIÁM ĐỐC" in text and "Phạm Văn Đức" in text and "THỦ TRƯỞNG" not in text
    # ND 30/2020: a leading zero for days below 10 and months below 3.
    assert "Đắk Nông, ngày 02 tháng 02 năm 2023" in text


def test_apology_gives_the_missed_and_the_new_appointment(dossier: Dossier) -> None:
    with pytest.raises(ValueError, match="hẹn trả mới"):
        ctx.apology_context(dossier)
    DossierEvent.objects.create(
        dossier=dossier,
        type=EventType.EXTENSION,
        at=at(1, 9, 16),
        data={"reason": "Cần xác minh thực địa", "new_due_at": at(9, 9, 17).isoformat()},
    )
    for fmt, extract in FORMATS:
        text = flat(extract(render_form("04", dossier, fmt=fmt, signer_name="Hoàng Minh")))
        assert "Kính gửi: Ông/Bà " + APPLICANT in text
        assert "Ngày 29/8/2022, Sở Xây dựng tiếp nhận" in text
        assert CODE in text
        assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 5/9/2022" in text
        assert "lý do: Cần xác minh thực địa" in text
        assert "trả kết quả giải quyết hồ sơ vào 17 giờ 00 phút, ngày 9/9/2022" in text
        assert "Hoàng Minh" in text
        assert f"Nơi nhận: - {APPLICANT}; - Trung tâm Phục vụ hành chính công tỉnh;" in text
        assert "- Lưu: VT, SXD." in text


def test_stop_notice_says_why_and_since_when(dossier: Dossier) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(
        status=Status.STOPPED,
        ended_at=at(20, 9, 8, 30),
        end_kind=EndKind.STOPPED,
        end_reason="Quá 15 ngày không bổ sung hồ sơ",
    )
    dossier.refresh_from_db()
    for fmt, extract in FORMATS:
        text = flat(extract(render_form("05", dossier, fmt=fmt)))
        assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
        assert "kể từ 8 giờ 30 phút, ngày 20/9/2022" in text
        assert "Lý do: Quá 15 ngày không bổ sung hồ sơ" in text
        assert "GIÁM ĐỐC" in text and "TM." not in text  # a department is not a collective
        # Dated the day it stopped, not the day it is printed.
        assert "Đắk Nông, ngày 20 tháng 9 năm 2022" in text


def test_control_slip_has_one_row_per_handover(dossier: Dossier) -> None:
    center, department = dossier.receiving_unit, dossier.agency
    # Units of the register by their foreign key; a unit outside it by its label.
    rows = [
        (center, department, "", at(29, 8, 14), StepResult.EARLY),
        (department, center, "", at(6, 9, 9), StepResult.LATE),
        (center, None, "Văn thư Sở Xây dựng", at(7, 9, 9), StepResult.ON_TIME),
    ]
    for i, (src, dst, label, when, result) in enumerate(rows, start=1):
        Handover.objects.create(
            dossier=dossier,
            position=i,
            from_unit=src,
            to_unit=dst,
            to_unit_label=label,
            at=when,
            giver=f"Người giao {i}",
            receiver=f"Người nhận {i}",
            result=result,
            note="Trễ do chờ xác minh" if result == StepResult.LATE else "",
        )
    docx = flat(docx_text(render_form("06", dossier, fmt="docx")))
    pdf = flat(pdf_text(render_form("06", dossier, fmt="pdf")))
    for text in (docx, pdf):
        assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
        assert "1. Giao: Trung tâm Phục vụ hành chính công tỉnh Nhận: Sở Xây dựng" in text
        assert "2. Giao: Sở Xây dựng Nhận: Trung tâm Phục vụ hành chính công tỉnh" in text
        assert "3. Giao: Trung tâm Phục vụ hành chính công tỉnh Nhận: Văn thư Sở Xây dựng" in text
        assert "14 giờ 00 phút, ngày 29/8/2022" in text
        assert "9 giờ 00 phút, ngày 6/9/2022" in text
        assert "Người giao 2" in text and "Người nhận 2" in text
        assert "Trước hạn" in text and "Quá hạn" in text
        assert "Trễ do chờ xác minh" in text
    assert docx.index("Người giao 1") < docx.index("Người giao 2")


def test_register_lists_dossiers_of_the_period_in_landscape(
    dossier: Dossier, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    # Sent by a one-stop unit written as free text, back to it: the register's "back" date.
    Handover.objects.create(
        dossier=dossier,
        position=1,
        from_unit_label="Một cửa",
        to_unit=dossier.agency,
        at=at(29, 8, 14),
    )
    Handover.objects.create(
        dossier=dossier,
        position=2,
        from_unit=dossier.agency,
        to_unit_label="Một cửa",
        at=at(1, 9, 9),
    )
    Dossier.objects.filter(pk=dossier.pk).update(
        delivered_at=at(5, 9, 10), delivery_channel=DeliveryChannel.POSTAL
    )
    second = Dossier.objects.get(pk=dossier.pk)
    second.pk = None
    second.code = "000.00.19.H18-220828-0001"
    second.applicant_name = "Công ty TNHH Xây dựng Đắk Nông & Cộng sự"
    second.received_at = at(28, 8, 8)
    second.save()
    center = dossier.receiving_unit
    assert center is not None
    kwargs = {
        "unit": center,
        "dossiers": Dossier.objects.all(),
        "date_from": dt.date(2022, 8, 1),
        "date_to": dt.date(2022, 8, 31),
    }
    docx = docx_text(render_form("07", None, fmt="docx", **kwargs))
    assert "SỔ THEO DÕI HỒ SƠ" in docx
    assert "Từ ngày 1/8/2022 đến ngày 31/8/2022" in docx
    assert "Công ty TNHH Xây dựng Đắk Nông & Cộng sự" in docx
    # In order of receipt; sent on 29/8, back on 1/9, returned by post.
    assert docx.index("220828-0001") < docx.index(CODE)
    assert "29/8/2022\n1/9/2022\n10 giờ 00 phút, ngày 5/9/2022 (Qua bưu chính công ích)" in docx
    # The office passes a list: still a fixed number of queries, however many dossiers.
    with django_assert_max_num_queries(6):
        render_form("07", None, fmt="docx", **{**kwargs, "dossiers": list(Dossier.objects.all())})
    pdf = render_form("07", None, fmt="pdf", **kwargs)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert page.mediabox.width > page.mediabox.height
    assert CODE in flat(pdf_text(pdf))


def test_forms_render_from_plain_values() -> None:
    """The rendering layer needs no database: a context of plain values is enough."""
    header = DocumentHeader(
        "Ủy ban nhân dân xã Quảng Sơn",
        "Bộ phận Một cửa",
        "12/TB-UBND",
        "Quảng Sơn, ngày 05 tháng 9 năm 2025",
    )
    context = ctx.StopContext(
        header=header,
        code="X-1",
        unit="Ủy ban nhân dân xã Quảng Sơn",
        applicant=ctx.Applicant("Y Bhin Niê <Ê Đê>"),
        procedure="Đăng ký khai sinh",
        received="",
        reason="Người yêu cầu xin rút hồ sơ",
        since="8 giờ 00 phút, ngày 5/9/2025",
        signature=ctx.Signature("TM. ỦY BAN NHÂN DÂN"),
    )
    text = docx_text(render_context(context, fmt="docx"))
    assert "Y Bhin Niê <Ê Đê>" in text
    assert "Số: 12/TB-UBND" in text
    assert "Thời gian tiếp nhận" not in text


def test_legal_time_and_header_wording() -> None:
    assert ctx.legal_time(Decimal("4.50"), DurationUnit.WORKING_HOURS) == "4,5 giờ làm việc"
    assert ctx.legal_time(Decimal("15.00"), DurationUnit.CALENDAR_DAYS) == "15 ngày"
    unit = Agency(name="Sở Tư pháp", code="x", level=Level.PROVINCE)
    header = ctx.header_for(unit, day=dt.date(2022, 9, 5))
    # Nothing recorded, no parent: no superior line and no place, never a fixed name.
    assert header.place_date == "ngày 05 tháng 9 năm 2022"
    assert header.superior == ""
    assert header.unit_upper == "SỞ TƯ PHÁP"


def test_unknown_form_is_refused(dossier: Dossier) -> None:
    with pytest.raises(ValueError, match="Không có mẫu"):
        render_form("09", dossier, fmt="pdf")


def test_committed_word_templates_match_their_build_script(tmp_path: Path) -> None:
    """The .docx templates are generated by ``build_templates``; a hand edit of one without
    the script (or the reverse) shows here. Provinces that customise them in Word should
    delete this check in their fork."""
    import zipfile
    from pathlib import Path

    from motcua.dossiers.forms_docs import build_templates

    out = Path(str(tmp_path))
    build_templates.main(out)
    for form in build_templates.BUILDERS:
        with (
            zipfile.ZipFile(out / f"{form}.docx") as fresh,
            zipfile.ZipFile(build_templates.OUT_DIR / f"{form}.docx") as kept,
        ):
            assert fresh.read("word/document.xml") == kept.read("word/document.xml"), form


def test_form_response_downloads_with_type_and_name(dossier: Dossier) -> None:
    response = form_response("06", dossier, fmt="pdf", inline=True)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="mau-06-{CODE}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF")
    response = form_response("06", dossier, fmt="docx")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Sở Xây dựng" in docx_text(response.content)
