"""Build the Word templates of forms 01-07 (``docx/NN.docx``) with python-docx.

Run once after changing the layout, then commit the .docx files:

    .venv/bin/python -m motcua.dossiers.forms_docs.build_templates

The templates are ordinary Word documents with docxtpl (Jinja) tags, so that a province
can adjust the wording in Word without touching code; this script is the reproducible
starting point. ``c`` is the form's context (``context.py``), ``qr`` the receipt's QR code;
the filter ``br`` keeps the line breaks of a text typed on several lines.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from motcua.core.documents import (
    FONT_FAMILIES,
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    MOTTO,
    NATIONAL_NAME,
)
from motcua.dossiers.forms_docs.layout import CONTROL_SLIP_COLUMNS, REGISTER_COLUMNS

FIXED_DATE = dt.datetime(2025, 7, 1)
OUT_DIR = Path(__file__).resolve().parent / "docx"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY

Doc = Any  # python-docx has no type information
Para = Any
Cell = Any


def new_document(*, landscape: bool = False) -> Doc:
    """An empty A4 document with the ND 30/2020 margins and font."""
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    normal = doc.styles["Normal"]
    normal.font.name = FONT_FAMILIES[0]
    normal.font.size = Pt(13)
    # Word picks the font per script: set all four slots, or Vietnamese letters with
    # combining marks may fall back to another face.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT_FAMILIES[0])
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.1
    return doc


def para(
    container: Doc | Cell,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: Any = None,
    underline: bool = False,
    space_after: float | None = None,
) -> Para:
    p = container.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        run.underline = underline or None
        if size is not None:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    return p


def runs(container: Doc | Cell, *parts: tuple[str, str], align: Any = JUSTIFY) -> Para:
    """A paragraph of runs: ('', text) plain, ('b', text) bold, ('i', text) italic.

    A paragraph holding typed text with line breaks (filter ``br``) is aligned left: a
    justified line that ends in a manual break is stretched across the page."""
    p = container.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT if any("|br" in t for _, t in parts) else align
    for style, text in parts:
        run = p.add_run(text)
        run.bold = "b" in style or None
        run.italic = "i" in style or None
    return p


def rule(cell: Cell, *, indent_mm: float) -> None:
    """The solid line of ND 30/2020 Phụ lục I, Mục II.3 under the issuing unit and the motto:
    a paragraph's bottom border, shortened by equal indents."""
    p = cell.add_paragraph()
    p.paragraph_format.left_indent = Mm(indent_mm)
    p.paragraph_format.right_indent = Mm(indent_mm)
    p.paragraph_format.space_after = Pt(2)
    run = p.add_run()
    run.font.size = Pt(2)
    p_pr = p._p.get_or_add_pPr()
    # The paragraph mark's size sets the line height: keep it tiny so the line hugs the text.
    mark = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "4")
    mark.append(size)
    p_pr.append(mark)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    p_pr.append(borders)


def no_borders(table: Any) -> None:
    """A layout table: no borders and no cell padding (the header's lines are long)."""
    tbl_pr = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "0")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def set_widths(table: Any, widths_mm: Sequence[float]) -> None:
    """Column widths in the grid (read by LibreOffice) and in every cell (read by Word)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
        for cell in column.cells:
            cell.width = Mm(width)


def grid_table(doc: Doc, widths_mm: Sequence[float], headers: Sequence[str], size: float) -> Any:
    table = doc.add_table(rows=1, cols=len(widths_mm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    set_widths(table, widths_mm)
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        cell.paragraphs[0].alignment = CENTER
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(size)
    return table


def loop_rows(table: Any, loop: str, cells: Sequence[Sequence[str]], size: float) -> None:
    """docxtpl's row loop: '{%tr for … %}', the row itself, '{%tr endfor %}'."""
    widths = [c.width for c in table.rows[0].cells]
    first = table.add_row().cells
    first[0].paragraphs[0].add_run(f"{{%tr {loop} %}}")
    row = table.add_row().cells
    for cell, width, lines in zip(row, widths, cells, strict=True):
        cell.width = width
        for i, line in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            p.paragraph_format.space_after = Pt(0)
            if line.startswith("^"):  # centred
                p.alignment = CENTER
                line = line[1:]
            p.add_run(line).font.size = Pt(size)
    last = table.add_row().cells
    last[0].paragraphs[0].add_run("{%tr endfor %}")


