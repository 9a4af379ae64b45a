"""Biểu II.06a's header block and column 9 note, and an agency's own report (its letterhead,
its intro, its guidance), read back from the rendered DOCX, PDF and XLSX."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from docx import Document
from pypdf import PdfReader

from motcua.agencies.models import Agency, AgencyKind
from motcua.reports.documents import render
from motcua.reports.queries import period_figures

from .builders import agency, dossier, guidance, procedure

pytestmark = pytest.mark.django_db

FROM, TO = dt.date(2022, 6, 5), dt.date(2022, 8, 31)


@pytest.fixture
def province() -> None:
    """Đắk Nông: the committee, the Sở Tư pháp under it with one unit, the service centre under
    the committee's office. 4 received in the period: 1 resolved on time, 2 refused, 1
    withdrawn; guidance: 3 contacts at the centre, 2 at the department's unit."""
    committee = agency(
        "000.00.00.H18", "Ủy ban nhân dân tỉnh Đắk Nông", kind=AgencyKind.PEOPLE_COMMITTEE
    )
    justice = agency("000.00.03.H18", "Sở Tư pháp tỉnh Đắk Nông", parent=committee)
    justice.short_name = "STP"
    justice.save(update_fields=["short_name"])
    office = agency(
        "000.01.03.H18", "Phòng Hành chính tư pháp", parent=justice, kind=AgencyKind.UNIT
    )
    center = agency(
        "000.01.01.H18",
        "Trung tâm Phục vụ hành chính công tỉnh Đắk Nông",
        parent=committee,
        kind=AgencyKind.SERVICE_CENTER,
    )
    pv = procedure(justice, "2.000488", field="Lý lịch tư pháp")
    dossier(pv, received="2022-06-06T02:00", ended="2022-06-08T02:00", end_kind="result",
            cls="on_time")  # fmt: skip
    for day in (7, 8):
        dossier(pv, received=f"2022-06-{day:02d}T02:00", ended="2022-06-09T02:00",
                end_kind="refused")  # fmt: skip
    dossier(pv, received="2022-06-09T02:00", ended="2022-06-10T02:00", end_kind="withdrawn")
    for hour in range(3):
        guidance(center, f"2022-07-01T0{hour + 1}:00")
    guidance(office, "2022-07-02T01:00", "incoming_call")
    guidance(office, "2022-07-02T02:00", "outgoing_call")


def _figures(code: str | None = None) -> dict[str, object]:
    scope = Agency.objects.get(code=code) if code else None
    return period_figures(date_from=FROM, date_to=TO, agency=scope)


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return re.sub(r"[ \u00a0]+", " ", "\n".join(parts))


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


HEADER = [
    "Biểu số II.06a/VPCP/KSTT",
    "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP",
    "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
    "Kỳ báo cáo: Quý III năm 2022 (từ ngày 05/6/2022 đến ngày 31/8/2022)",
    "Đơn vị tính: Số hồ sơ TTHC",
]
COLUMN_9 = (
    'Ghi chú: Cột (9) "Đúng hạn" bao gồm cả 2 hồ sơ trả lại do không đủ điều kiện giải '
    "quyết và 1 hồ sơ rút yêu cầu hoặc dừng giải quyết trong kỳ."
)


def test_docx_ii06a_has_the_template_header_and_the_column_9_note(
    province: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("motcua.reports.documents.charts.all_charts", lambda series: [])
    text = _docx_text(render(_figures(), "docx"))
    for line in HEADER:
        assert line in text
    assert "Đơn vị báo cáo: Ủy ban nhân dân tỉnh Đắk Nông" in text
    assert "Đơn vị nhận báo cáo: Văn phòng Chính phủ" in text
    assert COLUMN_9 in text
    # Column (9) does hold them: 1 on time + 2 refused + 1 withdrawn.
    assert " | TỔNG CỘNG | 4 | 0 | 4 | 0 | 4 | 0 | 4 | 0 | 0 | 0 | 0" in text


def test_pdf_and_xlsx_ii06a_have_the_same_header_and_note(
    province: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("motcua.reports.documents.charts.all_charts", lambda series: [])
    text = _pdf_text(render(_figures("000.00.03.H18"), "pdf"))
    for line in [*HEADER, COLUMN_9]:
        assert line in text
    assert "Đơn vị báo cáo: Sở Tư pháp tỉnh Đắk Nông" in text
    assert "Đơn vị nhận báo cáo: Văn phòng Ủy ban nhân dân tỉnh Đắk Nông" in text
    with zipfile.ZipFile(io.BytesIO(render(_figures("000.00.03.H18"), "xlsx"))) as z:
        strings = z.read("xl/sharedStrings.xml").decode().replace("&quot;", '"')
    for line in [*HEADER, COLUMN_9, "Đơn vị nhận báo cáo: Văn phòng Ủy ban nhân dân tỉnh"]:
        assert line in strings


def test_agency_report_is_headed_by_the_agency_with_its_own_guidance(
    province: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("motcua.reports.documents.charts.all_charts", lambda series: [])
    data = render(_figures("000.00.03.H18"), "docx")
    text = _docx_text(data)
    first = Document(io.BytesIO(data)).tables[0]  # the header: issuing body | motto
    head = " ".join(c.text for row in first.rows for c in row.cells).replace("\u00a0", " ")
    # The department's letterhead under its committee, its number symbol, its place.
    assert "UBND TỈNH ĐẮK NÔNG" in head.upper() and "SỞ TƯ PHÁP TỈNH ĐẮK NÔNG" in head.upper()
    assert "/BC-STP" in head and "Đắk Nông, ngày" in head
    assert "Văn phòng" not in head
    assert "Sở Tư pháp tỉnh Đắk Nông báo cáo kết quả tiếp nhận, giải quyết" in text
    assert "Văn phòng UBND tỉnh tổng hợp" not in text
    # Guidance given by the department's own units (2), not the centre's (3).
    assert (
        "Sở Tư pháp tỉnh Đắk Nông hướng dẫn, hỗ trợ thực hiện thủ tục hành chính cho 2 lượt "
        "tổ chức, cá nhân (lũy kế 2 lượt), trong đó: 0 lượt hướng dẫn trực tiếp, 1 lượt gọi "
        "đi và 1 lượt trả lời cuộc gọi đến."
    ) in text
    assert "Lưu: VT, STP." in text and "GIÁM ĐỐC" in text
    whole = _docx_text(render(_figures(), "docx"))
    assert "cho 5 lượt tổ chức, cá nhân" in whole
    assert "Văn phòng UBND tỉnh tổng hợp" in whole
