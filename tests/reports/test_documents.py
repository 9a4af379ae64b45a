"""The report documents: DOCX, PDF and XLSX made by ``motcua report --format ...`` from a small
history with known figures (1.234 received, late dossiers with and without apology, refusals)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.test import Client
from docx import Document
from pypdf import PdfReader

from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureVersion
from motcua.cli import main
from motcua.dossiers.models import Dossier, Status
from motcua.reports.documents import render
from motcua.reports.queries import period_figures
from motcua.reports.textblocks import ReportTextBlock

from .builders import agency, guidance, procedure, utc

pytestmark = pytest.mark.django_db

PERIOD = ["--from", "2022-06-05", "--to", "2022-08-31"]


def _bulk(pv: ProcedureVersion, count: int, start: int, **kw: object) -> list[Dossier]:
    """``count`` dossiers received on successive days from 6/6/2022 (local noon)."""
    values: dict[str, object] = {"channel": "direct", "status": Status.PROCESSING}
    values.update(kw)
    return [
        Dossier(
            code=f"D-{start + i:06d}",
            secret="x",
            procedure_version=pv,
            agency=pv.agency,
            level=pv.level,
            field=pv.field,
            applicant_kind="citizen",
            applicant_name="Nguyễn Văn A",
            received_at=utc("2022-06-06T05:00") + dt.timedelta(days=i % 80),
            **values,
        )
        for i in range(count)
    ]


@pytest.fixture
def history() -> None:
    justice = agency("000.00.01.H18", "Sở Tư pháp")
    planning = agency("000.00.02.H18", "Sở Kế hoạch và Đầu tư")
    pv_j = procedure(justice, "1.000001", field="Lý lịch tư pháp")
    pv_p = procedure(planning, "1.000002", field="Đầu tư tại Việt Nam")
    ended = utc("2022-08-30T03:00")
    rows = [
        # 1.234 received: 1.000 online, 34 by post, 200 in person (with those ended below).
        *_bulk(pv_j, 1000, 0, channel="online"),
        *_bulk(pv_p, 34, 2000, channel="postal"),
        *_bulk(pv_p, 182, 3000),
        # 13 late at the justice department, no apology.
        *_bulk(
            pv_j, 13, 4000, status=Status.RESULT_READY, ended_at=ended, end_kind="result",
            dossier_class="late", late_reason="có án tích chờ xác minh của Trung tâm LLTPQG",
            late_steps="Phòng Hành chính tư pháp",
        ),
    ]  # fmt: skip
    # Planning: 2 late with an apology letter, 3 refused.
    rows += _bulk(
        pv_p, 2, 5000, status=Status.RESULT_READY, ended_at=ended, end_kind="result",
        dossier_class="late", late_reason="các đơn vị chậm cho ý kiến thẩm định",
        late_steps="UBND tỉnh", has_apology=True,
    )  # fmt: skip
    assert len(rows) == 1231
    rows += _bulk(pv_p, 3, 6000, status=Status.REFUSED, ended_at=ended, end_kind="refused")
    Dossier.objects.bulk_create(rows)
    guidance(justice, "2022-07-01T02:00", "direct")
    ReportTextBlock.objects.create(
        date_from=dt.date(2022, 6, 5),
        date_to=dt.date(2022, 8, 31),
        key="chi_dao",
        title="Về ban hành văn bản chỉ đạo",
        text="Văn phòng UBND tỉnh thường xuyên chỉ đạo, quán triệt cán bộ công chức.\n"
        "Ban hành Kế hoạch số 826/KH-VPUBND ngày 20/7/2022.",
    )
    ReportTextBlock.objects.create(
        date_from=dt.date(2022, 6, 5),
        date_to=dt.date(2022, 8, 31),
        key="phuong_huong",
        title="",
        text="Tiếp tục tích hợp dịch vụ công trực tuyến lên Cổng dịch vụ công quốc gia.",
    )


def _figures() -> dict[str, object]:
    return period_figures(date_from=dt.date(2022, 6, 5), date_to=dt.date(2022, 8, 31))


RECEIVED = (
    "tiếp nhận 1.234 hồ sơ (lũy kế 1.234 hồ sơ), trong đó: 1.000 hồ sơ trực tuyến "
    "(chiếm 81,04 %, lũy kế 1.000 hồ sơ)"
)


def _docx_text(data: bytes) -> tuple[str, str]:
    doc = Document(io.BytesIO(data))
    body = "\n".join(p.text for p in doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            body += "\n" + " | ".join(c.text for c in row.cells)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        notes_xml = z.read("word/footnotes.xml").decode()
        document_xml = z.read("word/document.xml").decode()
        # The charts are pictures; the appendix is a landscape section.
        assert len([n for n in z.namelist() if n.startswith("word/media/")]) == 3
    assert 'w:orient="landscape"' in document_xml
    notes = " ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", notes_xml))
    assert document_xml.count("<w:footnoteReference") == 2
    # Percentages carry a no-break space before '%'.
    return body.replace("\u00a0", " "), notes


def test_docx_fills_the_sentences_and_the_footnotes(history: None) -> None:
    body, notes = _docx_text(render(_figures(), "docx"))
    assert RECEIVED in body
    assert "hồ sơ nhận qua dịch vụ Bưu chính công ích: 34 hồ sơ (chiếm 2,76 %" in body
    assert "quá hạn: 15 hồ sơ (chiếm 100,00 %)" in body
    assert "có 3 hồ sơ trả lại" in body
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body and "Số:" in body
    assert "Trong quý III (từ ngày 05/6/2022 đến ngày 31/8/2022)" in body
    # Footnote 1: late dossiers by agency, the reason, the step, the apology.
    assert (
        "13 hồ sơ của Sở Tư pháp trễ hạn do có án tích chờ xác minh của Trung tâm LLTPQG, "
        "trễ ở bước Phòng Hành chính tư pháp (không có thư xin lỗi)." in notes
    )
    assert "02 hồ sơ của Sở Kế hoạch và Đầu tư trễ hạn do" in notes
    assert "(có thư xin lỗi)" in notes
    # Footnote 2: refused dossiers by agency, counts below 10 with a leading zero.
    assert "03 hồ sơ của Sở Kế hoạch và Đầu tư." in notes
    # Text blocks of the period, under their section.
    assert "I. CHỈ ĐẠO, ĐIỀU HÀNH CÔNG TÁC CẢI CÁCH HÀNH CHÍNH" in body
    assert "1. Về ban hành văn bản chỉ đạo" in body
    assert "Tiếp tục tích hợp dịch vụ công trực tuyến" in body
    # Section V indicators with numerator and denominator; biểu II.06a in the appendix.
    assert "1.4.4" in body and "13,33 % (2/15 hồ sơ)" in body
    assert " | TỔNG CỘNG | 1.234 | 1.000 | 234 | 0 | 18 | 0 | 3 | 15 | 1.216 | 1.216 | 0" in body


def test_pdf_has_the_same_text_with_diacritics(history: None) -> None:
    reader = PdfReader(io.BytesIO(render(_figures(), "pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = re.sub(r"\s+", " ", text.replace("\u00a0", " "))
    assert RECEIVED in flat
    assert "không có thư xin lỗi" in flat
    assert "13 hồ sơ của Sở Tư pháp trễ hạn do có án tích chờ xác minh" in flat
    assert "Độc lập - Tự do - Hạnh phúc" in flat
    assert "Về ban hành văn bản chỉ đạo" in flat
    assert "Biểu số II.06a/VPCP/KSTT" in flat and "Lý lịch tư pháp" in flat
    # The appendix is on landscape pages.
    last = reader.pages[-1].mediabox
    assert float(last.width) > float(last.height)
    assert float(reader.pages[0].mediabox.width) < float(reader.pages[0].mediabox.height)


def _sheet_xml(z: zipfile.ZipFile, name: str) -> str:
    workbook = z.read("xl/workbook.xml").decode()
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(name)}" sheetId="\d+" r:id="(rId\d+)"', workbook)
    assert rid, f"no sheet {name!r}"
    target = re.search(rf'Id="{rid.group(1)}" Type="[^"]+" Target="([^"]+)"', rels)
    assert target
    return z.read("xl/" + target.group(1)).decode()


def _cell(xml: str, ref: str) -> tuple[str | None, str]:
    m = re.search(rf'<c r="{ref}"([^>]*)>(?:<f>[^<]*</f>)?<v>([^<]*)</v>', xml)
    assert m, f"no value in {ref}"
    t = re.search(r't="(\w+)"', m.group(1))
    return (t.group(1) if t else None), m.group(2)


def test_xlsx_has_numeric_cells_frozen_headers_and_charts(history: None) -> None:
    data = render(_figures(), "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        sheet = _sheet_xml(z, "II.06a theo lĩnh vực")
        strings = z.read("xl/sharedStrings.xml").decode()
        styles = z.read("xl/styles.xml").decode()
        # Its real formulas (write_formula) survive strings_to_formulas=False.
        every_sheet = "".join(z.read(n).decode() for n in names if n.startswith("xl/worksheets/"))
    assert "<f>SUM(" in every_sheet
    assert any(n.startswith("xl/charts/chart") for n in names)
    assert 'state="frozen"' in sheet and 'topLeftCell="C7"' in sheet
    assert re.search(r'<mergeCell ref="C4:F4"/>', sheet)  # two-row header
    assert 'ref="A4:A5"' in sheet
    # The 13 columns: "(1)" … "(13)" numbering row, and the total row with real numbers.
    assert "(13)" in strings
    # The last row with a value in column C (the note under the table has none).
    total_row = max(int(r) for r in re.findall(r'<c r="C(\d+)"[^>]*><v>', sheet))
    kind, value = _cell(sheet, f"C{total_row}")
    assert kind is None and value == "1234"  # a number, not a shared string
    assert _cell(sheet, f"M{total_row}")[0] is None
    assert 'formatCode="0.00%"' in styles or "0.00%" in styles


def test_cli_writes_every_format(
    history: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The charts are tested above; here only the command's wiring (and fewer seconds).
    monkeypatch.setattr("motcua.reports.documents.charts.all_charts", lambda series: [])
    for fmt, magic in (("docx", b"PK"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        target = tmp_path / f"r.{fmt}"
        assert main(["report", *PERIOD, "--format", fmt, "--output", str(target)]) == 0
        assert target.read_bytes().startswith(magic)


def test_text_blocks_of_another_period_or_scope_are_left_out(history: None) -> None:
    ReportTextBlock.objects.create(
        date_from=dt.date(2022, 3, 15),
        date_to=dt.date(2022, 6, 4),
        key="chi_dao",
        title="Khối của quý trước",
        text="Không được in.",
    )
    ReportTextBlock.objects.create(
        date_from=dt.date(2022, 6, 5),
        date_to=dt.date(2022, 8, 31),
        agency=Agency.objects.get(code="000.00.01.H18"),
        key="chi_dao",
        title="Khối của Sở Tư pháp",
        text="Chỉ in trong báo cáo của Sở.",
    )
    from motcua.reports.documents import gather
    from motcua.reports.documents.context import build_context

    inputs = gather(_figures())
    c = build_context(inputs.figures, indicators=inputs.indicators, blocks=inputs.blocks)
    titles = [b.title for s in c.sections for b in s.blocks]
    assert titles[:1] == ["1. Về ban hành văn bản chỉ đạo"]
    assert not any("quý trước" in t or "Sở Tư pháp" in t for t in titles)
    scoped = period_figures(
        date_from=dt.date(2022, 6, 5),
        date_to=dt.date(2022, 8, 31),
        agency=Agency.objects.get(code="000.00.01.H18"),
    )
    assert [b.title for b in gather(scoped).blocks] == ["Khối của Sở Tư pháp"]


def test_text_blocks_are_edited_in_the_admin(history: None, admin_client: Client) -> None:
    response = admin_client.get("/quan-tri/reports/reporttextblock/add/")
    assert response.status_code == 200
    assert "Mở đầu (căn cứ báo cáo)" in response.content.decode()
    response = admin_client.get("/quan-tri/reports/reporttextblock/")
    assert "Về ban hành văn bản chỉ đạo" in response.content.decode()


def test_a_period_with_nothing_to_divide_prints_a_dash_not_zero_percent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Nothing received or resolved: "0,00 %" would read as "none on time"; the dashboard
    # shows "—" (core.formatting.vn_rate) and so must every document.
    monkeypatch.setattr("motcua.reports.documents.charts.all_charts", lambda series: [])
    figures = period_figures(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 3, 31))
    doc = Document(io.BytesIO(render(figures, "docx")))
    body = "\n".join(p.text for p in doc.paragraphs).replace("\u00a0", " ")
    assert "trực tuyến (chiếm —, lũy kế 0 hồ sơ)" in body
    assert "quá hạn: 0 hồ sơ (chiếm —)" in body
    assert "0,00 %" not in body
    reader = PdfReader(io.BytesIO(render(figures, "pdf")))
    flat = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert "trả lại do không đủ điều kiện giải quyết (chiếm —)" in flat.replace("\u00a0", " ")
    assert "0,00 %" not in flat.replace("\u00a0", " ")
    with zipfile.ZipFile(io.BytesIO(render(figures, "xlsx"))) as z:
        sheet = _sheet_xml(z, "Tổng hợp")
        strings = re.findall(r"<t[^>]*>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode())
    # Column C of "trong đó: trực tuyến" (row 6) is the text "—", not a 0 formatted 0.00%.
    kind, value = _cell(sheet, "C6")
    assert kind == "s" and strings[int(value)] == "—"
