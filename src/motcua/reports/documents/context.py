"""What the report document says, built once from the figures and printed by the DOCX and PDF
renderers alike: the header, the sentences of section III with the numbers in Vietnamese style,
the two footnotes, the indicator table of section V, the staff-edited text blocks and the rows
of biểu II.06a. Pure functions of plain data (the queries are in ``series``, ``indicators``
and ``textblocks``), so the wording is tested without a database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from motcua.agencies.letterheads import IssuingBody, filing_line, signature_title
from motcua.core.documents import DocumentHeader
from motcua.core.formatting import vn_decimal, vn_int, vn_pct, vn_rate

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]

# (style, text): '' plain, 'i' italic, 'b' bold, 'fn' a footnote call (text: its number).
Segment = tuple[str, str]


@dataclass(frozen=True)
class Paragraph:
    """Segments ('', text), ('i', text), ('b', text); ('fn', '1') calls footnote 1 there."""

    segments: list[Segment]

    @property
    def text(self) -> str:
        return "".join(t for style, t in self.segments if style != "fn")


@dataclass(frozen=True)
class Footnote:
    number: int
    paragraphs: list[str]


@dataclass(frozen=True)
class Block:
    title: str
    paragraphs: list[Paragraph]


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: list[Block]


@dataclass(frozen=True)
class IndicatorRow:
    no: str
    task: str
    result: str = ""
    heading: bool = False


@dataclass(frozen=True)
class TableRow:
    tt: str
    name: str
    values: list[int]
    kind: str = "row"  # 'row', 'level' (subtotal of a level) or 'total'


@dataclass(frozen=True)
class Signature:
    title: str
    hint: str = ""
    name: str = ""


@dataclass(frozen=True)
class FormHeader:
    """The header block of a statistical form (biểu) and its note under the table."""

    form: str
    basis: str
    title: str
    reporter: str
    receiver: str
    period: str
    unit: str
    notes: list[str]


@dataclass
class ReportContext:
    header: DocumentHeader
    title: str
    subtitle: str
    intro: list[Paragraph]
    sections: list[Section]
    footnotes: list[Footnote]
    indicator_heading: str
    indicator_rows: list[IndicatorRow]
    closing: list[Paragraph]
    signature: Signature
    recipients: list[str]
    columns: list[str]
    by_field: list[TableRow]
    by_agency: list[TableRow]
    period_label: str
    scope_name: str
    ii06a: FormHeader | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# -- numbers and dates ----------------------------------------------------------------------


def n(value: int) -> str:
    """17946 -> '17.946'."""
    return vn_int(value)


def n2(value: int) -> str:
    """Counts in the footnotes: below 10 with a leading zero ('06 hồ sơ'), as the seed."""
    return f"{value:02d}" if 0 <= value < 10 else vn_int(value)


def p(value: float) -> str:
    """78.31 -> '78,31 %', with a no-break space so that '%' never starts a line."""
    return vn_pct(value).replace(" ", "\u00a0")


def share(numerator: int, denominator: int) -> str:
    """A share as the dashboard shows it (``vn_rate``): '78,31 %', or '—' when there is
    nothing to divide ('0,00 %' would read as none on time)."""
    return vn_rate(int(numerator), int(denominator)).replace(" ", "\u00a0")


def short_date(day: dt.date) -> str:
    """'05/6/2022': ND 30/2020 writes days below 10 and months below 3 with a leading zero."""
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{d}/{m}/{day.year}"


def period_label(date_from: dt.date, date_to: dt.date) -> str:
    """'quý III năm 2022', 'tháng 8/2022', 'năm 2022' or '6 tháng đầu năm 2022'; other spans
    are 'kỳ báo cáo'. A quarter is named after its last day's calendar quarter: provinces close
    quarters on their own dates (the seed's quý III runs 5/6-31/8)."""
    last_of_month = (date_to + dt.timedelta(days=1)).day == 1
    if date_from == dt.date(date_to.year, 1, 1) and last_of_month:
        if date_to.month == 12:
            return f"năm {date_to.year}"
        if date_to.month == 6:
            return f"6 tháng đầu năm {date_to.year}"
    days = (date_to - date_from).days + 1
    if (
        date_from.day == 1
        and last_of_month
        and (date_from.year, date_from.month)
        == (
            date_to.year,
            date_to.month,
        )
    ):
        return f"tháng {date_to.month}/{date_to.year}"
    if 45 <= days <= 100:
        return f"quý {ROMAN[(date_to.month - 1) // 3]} năm {date_to.year}"
    return "kỳ báo cáo"


# -- section III ------------------------------------------------------------------------------


def _pct_seg(text: str) -> Segment:
    return ("i", text)


def figures_paragraphs(
    figures: dict[str, Any], *, label: str, subject: str
) -> tuple[list[Paragraph], list[Footnote]]:
    """Section III.1: received, resolved, returned (and withdrawn, in progress), guidance; with
    footnote 1 (late dossiers) and 2 (returned dossiers) when there are any."""
    period = figures["period"]
    d_from = dt.date.fromisoformat(period["from"])
    d_to = dt.date.fromisoformat(period["to"])
    rec, res, ret = figures["received"], figures["resolved"], figures["returned"]
    cum, guid = figures["cumulative"], figures["guidance"]
    label_short = label.split(" năm ")[0] if label.startswith("quý") else label
    paragraphs: list[Paragraph] = []
    footnotes: list[Footnote] = []

    paragraphs.append(
        Paragraph(
            [
                (
                    "",
                    f"Trong {label_short} (từ ngày {short_date(d_from)} đến ngày "
                    f"{short_date(d_to)}), {subject} tiếp nhận {n(rec['total'])} hồ sơ "
                    f"(lũy kế {n(cum['received'])} hồ sơ), trong đó: {n(rec['online'])} hồ sơ "
                    "trực tuyến (",
                ),
                _pct_seg(f"chiếm {share(rec['online'], rec['total'])}"),
                (
                    "",
                    f", lũy kế {n(cum['online'])} hồ sơ), hồ sơ nhận qua dịch vụ Bưu chính công "
                    f"ích: {n(rec['postal'])} hồ sơ (",
                ),
                _pct_seg(f"chiếm {share(rec['postal'], rec['total'])}"),
                (
                    "",
                    f", lũy kế {n(cum['postal'])} hồ sơ), trực tiếp: {n(rec['direct'])} hồ sơ; "
                    f"tồn kỳ trước chuyển qua {n(figures['carried_over'])} hồ sơ.",
                ),
            ]
        )
    )

    late_items = figures.get("late_by_agency") or []
    late_note = None
    if res["late"] and late_items:
        late_note = len(footnotes) + 1
        footnotes.append(Footnote(late_note, late_footnote(late_items)))
    paragraphs.append(
        Paragraph(
            [
                (
                    "",
                    f"Đã giải quyết và trả kết quả {n(res['total'])} hồ sơ (lũy kế "
                    f"{n(cum['resolved'])} hồ sơ), trong đó: trả qua dịch vụ Bưu chính công ích "
                    f"{n(res['postal_return'])} kết quả (",
                ),
                _pct_seg(f"chiếm {share(res['postal_return'], res['total'])}"),
                ("", f"), trước hạn: {n(res['early'])} hồ sơ ("),
                _pct_seg(f"chiếm {share(res['early'], res['total'])}"),
                ("", f"), đúng hạn: {n(res['on_time'])} hồ sơ ("),
                _pct_seg(f"chiếm {share(res['on_time'], res['total'])}"),
                ("", f"), quá hạn: {n(res['late'])} hồ sơ ("),
                _pct_seg(f"chiếm {share(res['late'], res['total'])}"),
                ("", ")."),
                *([("fn", str(late_note))] if late_note else []),
            ]
        )
    )

    by_agency = ret.get("by_agency") or []
    main = f", chủ yếu thuộc {by_agency[0]['name']}" if by_agency else ""
    segments: list[Segment] = [
        (
            "",
            f"Trong {label_short} có {n(ret['total'])} hồ sơ trả lại do không đủ điều kiện "
            "giải quyết (",
        ),
        _pct_seg(f"chiếm {share(ret['total'], rec['total'] + figures['carried_over'])}"),
        ("", f"{main})"),
    ]
    if ret["total"] and by_agency:
        footnotes.append(Footnote(len(footnotes) + 1, [returned_footnote(by_agency)]))
        segments.append(("fn", str(len(footnotes))))
    segments.append(("", "."))
    paragraphs.append(Paragraph(segments))
    ip = figures["in_progress"]
    withdrawn = int(figures.get("withdrawn", 0))
    text = (
        f"Đến hết ngày {short_date(d_to)}, đang giải quyết {n(ip['total'])} hồ sơ, trong đó: "
        f"trong hạn {n(ip['within_due'])} hồ sơ, quá hạn {n(ip['overdue'])} hồ sơ"
    )
    if withdrawn:
        text += f"; trong kỳ có {n(withdrawn)} hồ sơ rút yêu cầu hoặc dừng giải quyết"
    paragraphs.append(Paragraph([("", text + ".")]))
    paragraphs.append(
        Paragraph(
            [
                (
                    "",
                    f"Trong {label}, {subject} hướng dẫn, hỗ trợ thực hiện thủ tục hành chính "
                    f"cho {n(guid['total'])} lượt tổ chức, cá nhân (lũy kế "
                    f"{n(cum['guidance'])} lượt), trong đó: {n(guid['direct'])} lượt hướng dẫn "
                    f"trực tiếp, {n(guid['outgoing_call'])} lượt gọi đi và "
                    f"{n(guid['incoming_call'])} lượt trả lời cuộc gọi đến.",
                )
            ]
        )
    )
    return paragraphs, footnotes


def _reason(text: str) -> str:
    """A reason as recorded, inside a sentence: 'Có án tích' -> 'có án tích' (an acronym such as
    'UBND' keeps its case)."""
    text = text.strip().rstrip(".")
    if not text:
        return "chưa ghi rõ lý do"
    first = text.split()[0]
    if first not in _PROPER_STARTS and (len(first) == 1 or first[1:].islower()):
        text = text[0].lower() + text[1:]
    return text


# Words that start the name of a body ('Sở Xây dựng chậm cho ý kiến'): kept capitalised.
_PROPER_STARTS = {"Sở", "Phòng", "Trung", "Bộ", "Ủy", "Văn", "Chi", "Cục", "Ban", "Bảo", "Cổng"}


def apology_note(count: int, with_apology: int) -> str:
    if with_apology == 0:
        return "(không có thư xin lỗi)"
    if with_apology >= count:
        return "(có thư xin lỗi)"
    return (
        f"({n2(with_apology)} hồ sơ có thư xin lỗi, {n2(count - with_apology)} hồ sơ không có "
        "thư xin lỗi)"
    )


def late_footnote(items: Sequence[dict[str, Any]]) -> list[str]:
    """Footnote 1: one paragraph per agency with late dossiers, their reasons, the steps where
    the time was lost and whether an apology letter was sent (seed, footnote 1)."""
    out = []
    for item in items:
        count = int(item["count"])
        reasons = [r for r in item.get("reasons", []) if r["count"]]
        steps = [s for s in item.get("steps", []) if s["count"] and str(s["step"]).strip()]
        text = f"{n2(count)} hồ sơ của {item['name']}"
        if len(reasons) == 1:
            text += f" trễ hạn do {_reason(reasons[0]['reason'])}"
        elif reasons:
            parts = [f"{n2(r['count'])} hồ sơ do {_reason(r['reason'])}" for r in reasons]
            text += ", trong đó: " + ", ".join(parts)
        if len(steps) == 1:
            text += f", trễ ở bước {steps[0]['step']}"
        elif steps:
            text += "; trễ ở các bước: " + ", ".join(
                f"{s['step']} ({n2(s['count'])} hồ sơ)" for s in steps
            )
        with_apology = int(item.get("with_apology", 0))
        out.append(f"{text} {apology_note(count, with_apology)}.")
    return out


def returned_footnote(items: Sequence[dict[str, Any]]) -> str:
    """Footnote 2: '13 hồ sơ của Sở Kế hoạch và Đầu tư, 02 hồ sơ của Sở Giao thông Vận tải'."""
    return ", ".join(f"{n2(int(i['count']))} hồ sơ của {i['name']}" for i in items) + "."


# -- section V --------------------------------------------------------------------------------

# (number in the seed, heading or None for an indicator, unit of the counts)
_SEED_ROWS: list[tuple[str, str | None, str]] = [
    ("1", "Cải cách thủ tục hành chính", ""),
    ("1.3", "Thực hiện cơ chế một cửa, cơ chế một cửa liên thông", ""),
    ("1.3.1", None, "thủ tục"),
    ("1.3.4", None, "thủ tục"),
    ("1.4", "Kết quả giải quyết hồ sơ TTHC", ""),
    ("1.4.1", None, "hồ sơ"),
    ("1.4.2", None, "hồ sơ"),
    ("1.4.3", None, "hồ sơ"),
    ("1.4.4", None, "hồ sơ"),
    ("1.5", None, "phản ánh, kiến nghị"),
    ("2", "Hiện đại hóa hành chính", ""),
    ("2.1.5", None, "dịch vụ"),
    ("2.2", "Cung cấp dịch vụ công trực tuyến", ""),
    ("2.2.1", None, "thủ tục"),
    ("2.2.2", None, "thủ tục"),
]


def ratio_text(value: dict[str, Any], unit: str) -> str:
    """'99,90 % (1.234/1.235 hồ sơ)'; without data, why."""
    rate = value.get("rate")
    num, den = value.get("numerator") or 0, value.get("denominator")
    if rate is None or den is None:
        if den == 0:
            return f"Không phát sinh (0/0 {unit})"
        return "Chưa có dữ liệu trong hệ thống"
    return f"{p(rate)} ({n(int(num))}/{n(int(den))} {unit})"


def indicator_rows(indicators: dict[str, Any] | None) -> list[IndicatorRow]:
    """Section V: the seed's PAR INDEX rows that the data can answer, each with its numerator
    and denominator (indicators.md)."""
    if not indicators:
        return []
    seed = indicators.get("seed", {})
    rows = []
    for no, heading, unit in _SEED_ROWS:
        if heading is not None:
            rows.append(IndicatorRow(no, heading, heading=True))
            continue
        value = seed.get(no)
        if value is None:
            continue
        if no == "1.3.4":
            result = (
                f"{n(int(value.get('count', 0)))} TTHC được giải quyết liên thông giữa các cấp "
                f"chính quyền (trong {n(int(value.get('linked', 0)))} TTHC liên thông)"
            )
        else:
            result = ratio_text(value, unit)
            by_level = value.get("by_level") or {}
            if no in {"1.3.1", "1.4.4", "2.1.5", "2.2.1", "2.2.2"} and by_level:
                parts = [
                    f"{_LEVEL_NAMES.get(level, level)}: {ratio_text(v, unit)}"
                    for level, v in by_level.items()
                    if v.get("denominator")
                ]
                if len(parts) > 1:  # one level alone repeats the total
                    result += "; " + "; ".join(parts)
            if no == "2.2.2" and value.get("dossiers"):
                # The dossier share of indicators.md beside the seed's procedure share.
                result += f"; hồ sơ giải quyết trực tuyến: {ratio_text(value['dossiers'], 'hồ sơ')}"
        rows.append(IndicatorRow(no, str(value.get("name", "")), result))
    return rows


_LEVEL_NAMES = {"province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}


# -- biểu II.06a ------------------------------------------------------------------------------

II06A_KEYS = [
    "received_total",
    "received_online",
    "received_direct_postal",
    "carried_over",
    "resolved_total",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_total",
    "in_progress_within_due",
    "in_progress_overdue",
]


# TT 01/2020/TT-VPCP, Phụ lục II: biểu II.06a/VPCP/KSTT (the header block of the template).
II06A_FORM = "Biểu số II.06a/VPCP/KSTT"
II06A_BASIS = "Ban hành kèm theo Thông tư số 01/2020/TT-VPCP"
II06A_TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
II06A_UNIT = "Đơn vị tính: Số hồ sơ TTHC"


def column9_note(returned: int, withdrawn: int) -> str:
    """The note under biểu II.06a: refused and withdrawn/stopped dossiers are counted in
    column (9) "Đúng hạn" (domain.md §7), so the table balances ((3) = (7) + (11)) while the
    report's section III gives them apart."""
    return (
        f'Ghi chú: Cột (9) "Đúng hạn" bao gồm cả {n(returned)} hồ sơ trả lại do không đủ '
        f"điều kiện giải quyết và {n(withdrawn)} hồ sơ rút yêu cầu hoặc dừng giải quyết trong kỳ."
    )


def ii06a_header(
    figures: dict[str, Any], *, reporter: str, receiver: str, label: str
) -> FormHeader:
    """The header block of biểu II.06a for ``figures``: form number, reporting and receiving
    units, the period with its dates, the unit of count, and the column 9 note."""
    d_from = dt.date.fromisoformat(figures["period"]["from"])
    d_to = dt.date.fromisoformat(figures["period"]["to"])
    return FormHeader(
        form=II06A_FORM,
        basis=II06A_BASIS,
        title=II06A_TITLE,
        reporter=f"Đơn vị báo cáo: {reporter or figures['scope']['name']}",
        receiver=f"Đơn vị nhận báo cáo: {receiver}" if receiver else "Đơn vị nhận báo cáo: ",
        period=(
            f"Kỳ báo cáo: {label[0].upper()}{label[1:]} (từ ngày {short_date(d_from)} đến ngày "
            f"{short_date(d_to)})"
        ),
        unit=II06A_UNIT,
        notes=[
            column9_note(int(figures["returned"]["total"]), int(figures.get("withdrawn", 0) or 0))
        ],
    )


def table_rows(table: dict[str, Any]) -> list[TableRow]:
    """Rows of one II.06a table: per level a subtotal (A, B, C…), its rows, then the total."""
    rows: list[TableRow] = []
    for i, level in enumerate(table.get("levels", [])):
        rows.append(
            TableRow(
                chr(ord("A") + i),
                str(level["name"]).upper(),
                [int(level["subtotal"][k]) for k in II06A_KEYS],
                "level",
            )
        )
        for row in level["rows"]:
            rows.append(
                TableRow(str(row["tt"]), str(row["name"]), [int(row[k]) for k in II06A_KEYS])
            )
    total = table.get("total") or dict.fromkeys(II06A_KEYS, 0)
    rows.append(TableRow("", "TỔNG CỘNG", [int(total[k]) for k in II06A_KEYS], "total"))
    return rows


# -- the whole document -----------------------------------------------------------------------

SECTION_OF_KEY = {
    "chi_dao": "CHỈ ĐẠO, ĐIỀU HÀNH CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
    "tuyen_truyen": "CHỈ ĐẠO, ĐIỀU HÀNH CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
    "ket_qua_cchc": "KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH",
    "phuong_huong": "PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
}
CENTER_SECTION = "HOẠT ĐỘNG CỦA TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
# A report for one agency (``--agency``) is about its dossiers, not the centre's activity.
AGENCY_SECTION = "KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
INDICATOR_SECTION = "KẾT QUẢ THỰC HIỆN CÁC CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (PAR INDEX)"


def _plain(text: str) -> Paragraph:
    return Paragraph([("", text)])


def build_context(
    figures: dict[str, Any],
    *,
    indicators: dict[str, Any] | None = None,
    blocks: Sequence[Any] = (),
    issuer: IssuingBody | None = None,
    receiver: str = "",
) -> ReportContext:
    """Everything the document prints. ``blocks`` are ``ReportTextBlock``s (or anything with
    ``key``, ``title`` and ``paragraphs``) of the period, in document order. ``issuer`` is
    the scope agency's letterhead for an agency's report; for the whole province, the
    province's people's committee, whose Văn phòng reports (``report_issuer``). ``receiver``
    is the body the report goes to (``report_receiver``), printed in biểu II.06a's header."""
    d_from = dt.date.fromisoformat(figures["period"]["from"])
    d_to = dt.date.fromisoformat(figures["period"]["to"])
    label = period_label(d_from, d_to)
    scope = figures["scope"]
    subject = scope["name"] if scope.get("agency") else "các cơ quan, đơn vị trên địa bàn tỉnh"
    if not scope.get("agency") and subject.startswith("các"):
        subject_title = "Trung tâm Phục vụ hành chính công và Bộ phận Một cửa các cấp"
    else:
        subject_title = scope["name"]
    issued = d_to + dt.timedelta(days=1)
    place = f"{issuer.place}, " if issuer is not None and issuer.place else ""
    # ND 30/2020: the day is written by hand when the report is signed.
    place_date = f"{place}ngày      tháng {issued.month} năm {issued.year}"
    agency_report = bool(scope.get("agency")) and issuer is not None
    if agency_report:
        assert issuer is not None
        header = DocumentHeader(
            superior=issuer.superior,
            unit=issuer.unit,
            number=f"     /BC-{issuer.abbreviation}",
            place_date=place_date,
        )
        signature = Signature(signature_title(issuer), "", "")
        recipients = ["Văn phòng UBND tỉnh;", filing_line(issuer)]
    else:
        # The seed's: the Văn phòng of the province's people's committee reports.
        committee = issuer.unit if issuer is not None else ""
        header = DocumentHeader(
            superior=committee.replace("Ủy ban nhân dân", "UBND"),
            unit="Văn phòng",
            number="     /BC-VPUBND",
            place_date=place_date,
        )
        signature = Signature("KT. CHÁNH VĂN PHÒNG\nPHÓ CHÁNH VĂN PHÒNG", "", "")
        recipients = ["Sở Nội vụ;", "CVP, các PCVP UBND tỉnh;", "Lưu: VT, HCQT."]

    by_key: dict[str, list[Any]] = {}
    for block in blocks:
        by_key.setdefault(block.key, []).append(block)

    def text_blocks(*keys: str, numbered: bool) -> list[Block]:
        out = []
        i = 0
        for key in keys:
            for block in by_key.get(key, []):
                i += 1
                title = block.title
                if numbered and title:
                    title = f"{i}. {title}"
                out.append(Block(title, [_plain(t) for t in block.paragraphs]))
        return out

    sections: list[Section] = []
    direction = text_blocks("chi_dao", "tuyen_truyen", numbered=True)
    if direction:
        sections.append(Section(SECTION_OF_KEY["chi_dao"], direction))
    reform = text_blocks("ket_qua_cchc", numbered=False)
    if reform:
        sections.append(Section(SECTION_OF_KEY["ket_qua_cchc"], reform))
    figures_paras, footnotes = figures_paragraphs(figures, label=label, subject=subject)
    center = [Block("1. Kết quả giải quyết thủ tục hành chính", figures_paras)]
    other = text_blocks("hoat_dong_khac", numbered=False)
    if other:
        center.append(
            Block("2. Các hoạt động khác", [para for b in other for para in b.paragraphs])
        )
    sections.append(Section(AGENCY_SECTION if scope.get("agency") else CENTER_SECTION, center))
    plans = text_blocks("phuong_huong", numbered=False)
    if plans:
        sections.append(Section(SECTION_OF_KEY["phuong_huong"], plans))
    numbered = [Section(f"{ROMAN[i]}. {s.heading}", s.blocks) for i, s in enumerate(sections)]
    indicator_heading = f"{ROMAN[len(numbered)]}. {INDICATOR_SECTION} NĂM {d_to.year}"

    intro = [_plain(t) for b in by_key.get("mo_dau", []) for t in b.paragraphs]
    if not intro and agency_report:
        assert issuer is not None
        # The agency reports on its own dossiers (and the guidance its units gave), headed by
        # its own letterhead: not the province's office compiling for the centre.
        intro = [
            _plain(
                f"{issuer.unit} báo cáo kết quả tiếp nhận, giải quyết thủ tục hành chính "
                f"{label}, cụ thể như sau:"
            )
        ]
    if not intro:
        intro = [
            _plain(
                f"Văn phòng UBND tỉnh tổng hợp, báo cáo kết quả giải quyết thủ tục hành chính "
                f"{label} của {subject_title}, cụ thể như sau:"
            )
        ]
    closing = [_plain(t) for b in by_key.get("ket_luan", []) for t in b.paragraphs]
    if not closing:
        closing = [_plain(f"Trên đây là báo cáo kết quả giải quyết thủ tục hành chính {label}./.")]

    return ReportContext(
        header=header,
        title="Báo cáo",
        subtitle=(
            f"Kết quả tiếp nhận, giải quyết thủ tục hành chính {label}"
            if agency_report
            else f"Kết quả thực hiện công tác cải cách hành chính {label}"
        ),
        intro=intro,
        sections=numbered,
        footnotes=footnotes,
        indicator_heading=indicator_heading,
        indicator_rows=indicator_rows(indicators),
        closing=closing,
        signature=signature,
        recipients=recipients,
        columns=[c["label"] for c in figures.get("table_ii06a", {}).get("columns", [])],
        by_field=table_rows(figures.get("table_ii06a", {}).get("by_field", {})),
        by_agency=table_rows(figures.get("table_ii06a", {}).get("by_agency", {})),
        period_label=label,
        scope_name=scope["name"],
        ii06a=ii06a_header(
            figures,
            reporter=issuer.unit if issuer is not None else "",
            receiver=receiver,
            label=label,
        ),
    )


__all__ = ["build_context", "vn_decimal"]
