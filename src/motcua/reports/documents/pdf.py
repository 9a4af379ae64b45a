"""The report as PDF: an HTML template printed by WeasyPrint, on the official forms' base
template and header (``dossiers/forms_docs/templates``: page, font, issuing body and motto).
Footnotes are CSS footnotes (``float: footnote``), so they sit at the foot of their page as in
the Word file; the appendix (biểu II.06a, charts) is on landscape pages (a named ``@page``)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from markupsafe import Markup, escape

from motcua.core.documents import html_to_pdf, page_css
from motcua.dossiers.forms_docs.render import HTML_DIR as FORMS_HTML_DIR
from motcua.reports.documents.context import Paragraph, ReportContext, n

HERE = Path(__file__).resolve().parent


@cache
def _engine() -> Engine:
    return Engine(
        dirs=[str(HERE / "templates"), str(FORMS_HTML_DIR)],
        autoescape=True,
        builtins=["django.template.defaultfilters"],
    )


def paragraph_html(paragraph: Paragraph, notes: dict[int, list[str]]) -> Markup:
    out = []
    for style, text in paragraph.segments:
        if style == "fn":
            # Lines joined by <br>, not <p>: a <p> inside the paragraph would close it and
            # spill the note, and a block would put the note's number on a line of its own.
            lines = "<br>".join(str(escape(line)) for line in notes[int(text)])
            out.append(f'<span class="fn">{lines}</span>')
        elif style == "i":
            out.append(f"<em>{escape(text)}</em>")
        elif style == "b":
            out.append(f"<strong>{escape(text)}</strong>")
        else:
            out.append(str(escape(text)))
    return Markup("".join(out))


def render_html(c: ReportContext, charts: Sequence[tuple[str, bytes]]) -> str:
    notes = {f.number: f.paragraphs for f in c.footnotes}

    def paras(items: Sequence[Paragraph]) -> list[Markup]:
        return [paragraph_html(p, notes) for p in items]

    sections: list[dict[str, Any]] = [
        {
            "heading": s.heading,
            "blocks": [{"title": b.title, "paragraphs": paras(b.paragraphs)} for b in s.blocks],
        }
        for s in c.sections
    ]
    tables = [
        {
            "title": title,
            "heading": heading,
            "rows": [
                {"tt": r.tt, "name": r.name, "kind": r.kind, "cells": [n(v) for v in r.values]}
                for r in rows
            ],
        }
        for title, heading, rows in (
            ("1. Theo lĩnh vực", "Lĩnh vực giải quyết", c.by_field),
            ("2. Theo cơ quan giải quyết", "Cơ quan giải quyết", c.by_agency),
        )
    ]
    values = {
        "c": c,
        "page_css": page_css(),
        "intro": paras(c.intro),
        "sections": sections,
        "closing": paras(c.closing),
        "tables": tables,
        "eleven": range(11),
        "thirteen": range(1, 14),
        "charts": [
            {
                "caption": caption,
                "uri": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
            }
            for caption, png in charts
        ],
    }
    return _engine().get_template("report.html").render(Context(values))


def render_pdf(c: ReportContext, charts: Sequence[tuple[str, bytes]]) -> bytes:
    return html_to_pdf(render_html(c, charts))