def header(doc: Doc, *, landscape: bool = False) -> None:
    """The form's number in its set (right, above), then the issuing body (left) and the
    national motto (right), number, place and date."""
    mark = para(doc, "{{ c.mark }}", italic=True, size=10, align=WD_ALIGN_PARAGRAPH.RIGHT)
    mark.paragraph_format.space_after = Pt(0)
    text_width = (297 if landscape else 210) - MARGIN_LEFT_MM - MARGIN_RIGHT_MM
    left_w, right_w = (100.0, text_width - 100.0) if landscape else (76.0, text_width - 76.0)
    table = doc.add_table(rows=1, cols=2)
    no_borders(table)
    set_widths(table, [left_w, right_w])
    left, right = table.rows[0].cells
    left.paragraphs[0].alignment = CENTER
    left.paragraphs[0].paragraph_format.space_after = Pt(0)
    left.paragraphs[0].add_run("{{ c.header.superior_upper }}").font.size = Pt(12)
    para(left, "{{ c.header.unit_upper }}", bold=True, size=12, align=CENTER, space_after=0)
    rule(left, indent_mm=left_w / 3)
    para(
        left,
        "Số: {% if c.header.number %}{{ c.header.number }}{% else %}        /{% endif %}",
        align=CENTER,
    )
    right.paragraphs[0].alignment = CENTER
    right.paragraphs[0].paragraph_format.space_after = Pt(0)
    national = right.paragraphs[0].add_run(NATIONAL_NAME)
    national.bold = True
    national.font.size = Pt(12)
    para(right, MOTTO, bold=True, size=13, align=CENTER, space_after=0)
    rule(right, indent_mm=(right_w - 62) / 2)
    para(right, "{{ c.header.place_date }}", italic=True, align=CENTER)


def title(doc: Doc) -> None:
    """The form's title in its set (``c.title``), in capitals."""
    p = para(doc, "{{ c.title|upper }}", bold=True, size=14, align=CENTER, space_after=0)
    p.paragraph_format.space_before = Pt(12)


def decree(doc: Doc) -> None:
    """'Căn cứ <the decree of the dossier's date>;' (forms 04 and 05)."""
    para(doc, "{%p if c.decree %}")
    runs(doc, ("", "Căn cứ {{ c.decree }};"))
    para(doc, "{%p endif %}")


def code_line(doc: Doc) -> None:
    para(doc, "Mã hồ sơ: {{ c.code }}", bold=True, align=CENTER)


def applicant_lines(doc: Doc) -> None:
    runs(doc, ("", "Địa chỉ: {{ c.applicant.address }}"))
    runs(
        doc,
        ("", "Số điện thoại: {{ c.applicant.phone }}"),
        ("", "{% if c.applicant.email %}    Thư điện tử: {{ c.applicant.email }}{% endif %}"),
    )
    runs(doc, ("", "Nội dung yêu cầu giải quyết: {{ c.procedure }}"))


def signatures(doc: Doc, names: Sequence[str], *, lines: int = 3, recipients: bool = False) -> None:
    """Signature blocks side by side; one block goes to the right-hand column, with the
    "Nơi nhận" list (ND 30/2020 Phụ lục I, Mục II.9) at its left when ``recipients``."""
    table = doc.add_table(rows=1, cols=2)
    no_borders(table)
    cells = table.rows[0].cells
    if recipients:
        left = cells[0]
        left.paragraphs[0].paragraph_format.space_before = Pt(8)
        left.paragraphs[0].paragraph_format.space_after = Pt(0)
        heading = left.paragraphs[0].add_run("Nơi nhận:")
        heading.bold = heading.italic = True
        heading.font.size = Pt(12)
        para(left, "{%p for r in c.recipients %}")
        para(left, "- {{ r }}", size=11, space_after=0)
        para(left, "{%p endfor %}")
    targets = list(zip(cells, names, strict=True)) if len(names) == 2 else [(cells[1], names[0])]
    for cell, sig in targets:
        cell.paragraphs[0].alignment = CENTER
        cell.paragraphs[0].paragraph_format.space_before = Pt(8)
        cell.paragraphs[0].paragraph_format.space_after = Pt(0)
        cell.paragraphs[0].add_run(f"{{{{ {sig}.title|br }}}}").bold = True
        para(cell, f"{{{{ {sig}.hint }}}}", italic=True, align=CENTER)
        for _ in range(lines):
            para(cell, "", align=CENTER)
        para(cell, f"{{{{ {sig}.name }}}}", bold=True, align=CENTER)


