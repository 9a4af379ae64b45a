"""Report documents: the period report as DOCX and PDF (ND 30/2020 layout, sections I-V of the
seed report with the figures filled in) and biểu II.06a with the indicators and charts as XLSX.

``motcua report --format docx|pdf|xlsx`` calls ``render(figures, fmt)`` (the hook of
``reports/cli.py``); ``figures`` is ``reports.queries.period_figures``' output. What the
figures do not carry is read here: the indicators of the year to date
(``reports.indicators``), the monthly and per-agency series for the charts (``series``) and
the staff-edited text blocks of the period (``reports.textblocks``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from motcua.agencies.letterheads import IssuingBody

FORMATS = ("docx", "pdf", "xlsx")

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Inputs:
    figures: dict[str, Any]
    indicators: dict[str, Any] | None
    series: Any
    blocks: list[Any]
    issuer: IssuingBody | None = None
    receiver: str = ""


def report_issuer(figures: dict[str, Any]) -> IssuingBody | None:
    """Who issues the report, as it stood at the period's end: the scope agency, else the
    province's people's committee (its Văn phòng writes the report)."""
    from motcua.agencies.letterheads import letterhead_for
    from motcua.agencies.models import Agency
    from motcua.agencies.queries import province_committee_on

    day = dt.date.fromisoformat(figures["period"]["to"])
    code = figures["scope"]["agency"]
    agency = Agency.objects.filter(code=code).first() if code else province_committee_on(day)
    return letterhead_for(agency, day) if agency is not None else None


def report_receiver(figures: dict[str, Any]) -> str:
    """Whom the report goes to (TT 01/2020/TT-VPCP: provincial bodies and districts
    report to the province's people's committee through its Văn phòng, the province to the
    Văn phòng Chính phủ): the Văn phòng of the scope agency's province; for the whole
    province or its committee, the Văn phòng Chính phủ."""
    from motcua.agencies.models import Agency

    code = figures["scope"]["agency"]
    agency = Agency.objects.filter(code=code).first() if code else None
    if agency is None or agency.parent_id is None:
        return "Văn phòng Chính phủ"
    root_ids = [int(x) for x in agency.path.strip("/").split("/") if x.isdigit()][:1]
    root = Agency.objects.filter(pk__in=root_ids).first() if root_ids else None
    while root is None and agency.parent is not None:  # a register without paths
        agency = agency.parent
        root = agency if agency.parent_id is None else None
    return f"Văn phòng {root.name}" if root is not None else ""


def gather(figures: dict[str, Any]) -> Inputs:
    """Read what the document needs besides the figures (a few grouped queries)."""
    from motcua.agencies.models import Agency
    from motcua.reports.documents.series import series_for
    from motcua.reports.indicators import indicators_for_year
    from motcua.reports.textblocks import text_blocks_for

    d_from = dt.date.fromisoformat(figures["period"]["from"])
    d_to = dt.date.fromisoformat(figures["period"]["to"])
    code = figures["scope"]["agency"]
    indicators = figures.get("indicators")
    if indicators is None:
        agency = Agency.objects.get(code=code) if code else None
        indicators = indicators_for_year(year=d_to.year, date_to=d_to, agency=agency)
    return Inputs(
        figures=figures,
        indicators=indicators,
        series=series_for(figures),
        blocks=text_blocks_for(date_from=d_from, date_to=d_to, agency_code=code),
        issuer=report_issuer(figures),
        receiver=report_receiver(figures),
    )


def render(figures: dict[str, Any], fmt: str) -> bytes:
    """The report for ``figures`` as ``fmt`` ('docx', 'pdf' or 'xlsx') bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")
    inputs = gather(figures)
    if fmt == "xlsx":
        from motcua.reports.documents.workbook import render_xlsx

        return render_xlsx(inputs)
    from motcua.reports.documents.charts import all_charts
    from motcua.reports.documents.context import build_context

    context = build_context(
        figures,
        indicators=inputs.indicators,
        blocks=inputs.blocks,
        issuer=inputs.issuer,
        receiver=inputs.receiver,
    )
    charts = all_charts(inputs.series)
    if fmt == "docx":
        from motcua.reports.documents.word import render_docx

        return render_docx(context, charts)
    from motcua.reports.documents.pdf import render_pdf

    return render_pdf(context, charts)
