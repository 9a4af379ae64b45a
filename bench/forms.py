"""Rendering cost of the official forms, from plain-value contexts (no database).

For the receipt (form 01, two copies with a QR code) and the register (form 07) with a
growing number of lines, times: the HTML alone (the baseline: Django's template engine
only), the PDF (HTML + WeasyPrint) and the DOCX (docxtpl). Prints seconds and the ratio of
each to the baseline, and the cost per register line.

Run: .venv/bin/python bench/forms.py [--lines 20 100 400] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import django

django.setup()

from motcua.core.documents import DocumentHeader, html_to_pdf  # noqa: E402
from motcua.dossiers.forms_docs import context as c  # noqa: E402
from motcua.dossiers.forms_docs.render import (  # noqa: E402
    FormContext,
    render_context,
    render_html,
)

HEADER = DocumentHeader(
    "Ủy ban nhân dân tỉnh Đắk Nông",
    "Trung tâm Phục vụ hành chính công tỉnh",
    "",
    "Gia Nghĩa, ngày 29 tháng 8 năm 2022",
)


def receipt() -> c.ReceiptContext:
    url = "https://dichvucong.example.vn/tra-cuu/?ma=000.00.19.H18-220829-0007&bi-mat=k7Qm2xPa"
    return c.ReceiptContext(
        header=HEADER,
        code="000.00.19.H18-220829-0007",
        receiving_unit="Trung tâm Phục vụ hành chính công tỉnh",
        applicant=c.Applicant("Nguyễn Thị Hồng Nhung", "Tổ 3, phường Nghĩa Đức", "0912345678"),
        procedure="Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt",
        parts=[c.PartRow(i, f"Giấy tờ số {i}", "Bản sao chứng thực", 1) for i in range(1, 6)],
        sets=1,
        legal_time="3 ngày làm việc",
        received="10 giờ 00 phút, ngày 29/8/2022",
        due="17 giờ 00 phút, ngày 5/9/2022",
        collect_at="Tại Trung tâm Phục vụ hành chính công tỉnh",
        register_volume="2022",
        register_line="7",
        lookup_url=url,
        lookup_base=url.split("?")[0],
        secret="k7Qm2xPa",
        signatures=(c.Signature("NGƯỜI NỘP HỒ SƠ"), c.Signature("NGƯỜI TIẾP NHẬN HỒ SƠ")),
    )


def register(lines: int) -> c.RegisterContext:
    row = dict(
        procedure="Cấp giấy phép xây dựng mới đối với công trình",
        sets=1,
        applicant="Nguyễn Thị Hồng Nhung",
        address_phone="Tổ 3, phường Nghĩa Đức, 0912 345 678",
        agency="Sở Xây dựng",
        received="10 giờ 00 phút, ngày 29/8/2022",
        due="17 giờ 00 phút, ngày 5/9/2022",
        sent="29/8/2022",
        result_back="1/9/2022",
        returned="10 giờ 00 phút, ngày 5/9/2022",
        note="",
    )
    rows = [
        c.RegisterRow(index=i, code=f"000.00.19.H18-220829-{i:04d}", **row)  # type: ignore[arg-type]
        for i in range(1, lines + 1)
    ]
    return c.RegisterContext(header=HEADER, unit="Trung tâm", period="Quý III/2022", rows=rows)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def measure(label: str, context: FormContext, repeat: int) -> tuple[float, float, float]:
    html = best(lambda: render_html(context), repeat)
    pdf = best(lambda: html_to_pdf(render_html(context)), repeat)
    docx = best(lambda: render_context(context, fmt="docx"), repeat)
    print(
        f"{label:<22} html {html:7.3f}s | pdf {pdf:7.3f}s ({pdf / html:7.0f}x) | "
        f"docx {docx:7.3f}s ({docx / html:7.0f}x)"
    )
    return html, pdf, docx


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, nargs="+", default=[20, 100, 400])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    html_to_pdf(render_html(receipt()))  # warm up WeasyPrint and fontconfig once
    measure("01 receipt (2 copies)", receipt(), args.repeat)
    for n in args.lines:
        _, pdf, docx = measure(f"07 register {n} lines", register(n), args.repeat)
        print(f"{'':<22} per line: pdf {pdf / n * 1000:.1f} ms, docx {docx / n * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