def build_01() -> Doc:
    doc = new_document()
    para(doc, "{%p for copy in c.copies %}")
    header(doc)
    # Title in the middle, the QR code at the right, an empty cell of the same width at the
    # left so that the title stays centred on the page.
    band = doc.add_table(rows=1, cols=3)
    no_borders(band)
    set_widths(band, [28, 109, 28])
    _, middle, right = band.rows[0].cells
    middle.paragraphs[0].alignment = CENTER
    middle.paragraphs[0].paragraph_format.space_before = Pt(8)
    middle.paragraphs[0].paragraph_format.space_after = Pt(0)
    heading = middle.paragraphs[0].add_run("{{ c.title|upper }}")
    heading.bold = True
    heading.font.size = Pt(14)
    para(middle, "Mã hồ sơ: {{ c.code }}", bold=True, align=CENTER, space_after=0)
    para(middle, "({{ copy }})", italic=True, align=CENTER)
    right.paragraphs[0].alignment = CENTER
    right.paragraphs[0].add_run("{{ qr }}")
    para(right, "Quét mã để tra cứu", size=8, align=CENTER)
    runs(
        doc,
        ("", "{{ c.receiving_unit }} tiếp nhận hồ sơ của: "),
        ("b", "{{ c.applicant.addressed }}"),
    )
    applicant_lines(doc)
    # Received outside the competent committee's own point (ND 118/2025, the province's list):
    # the receipt names both.
    para(doc, "{%p if c.agency %}")
    runs(
        doc,
        ("", "Nơi tiếp nhận: {{ c.receiving_unit }}; Cơ quan giải quyết: {{ c.agency }}."),
    )
    para(doc, "{%p endif %}")
    runs(doc, ("", "1. Thành phần hồ sơ nộp gồm:"))
    table = grid_table(
        doc,
        [13, 82, 43, 27],
        [
            "STT",
            "Tên loại giấy tờ",
            "Hình thức (bản chính, bản sao, bản sao chứng thực)",
            "Số lượng",
        ],
        12,
    )
    loop_rows(
        table,
        "for p in c.parts",
        [["^{{ p.index }}"], ["{{ p.name }}"], ["^{{ p.kind }}"], ["^{{ p.copies }}"]],
        12,
    )
    para(doc, "", space_after=0)
    runs(doc, ("", "2. Số lượng hồ sơ: {{ c.sets }} (bộ)"))
    runs(doc, ("", "3. Thời gian giải quyết hồ sơ theo quy định là: {{ c.legal_time }}"))
    runs(doc, ("", "4. Thời gian nhận hồ sơ: {{ c.received }}"))
    runs(doc, ("", "5. Thời gian trả kết quả giải quyết hồ sơ: {{ c.due }}"))
    runs(doc, ("", "6. Đăng ký nhận kết quả: {{ c.collect_at }}"))
    runs(
        doc,
        ("", "7. Tra cứu tình hình giải quyết hồ sơ tại {{ c.lookup_base }}, mã hồ sơ "),
        ("", "{{ c.code }}, mã tra cứu: "),
        ("b", "{{ c.secret }}"),
    )
    runs(
        doc,
        ("", "Vào Sổ theo dõi hồ sơ, Quyển số: {{ c.register_volume }}, "),
        ("", "Số thứ tự: {{ c.register_line }}"),
    )
    signatures(doc, ["c.signatures[0]", "c.signatures[1]"], lines=2)
    para(doc, "{%p if not loop.last %}")
    para(doc).add_run().add_break(WD_BREAK.PAGE)
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    return doc


