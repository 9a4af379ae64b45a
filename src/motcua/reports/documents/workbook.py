"""Biểu II.06a (TT 01/2020/TT-VPCP), the period summary, the indicators and the chart series as
an Excel workbook (XlsxWriter). Numbers are real numbers with number formats (``#,##0``,
``0.00%``): Excel shows them with the reader's separators, so a Vietnamese Excel prints
17.946 and 78,31%. Headers are merged over two rows and frozen; charts are native Excel
charts over the sheet's own cells, so they follow any correction made in the sheet."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import xlsxwriter

from motcua.core.formatting import vn_rate
from motcua.reports.documents.context import (
    II06A_KEYS,
    FormHeader,
    TableRow,
    ii06a_header,
    indicator_rows,
    period_label,
    table_rows,
)

SUBHEADINGS = [
    "Tổng số", "Trực tuyến", "Trực tiếp, dịch vụ bưu chính", "Từ kỳ trước",
    "Tổng số", "Trước hạn", "Đúng hạn", "Quá hạn",
    "Tổng số", "Trong hạn", "Quá hạn",
]  # fmt: skip


def _of(rate: float, denominator: int) -> float | str:
    """``rate``, or "—" when its denominator is 0 (as ``core.formatting.vn_rate`` shows it)."""
    return rate if denominator else vn_rate(0, 0)


class Formats:
    def __init__(self, wb: Any) -> None:
        base = {"font_name": "Times New Roman", "font_size": 11, "valign": "vcenter"}
        border = {**base, "border": 1}
        self.title = wb.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        self.subtitle = wb.add_format({**base, "italic": True, "align": "center"})
        self.head = wb.add_format({**border, "bold": True, "align": "center", "text_wrap": True})
        self.text = wb.add_format({**border, "text_wrap": True})
        self.text_bold = wb.add_format({**border, "text_wrap": True, "bold": True})
        self.center = wb.add_format({**border, "align": "center"})
        self.center_bold = wb.add_format({**border, "align": "center", "bold": True})
        self.int = wb.add_format({**border, "num_format": "#,##0"})
        self.int_bold = wb.add_format({**border, "num_format": "#,##0", "bold": True})
        self.pct = wb.add_format({**border, "num_format": "0.00%"})
        self.plain = wb.add_format(base)
        self.bold_left = wb.add_format({**base, "bold": True, "text_wrap": True})
        self.bold_center = wb.add_format({**base, "bold": True, "align": "center"})
        self.italic_left = wb.add_format({**base, "italic": True, "text_wrap": True})
        self.italic_right = wb.add_format({**base, "italic": True, "align": "right"})
        self.wrap_left = wb.add_format({**base, "text_wrap": True})


def _ii06a_sheet(
    wb: Any, f: Formats, name: str, header: FormHeader, heading: str, rows: list[TableRow]
) -> None:
    ws = wb.add_worksheet(name)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 44)
    ws.set_column(2, 12, 12)
    # The template's header block: form number | title and period | reporting units.
    ws.merge_range(0, 0, 0, 1, header.form, f.bold_left)
    ws.merge_range(1, 0, 1, 1, header.basis, f.italic_left)
    ws.merge_range(0, 2, 0, 9, header.title, f.title)
    ws.merge_range(1, 2, 1, 9, header.period, f.bold_center)
    ws.merge_range(0, 10, 0, 12, f"- {header.reporter}", f.wrap_left)
    ws.merge_range(1, 10, 1, 12, f"- {header.receiver}", f.wrap_left)
    ws.merge_range(2, 10, 2, 12, header.unit, f.italic_right)
    ws.set_row(0, 32)
    ws.set_row(1, 32)
    ws.merge_range(3, 0, 4, 0, "TT", f.head)
    ws.merge_range(3, 1, 4, 1, heading, f.head)
    ws.merge_range(3, 2, 3, 5, "Số hồ sơ nhận giải quyết", f.head)
    ws.merge_range(3, 6, 3, 9, "Số hồ sơ đã giải quyết", f.head)
    ws.merge_range(3, 10, 3, 12, "Số hồ sơ đang giải quyết", f.head)
    for i, text in enumerate(SUBHEADINGS):
        ws.write(4, 2 + i, text, f.head)
    ws.set_row(4, 45)
    for i in range(13):
        ws.write(5, i, f"({i + 1})", f.center)
    ws.freeze_panes(6, 2)
    r = 6
    for row in rows:
        bold = row.kind != "row"
        ws.write(r, 0, row.tt, f.center_bold if bold else f.center)
        ws.write(r, 1, row.name, f.text_bold if bold else f.text)
        for i, value in enumerate(row.values):
            ws.write_number(r, 2 + i, value, f.int_bold if bold else f.int)
        r += 1
    for note in header.notes:
        ws.merge_range(r + 1, 0, r + 1, 12, note, f.italic_left)
        r += 1
    ws.repeat_rows(3, 5)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)


def _summary_sheet(wb: Any, f: Formats, figures: dict[str, Any], subtitle: str) -> None:
    ws = wb.add_worksheet("Tổng hợp")
    ws.set_column(0, 0, 48)
    ws.set_column(1, 3, 14)
    ws.merge_range(0, 0, 0, 3, "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", f.title)
    ws.merge_range(1, 0, 1, 3, subtitle, f.subtitle)
    for i, text in enumerate(["Nội dung", "Số hồ sơ", "Tỷ lệ", "Lũy kế"]):
        ws.write(3, i, text, f.head)
    ws.freeze_panes(4, 1)
    rec, res, ret, cum = (
        figures["received"],
        figures["resolved"],
        figures["returned"],
        figures["cumulative"],
    )
    ip, guid = figures["in_progress"], figures["guidance"]
    # A share whose denominator is 0 is "—", as on the dashboard (``vn_rate``), not 0,00 %.
    received, resolved = rec["total"], res["total"]
    refused_of = received + figures["carried_over"]
    rows: list[tuple[str, int, float | str | None, int | None]] = [
        ("Tiếp nhận", rec["total"], None, cum["received"]),
        ("   trong đó: trực tuyến", rec["online"], _of(rec["online_pct"], received), cum["online"]),
        ("   bưu chính công ích", rec["postal"], _of(rec["postal_pct"], received), cum["postal"]),
        ("   trực tiếp", rec["direct"], None, None),
        ("Tồn kỳ trước chuyển qua", figures["carried_over"], None, None),
        ("Đã giải quyết", res["total"], None, cum["resolved"]),
        ("   trước hạn", res["early"], _of(res["early_pct"], resolved), None),
        ("   đúng hạn", res["on_time"], _of(res["on_time_pct"], resolved), None),
        ("   quá hạn", res["late"], _of(res["late_pct"], resolved), None),
        (
            "   trả kết quả qua bưu chính",
            res["postal_return"],
            _of(res["postal_return_pct"], resolved),
            None,
        ),
        ("Trả lại (không đủ điều kiện)", ret["total"], _of(ret["pct"], refused_of), None),
        ("Rút yêu cầu, dừng giải quyết", figures["withdrawn"], None, None),
        ("Đang giải quyết", ip["total"], None, None),
        ("   trong hạn", ip["within_due"], None, None),
        ("   quá hạn", ip["overdue"], None, None),
        ("Lượt hướng dẫn, hỗ trợ", guid["total"], None, cum["guidance"]),
        ("   trực tiếp", guid["direct"], None, None),
        ("   gọi đi", guid["outgoing_call"], None, None),
        ("   trả lời cuộc gọi đến", guid["incoming_call"], None, None),
    ]
    for i, (label, value, rate, cumulative) in enumerate(rows, start=4):
        ws.write(i, 0, label, f.text)
        ws.write_number(i, 1, value, f.int)
        if rate is None:
            ws.write_blank(i, 2, None, f.pct)
        elif isinstance(rate, str):
            ws.write_string(i, 2, rate, f.center)
        else:
            ws.write_number(i, 2, rate / 100, f.pct)
        if cumulative is None:
            ws.write_blank(i, 3, None, f.int)
        else:
            ws.write_number(i, 3, cumulative, f.int)


def _indicator_sheet(wb: Any, f: Formats, indicators: dict[str, Any] | None) -> None:
    ws = wb.add_worksheet("Chỉ số")
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 4, 12)
    ws.set_column(5, 5, 50)
    for i, text in enumerate(["Stt", "Nhiệm vụ / chỉ số", "Tử số", "Mẫu số", "Tỷ lệ", "Ghi chú"]):
        ws.write(0, i, text, f.head)
    ws.freeze_panes(1, 2)
    seed = (indicators or {}).get("seed", {})
    r = 1
    for row in indicator_rows(indicators):
        if row.heading:
            ws.write(r, 0, row.no, f.center_bold)
            ws.merge_range(r, 1, r, 5, row.task, f.text_bold)
            r += 1
            continue
        value = seed.get(row.no, {})
        ws.write(r, 0, row.no, f.center)
        ws.write(r, 1, row.task, f.text)
        num, den, rate = value.get("numerator"), value.get("denominator"), value.get("rate")
        if row.no == "1.3.4":
            num, den, rate = value.get("count"), value.get("linked"), None
        for col, v in ((2, num), (3, den)):
            if v is None:
                ws.write_blank(r, col, None, f.int)
            else:
                ws.write_number(r, col, v, f.int)
        if rate is None:
            ws.write_blank(r, 4, None, f.pct)
        else:
            ws.write_number(r, 4, rate / 100, f.pct)
        ws.write(r, 5, value.get("note", ""), f.text)
        r += 1
    qd766 = (indicators or {}).get("qd766", {})
    if qd766.get("groups"):
        r += 1
        ws.merge_range(
            r, 0, r, 5, "Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766/QĐ-TTg)", f.text_bold
        )
        r += 1
        for i, text in enumerate(["Nhóm", "Chỉ số", "Tử số", "Mẫu số", "Tỷ lệ", "Điểm / tối đa"]):
            ws.write(r, i, text, f.head)
        r += 1
        for group in qd766["groups"]:
            for item in group["indicators"]:
                ws.write(r, 0, group["group"], f.text)
                ws.write(r, 1, item.get("name", item["code"]), f.text)
                for col, key in ((2, "numerator"), (3, "denominator")):
                    v = item.get(key)
                    if v is None:
                        ws.write_blank(r, col, None, f.int)
                    else:
                        ws.write_number(r, col, v, f.int)
                if item.get("rate") is None:
                    ws.write_blank(r, 4, None, f.pct)
                else:
                    ws.write_number(r, 4, item["rate"] / 100, f.pct)
                score = item.get("score")
                ws.write(
                    r, 5, "" if score is None else f"{score:g} / {item.get('points', 0):g}", f.text
                )
                r += 1


def _series_sheets(wb: Any, f: Formats, series: Any) -> None:
    ws = wb.add_worksheet("Theo tháng")
    ws.set_column(0, 0, 12)
    ws.set_column(1, 5, 14)
    heads = ["Tháng", "Trực tuyến", "Trực tiếp", "Bưu chính", "Tổng số", "Tỷ lệ trực tuyến"]
    for i, text in enumerate(heads):
        ws.write(0, i, text, f.head)
    ws.freeze_panes(1, 1)
    for r, m in enumerate(series.months, start=1):
        # A label, not a date: chart categories then read "8/2022" in every spreadsheet.
        ws.write_string(r, 0, f"{m.month.month}/{m.month.year}", f.center)
        ws.write_number(r, 1, m.online, f.int)
        ws.write_number(r, 2, m.direct, f.int)
        ws.write_number(r, 3, m.postal, f.int)
        ws.write_formula(r, 4, f"=SUM(B{r + 1}:D{r + 1})", f.int, m.total)
        ws.write_formula(r, 5, f"=IF(E{r + 1}=0,0,B{r + 1}/E{r + 1})", f.pct, m.online_pct / 100)
    last = len(series.months)
    if last:
        stacked = wb.add_chart({"type": "column", "subtype": "stacked"})
        for col, name in ((1, "Trực tuyến"), (2, "Trực tiếp"), (3, "Bưu chính")):
            stacked.add_series(
                {
                    "name": name,
                    "categories": ["Theo tháng", 1, 0, last, 0],
                    "values": ["Theo tháng", 1, col, last, col],
                }
            )
        stacked.set_title({"name": "Hồ sơ tiếp nhận theo tháng và hình thức nộp"})
        stacked.set_y_axis({"num_format": "#,##0"})
        stacked.set_legend({"position": "bottom"})
        ws.insert_chart(1, 7, stacked, {"x_scale": 1.4, "y_scale": 1.2})
        line = wb.add_chart({"type": "line"})
        line.add_series(
            {
                "name": "Tỷ lệ trực tuyến",
                "categories": ["Theo tháng", 1, 0, last, 0],
                "values": ["Theo tháng", 1, 5, last, 5],
                "marker": {"type": "circle"},
                "data_labels": {"value": True, "num_format": "0.00%"},
            }
        )
        line.set_title({"name": "Tỷ lệ hồ sơ nộp trực tuyến theo tháng"})
        line.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
        line.set_legend({"none": True})
        ws.insert_chart(20, 7, line, {"x_scale": 1.4, "y_scale": 1.0})

    ws2 = wb.add_worksheet("Theo cơ quan")
    ws2.set_column(0, 0, 20)
    ws2.set_column(1, 1, 50)
    ws2.set_column(2, 4, 14)
    for i, text in enumerate(["Mã", "Cơ quan", "Đã giải quyết", "Trước hạn, đúng hạn", "Tỷ lệ"]):
        ws2.write(0, i, text, f.head)
    ws2.freeze_panes(1, 2)
    for r, a in enumerate(series.agencies, start=1):
        ws2.write(r, 0, a.code, f.text)
        ws2.write(r, 1, a.name, f.text)
        ws2.write_number(r, 2, a.resolved, f.int)
        ws2.write_number(r, 3, a.on_time, f.int)
        ws2.write_formula(r, 4, f"=IF(C{r + 1}=0,0,D{r + 1}/C{r + 1})", f.pct, a.rate / 100)
    count = min(len(series.agencies), 30)
    if count:
        bar = wb.add_chart({"type": "bar"})
        bar.add_series(
            {
                "name": "Tỷ lệ đúng hạn",
                "categories": ["Theo cơ quan", 1, 1, count, 1],
                "values": ["Theo cơ quan", 1, 4, count, 4],
                "data_labels": {"value": True, "num_format": "0.00%"},
            }
        )
        bar.set_title({"name": "Tỷ lệ hồ sơ giải quyết đúng hạn theo cơ quan"})
        bar.set_x_axis({"num_format": "0%", "min": 0, "max": 1})
        bar.set_y_axis({"reverse": True})
        bar.set_legend({"none": True})
        ws2.insert_chart(1, 6, bar, {"x_scale": 1.5, "y_scale": max(1.0, count / 12)})


def render_xlsx(inputs: Any) -> bytes:
    figures = inputs.figures
    d_from = dt.date.fromisoformat(figures["period"]["from"])
    d_to = dt.date.fromisoformat(figures["period"]["to"])
    label = period_label(d_from, d_to)
    subtitle = (
        f"{label[0].upper()}{label[1:]} (từ {d_from:%d/%m/%Y} đến {d_to:%d/%m/%Y})"
        f" - {figures['scope']['name']}"
    )
    out = io.BytesIO()
    # Its formulas go through write_formula(); text typed by people stays text.
    wb = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    wb.set_properties({"title": "Biểu II.06a", "subject": subtitle})
    f = Formats(wb)
    table = figures.get("table_ii06a", {})
    issuer = getattr(inputs, "issuer", None)
    header = ii06a_header(
        figures,
        reporter=issuer.unit if issuer is not None else "",
        receiver=getattr(inputs, "receiver", ""),
        label=label,
    )
    _ii06a_sheet(
        wb,
        f,
        "II.06a theo lĩnh vực",
        header,
        "Lĩnh vực giải quyết",
        table_rows(table.get("by_field", {})),
    )
    _ii06a_sheet(
        wb,
        f,
        "II.06a theo cơ quan",
        header,
        "Cơ quan giải quyết",
        table_rows(table.get("by_agency", {})),
    )
    _summary_sheet(wb, f, figures, subtitle)
    _indicator_sheet(wb, f, inputs.indicators)
    _series_sheets(wb, f, inputs.series)
    wb.close()
    return out.getvalue()


__all__ = ["II06A_KEYS", "render_xlsx"]
