"""The report as a Word document (python-docx), in the ND 30/2020 layout.

The header (issuing body, national motto, number, place and date) and the signature block with
"Nơi nhận" are the official forms' own builders (``dossiers.forms_docs.build_templates``),
filled by docxtpl; the body is then appended with python-docx, and the signature block is moved
after it. Footnotes are real Word footnotes: python-docx has no API for them, so ``Footnotes``
adds the ``word/footnotes.xml`` part and the reference runs (a few lines of WordprocessingML,
tested by reading the part back)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph as DocxParagraph
from markupsafe import escape

from motcua.dossiers.forms_docs import build_templates as layout
from motcua.dossiers.forms_docs.render import docx_env
from motcua.reports.documents.context import FormHeader, Paragraph, ReportContext, TableRow, n

FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
PORTRAIT_WIDTH_MM = 210 - layout.MARGIN_LEFT_MM - layout.MARGIN_RIGHT_MM  # 165
LANDSCAPE_WIDTH_MM = 297 - layout.MARGIN_LEFT_MM - layout.MARGIN_RIGHT_MM  # 252
TABLE_PT = 10

Doc = Any


class Footnotes:
    """Real footnotes: the ``footnotes.xml`` part (with the separator notes Word expects as
    ids -1 and 0) related to the main document, and ``w:footnoteReference`` runs."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.next_id = 1
        xml = (
            f"<w:footnotes {nsdecls('w')}>"
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
            'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing '
            'w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/>'
            "</w:r></w:p></w:footnote></w:footnotes>"
        )
        self.element = parse_xml(xml)
        part = XmlPart(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, self.element, doc.part.package)
        doc.part.relate_to(part, RT.FOOTNOTES)

    def add(self, paragraph: Any, texts: Sequence[str]) -> int:
        """Call a new footnote at the end of ``paragraph``; ``texts`` are its paragraphs."""
        note_id = self.next_id
        self.next_id += 1
        run = paragraph.add_run()
        rpr = run._r.get_or_add_rPr()
        va = OxmlElement("w:vertAlign")
        va.set(qn("w:val"), "superscript")
        rpr.append(va)
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(note_id))
        run._r.append(ref)
        note = OxmlElement("w:footnote")
        note.set(qn("w:id"), str(note_id))
        for i, text in enumerate(texts):
            p = OxmlElement("w:p")
            ppr = OxmlElement("w:pPr")
            jc = OxmlElement("w:jc")
            jc.set(qn("w:val"), "both")
            spacing = OxmlElement("w:spacing")
            spacing.set(qn("w:after"), "40")
            ppr.append(spacing)
            ppr.append(jc)
            p.append(ppr)
            if i == 0:
                p.append(
                    parse_xml(
                        f'<w:r {nsdecls("w")}><w:rPr><w:vertAlign w:val="superscript"/>'
                        '<w:sz w:val="22"/></w:rPr><w:footnoteRef/></w:r>'
                    )
                )
            r = parse_xml(
                f'<w:r {nsdecls("w")}><w:rPr><w:sz w:val="22"/></w:rPr>'
                f'<w:t xml:space="preserve">{escape((" " if i == 0 else "") + text)}</w:t></w:r>'
            )
            p.append(r)
            note.append(p)
        self.element.append(note)
        return note_id