def build_02() -> Doc:
    doc = new_document()
    header(doc)
    title(doc)
    # A sheet given at the counter has no dossier code: the dossier was not received.
    para(doc, "{%p if c.code %}")
    code_line(doc)
    para(doc, "{%p endif %}")
    runs(doc, ("", "Hồ sơ của: "), ("b", "{{ c.applicant.addressed }}"))
    applicant_lines(doc)
    runs(doc, ("", "Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:"))
    para(doc, "{%p for item in c.items %}")
    runs(doc, ("", "{{ loop.index }}. {{ item }}"))
    para(doc, "{%p endfor %}")
    runs(doc, ("", "Lý do: {{ c.reason|br }}"))
    runs(
        doc,
        ("", "Trong quá trình bổ sung, hoàn thiện hồ sơ nếu có vướng mắc, ông (bà) liên hệ với "),
        ("", "{{ c.contact_name }}{% if c.contact_phone %}, số điện thoại "),
        ("", "{{ c.contact_phone }}{% endif %} để được hướng dẫn./."),
    )
    signatures(doc, ["c.signature"])
    return doc


def build_03() -> Doc:
    doc = new_document()
    header(doc)
    title(doc)
    code_line(doc)
    runs(doc, ("", "{{ c.unit }} tiếp nhận hồ sơ của: "), ("b", "{{ c.applicant.addressed }}"))
    applicant_lines(doc)
    runs(
        doc,
        ("", "Qua xem xét, {{ c.unit }} thông báo không "),
        ("", "{% if c.at_intake %}tiếp nhận{% else %}giải quyết{% endif %}"),
        ("", " hồ sơ này với lý do cụ thể như sau:"),
    )
    runs(doc, ("", "{{ c.reason|br }}"))
    runs(doc, ("", "Xin thông báo cho ông (bà) được biết và thực hiện./."))
    signatures(doc, ["c.signature"])
    return doc


def build_04() -> Doc:
    doc = new_document()
    header(doc)
    title(doc)
    greeting = para(doc, "Kính gửi: {{ c.applicant.addressed }}", align=CENTER)
    greeting.paragraph_format.space_before = Pt(6)
    decree(doc)
    runs(
        doc,
        ("", "Ngày {{ c.received_date }}, {{ c.unit }} tiếp nhận giải quyết hồ sơ của "),
        ("", "ông (bà, tổ chức) {{ c.applicant.name }}."),
    )
    runs(doc, ("", "Mã hồ sơ: {{ c.code }}"))
    runs(doc, ("", "Nội dung yêu cầu giải quyết: {{ c.procedure }}"))
    runs(doc, ("", "Thời gian hẹn trả kết quả giải quyết hồ sơ: {{ c.missed_due }}"))
    runs(
        doc,
        ("", "Tuy nhiên đến nay, {{ c.unit }} chưa trả kết quả giải quyết hồ sơ cho "),
        ("", "ông (bà, tổ chức), lý do: {{ c.reason|br }}"),
    )
    runs(
        doc,
        ("", "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí, công sức của ông (bà, tổ chức). "),
        ("", "{{ c.unit }} xin lỗi ông (bà, tổ chức) và sẽ trả kết quả giải quyết hồ sơ vào "),
        ("", "{{ c.new_due }}."),
    )
    runs(doc, ("", "Xin trân trọng cảm ơn sự hợp tác của ông (bà, tổ chức)./."))
    signatures(doc, ["c.signature"], recipients=True)
    return doc


def build_05() -> Doc:
    doc = new_document()
    header(doc)
    title(doc)
    code_line(doc)
    runs(doc, ("", "Hồ sơ của: "), ("b", "{{ c.applicant.addressed }}"))
    applicant_lines(doc)
    decree(doc)
    para(doc, "{%p if c.received %}")
    runs(doc, ("", "Thời gian tiếp nhận hồ sơ: {{ c.received }}"))
    para(doc, "{%p endif %}")
    runs(doc, ("", "{{ c.unit }} thông báo dừng giải quyết hồ sơ nêu trên kể từ {{ c.since }}."))
    runs(doc, ("", "Lý do: {{ c.reason|br }}"))
    runs(doc, ("", "Xin thông báo cho ông (bà, tổ chức) được biết./."))
    signatures(doc, ["c.signature"], recipients=True)
    return doc


def build_06() -> Doc:
    doc = new_document()
    header(doc)
    title(doc)
    code_line(doc)
    para(
        doc,
        "(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả mã hồ sơ {{ c.code }})",
        italic=True,
        align=CENTER,
    )
    runs(doc, ("", "Chủ hồ sơ: "), ("b", "{{ c.applicant.addressed }}"))
    runs(doc, ("", "Nội dung yêu cầu giải quyết: {{ c.procedure }}"))
    runs(doc, ("", "Cơ quan giải quyết hồ sơ: {{ c.agency }}"))
    runs(doc, ("", "Thời gian nhận hồ sơ: {{ c.received }}"))
    runs(doc, ("", "Thời gian hẹn trả kết quả: {{ c.due }}"))
    table = grid_table(
        doc,
        [w for _, w in CONTROL_SLIP_COLUMNS],
        [n for n, _ in CONTROL_SLIP_COLUMNS],
        11,
    )
    loop_rows(
        table,
        "for r in c.rows",
        [
            ["{{ r.index }}. Giao: {{ r.from_unit }}", "Nhận: {{ r.to_unit }}"],
            ["{% if r.at %}{{ r.at }}{% else %}… giờ … phút, ngày …/…/……{% endif %}"],
            # Room to sign by hand, the name typed under it when it is known.
            ["", "", "", "^{{ r.giver }}"],
            ["", "", "", "^{{ r.receiver }}"],
            ["^{{ r.result }}"],
            ["{{ r.note }}"],
        ],
        11,
    )
    return doc


def build_07() -> Doc:
    doc = new_document(landscape=True)
    header(doc, landscape=True)
    title(doc)
    para(doc, "{{ c.unit }}", align=CENTER, space_after=0)
    para(doc, "{{ c.period }}", italic=True, align=CENTER)
    table = grid_table(doc, [w for _, w in REGISTER_COLUMNS], [n for n, _ in REGISTER_COLUMNS], 9.5)
    numbers = table.add_row().cells
    for i, cell in enumerate(numbers, start=1):
        cell.paragraphs[0].alignment = CENTER
        cell.paragraphs[0].add_run(f"({i})").font.size = Pt(9)
    # Repeat the two heading rows on every page.
    for row in table.rows[:2]:
        tr_pr = row._tr.get_or_add_trPr()
        tbl_header = OxmlElement("w:tblHeader")
        tr_pr.append(tbl_header)
    fields = [
        "^{{ r.index }}",
        "{{ r.code }}",
        "{{ r.procedure }}",
        "^{{ r.sets }}",
        "{{ r.applicant }}",
        "{{ r.address_phone }}",
        "{{ r.agency }}",
        "{{ r.received }}",
        "{{ r.due }}",
        "^{{ r.sent }}",
        "^{{ r.result_back }}",
        "{{ r.returned }}",
        "",
        "{{ r.note }}",
    ]
    loop_rows(table, "for r in c.rows", [[f] for f in fields], 9)
    para(doc, "{%p if not c.rows %}")
    para(doc, "Không có hồ sơ trong kỳ.", italic=True, align=CENTER)
    para(doc, "{%p endif %}")
    return doc


BUILDERS = {
    "01": build_01,
    "02": build_02,
    "03": build_03,
    "04": build_04,
    "05": build_05,
    "06": build_06,
    "07": build_07,
}


def main(out_dir: Path = OUT_DIR) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    for form, build in BUILDERS.items():
        doc = build()
        # A fixed creation date keeps the committed files byte-stable across rebuilds.
        doc.core_properties.author = "motcua"
        doc.core_properties.created = doc.core_properties.modified = FIXED_DATE
        doc.core_properties.last_modified_by = "motcua"
        path = out_dir / f"{form}.docx"
        doc.save(str(path))
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