def _skeleton(c: ReportContext) -> Doc:
    """Header and signature block from the forms' builders, filled by docxtpl."""
    from docxtpl import DocxTemplate

    doc = layout.new_document()
    layout.header(doc)
    layout.signatures(doc, ["sig"], recipients=True)
    raw = io.BytesIO()
    doc.save(raw)
    raw.seek(0)
    template = DocxTemplate(raw)
    values = {
        "c": {"header": c.header, "recipients": c.recipients},
        "sig": {"title": c.signature.title, "hint": c.signature.hint, "name": c.signature.name},
    }
    # The forms' environment: its filter ``br`` prints the title's lines as Word line breaks.
    template.render(values, jinja_env=docx_env(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    out.seek(0)
    return Document(out)


def _body_paragraph(
    doc: Doc, paragraph: Paragraph, notes: dict[int, list[str]], fn: Footnotes
) -> Any:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    p.paragraph_format.first_line_indent = Mm(10)
    p.paragraph_format.space_after = Pt(6)
    for style, text in paragraph.segments:
        if style == "fn":
            fn.add(p, notes[int(text)])
            continue
        run = p.add_run(text)
        run.italic = "i" in style or None
        run.bold = "b" in style or None
    return p


def _heading(doc: Doc, text: str, *, level: int) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Mm(10)
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(6)
    p.paragraph_format.keep_with_next = True
    run = p.add_run(text)
    run.bold = True
    if level == 2:
        run.bold = True
        run.italic = None


def _cell_text(
    cell: Any, text: str, *, bold: bool = False, align: Any = None, size: float = TABLE_PT
) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.first_line_indent = None
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    run.bold = bold or None
    run.font.size = Pt(size)


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    tr_pr.append(el)


def _indicator_table(doc: Doc, c: ReportContext) -> None:
    table = layout.grid_table(doc, [16, 72, 77], ["Stt", "Nhiệm vụ", "Kết quả"], 12)
    _repeat_header(table.rows[0])
    for row in c.indicator_rows:
        cells = table.add_row().cells
        _cell_text(cells[0], row.no, bold=row.heading, align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
        _cell_text(cells[1], row.task, bold=row.heading, size=12)
        _cell_text(cells[2], row.result, size=12)
    for row in table.rows:
        for cell, width in zip(row.cells, [16, 72, 77], strict=True):
            cell.width = Mm(width)


II06A_WIDTHS = [9.0, 54.0] + [17.2] * 11


def _ii06a_table(doc: Doc, title: str, name_heading: str, rows: list[TableRow]) -> None:
    p = layout.para(doc, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=4)
    p.paragraph_format.keep_with_next = True
    table = doc.add_table(rows=2, cols=13)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    layout.set_widths(table, II06A_WIDTHS)
    top, sub = table.rows
    center = WD_ALIGN_PARAGRAPH.CENTER
    groups = [
        (2, 5, "Số hồ sơ nhận giải quyết"),
        (6, 9, "Số hồ sơ đã giải quyết"),
        (10, 12, "Số hồ sơ đang giải quyết"),
    ]
    merged = top.cells[0].merge(sub.cells[0])
    _cell_text(merged, "TT", bold=True, align=center)
    merged = top.cells[1].merge(sub.cells[1])
    _cell_text(merged, name_heading, bold=True, align=center)
    for first, last, text in groups:
        cell = top.cells[first].merge(top.cells[last])
        _cell_text(cell, text, bold=True, align=center)
    subs = [
        "Tổng số", "Trực tuyến", "Trực tiếp, bưu chính", "Từ kỳ trước",
        "Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn",
        "Tổng số", "Trong hạn", "Quá hạn",
    ]  # fmt: skip
    for cell, text in zip(sub.cells[2:], subs, strict=True):
        _cell_text(cell, text, bold=True, align=center)
    for row in (top, sub):
        _repeat_header(row)
        for cell in row.cells:
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    numbers = table.add_row().cells
    for i, cell in enumerate(numbers):
        _cell_text(cell, f"({i + 1})", align=center, size=9)
    for row in rows:
        cells = table.add_row().cells
        bold = row.kind != "row"
        _cell_text(cells[0], row.tt, bold=bold, align=center)
        _cell_text(cells[1], row.name, bold=bold)
        for cell, value in zip(cells[2:], row.values, strict=True):
            _cell_text(cell, n(value), bold=bold, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for row in table.rows:
        for cell, width in zip(row.cells, II06A_WIDTHS, strict=True):
            cell.width = Mm(width)
    layout.para(doc, "", space_after=6)


def _form_header(doc: Doc, h: FormHeader) -> None:
    """Biểu II.06a's header block as the template lays it out: the form number on the left,
    the title and the period in the middle, the reporting and receiving units on the right;
    the unit of count above the table, on the right."""
    widths = [60.0, 132.0, 60.0]
    grid = doc.add_table(rows=1, cols=3)
    layout.no_borders(grid)
    layout.set_widths(grid, widths)
    left, middle, right = grid.rows[0].cells
    _cell_text(left, h.form, bold=True, size=11)
    layout.para(left, h.basis, italic=True, size=10, space_after=0)
    _cell_text(middle, h.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=12)
    layout.para(middle, h.period, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _cell_text(right, f"- {h.reporter}", size=11)
    layout.para(right, f"- {h.receiver}", size=11, space_after=0)
    for cell, width in zip(grid.rows[0].cells, widths, strict=True):
        cell.width = Mm(width)
    layout.para(doc, h.unit, italic=True, size=11, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=4)


def render_docx(c: ReportContext, charts: Sequence[tuple[str, bytes]]) -> bytes:
    doc = _skeleton(c)
    body = doc.element.body
    signature_table = body.findall(qn("w:tbl"))[-1]
    body.remove(signature_table)
    fn = Footnotes(doc)
    notes = {f.number: f.paragraphs for f in c.footnotes}

    p = layout.para(
        doc, c.title.upper(), bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0
    )
    p.paragraph_format.space_before = Pt(12)
    layout.para(doc, c.subtitle, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    layout.rule(doc._body, indent_mm=PORTRAIT_WIDTH_MM * 0.4)
    for paragraph in c.intro:
        _body_paragraph(doc, paragraph, notes, fn)
    for section in c.sections:
        _heading(doc, section.heading, level=1)
        for block in section.blocks:
            if block.title:
                _heading(doc, block.title, level=2)
            for paragraph in block.paragraphs:
                _body_paragraph(doc, paragraph, notes, fn)
    if c.indicator_rows:
        _heading(doc, c.indicator_heading, level=1)
        _indicator_table(doc, c)
    for i, paragraph in enumerate(c.closing):
        closing = _body_paragraph(doc, paragraph, notes, fn)
        closing.paragraph_format.keep_with_next = True  # with the signature
        if i == 0:
            closing.paragraph_format.space_before = Pt(6)
    sect_pr = body.find(qn("w:sectPr"))
    sect_pr.addprevious(signature_table)
    # The signature block is not split over two pages: its blank signing space would
    # otherwise spill onto a page of its own.
    for tr in signature_table.findall(qn("w:tr")):
        tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))

    # Appendix: biểu II.06a and the charts on landscape pages (13 columns do not fit A4 upright).
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    # The paragraph that carries the section break follows the signature table: keep it one
    # point high, or a signature at the foot of a page pushes it onto an empty page.
    breaker = DocxParagraph(body.findall(qn("w:p"))[-1], doc._body).paragraph_format
    breaker.space_before = breaker.space_after = Pt(0)
    breaker.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    breaker.line_spacing = Pt(1)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    layout.para(doc, "PHỤ LỤC", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    if c.ii06a is not None:
        _form_header(doc, c.ii06a)
    _ii06a_table(doc, "1. Theo lĩnh vực", "Lĩnh vực giải quyết", c.by_field)
    _ii06a_table(doc, "2. Theo cơ quan giải quyết", "Cơ quan giải quyết", c.by_agency)
    for note in c.ii06a.notes if c.ii06a is not None else []:
        layout.para(doc, note, italic=True, size=11, space_after=6)
    # Charts two by two in a borderless table (half a landscape page each).
    for i in range(0, len(charts), 2):
        pair = charts[i : i + 2]
        grid = doc.add_table(rows=1, cols=2)
        layout.no_borders(grid)
        layout.set_widths(grid, [LANDSCAPE_WIDTH_MM / 2] * 2)
        grid.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell, (caption, png) in zip(grid.rows[0].cells, pair, strict=False):
            first = cell.paragraphs[0]
            first.alignment = WD_ALIGN_PARAGRAPH.CENTER
            first.add_run().add_picture(io.BytesIO(png), width=Mm(120))
            layout.para(cell, caption, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=8)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
