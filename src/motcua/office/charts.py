"""The leaders' dashboard charts: received by month and channel, the on-time rate by month,
late by agency. Drawn on the server with matplotlib as the report's charts are
(``reports.documents.charts``: its fonts, colours and number style), as SVG in a ``data:``
URI: the Content-Security-Policy allows no inline style, and an SVG shown as an image keeps
its own. Each chart's numbers are also on the page as a table (its text alternative).

A chart is a pure function of its numbers, its title and the language: the last ones drawn
are kept (``CACHED`` of each kind), so a view repeated (the same period, the numbers
unchanged) is not drawn again; a first view draws each chart once (its tight box measured,
not drawn twice: ``_svg``)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.office.dashboard import MonthFigures
from motcua.reports.documents.charts import COLORS, _figure, _rc, _short, _vn

# The agencies shown in "late by agency": the latest first; the table lists them all.
LATE_SHOWN = 15
# The charts kept of each kind (a few periods of a few scopes; an SVG is tens of kB).
CACHED = 32


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    src: str  # a data: URI


def charts_forget() -> None:
    """Forget the charts kept (the bench times a first view with it)."""
    for kept in (_received_by_month, _on_time_by_month, _late_by_agency):
        kept.cache_clear()


def _svg(fig: Any) -> str:
    """The figure as an SVG ``data:`` URI cut to what it draws (labels, legend: nothing
    clipped, no margin left empty), as ``bbox_inches="tight"`` cuts it; but that draws the
    figure twice (once to measure), where the box measured from the artists' extents alone
    costs a part of a draw. Measured as the SVG backend draws: 72 dpi, its text metrics."""
    import matplotlib
    from matplotlib.backends.backend_svg import RendererSVG

    dpi = fig.dpi
    width, height = fig.get_size_inches()
    fig.dpi = 72
    try:
        box = fig.get_tightbbox(RendererSVG(width * 72, height * 72, io.StringIO()))
    finally:
        fig.dpi = dpi
    out = io.BytesIO()
    fig.savefig(
        out, format="svg", bbox_inches=box.padded(matplotlib.rcParams["savefig.pad_inches"])
    )
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _svg_rc(key: str) -> Any:
    # Text as text (a smaller file); a salt per chart keeps their element ids apart.
    return _rc() | {"svg.fonttype": "none", "svg.hashsalt": key}


def _month(m: MonthFigures) -> str:
    return f"{m.month.month}/{m.month.year}"


def _month_ticks(ax: Any, n: int) -> None:
    """A year's month labels ("12/2026") would run into each other: slanted."""
    if n > 6:
        ax.tick_params(axis="x", labelrotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")


def received_by_month(months: Sequence[MonthFigures], title: str) -> Chart | None:
    if not any(m.received for m in months):
        return None
    return _received_by_month(tuple(months), title, get_language())


@lru_cache(maxsize=CACHED)
def _received_by_month(months: tuple[MonthFigures, ...], title: str, _language: str) -> Chart:
    import matplotlib

    with matplotlib.rc_context(_svg_rc("received")):
        fig = _figure(6.3, 3.0)
        ax = fig.add_subplot()
        labels = [_month(m) for m in months]
        bottom = [0] * len(labels)
        for key, name in (
            ("online", _("Trực tuyến")),
            ("direct", _("Trực tiếp")),
            ("postal", _("Bưu chính")),
        ):
            values = [getattr(m, key) for m in months]
            ax.bar(labels, values, bottom=bottom, label=name, color=COLORS[key])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_ylabel(_("Số hồ sơ"))
        # Whole dossiers only: fractional ticks rounded would repeat a number.
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: _vn(v)))
        _month_ticks(ax, len(labels))
        # Above the plot: below it, a year's slanted month labels run into it.
        ax.legend(frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0))
        ax.spines[["top", "right"]].set_visible(False)
        return Chart("received", title, _svg(fig))


def on_time_by_month(months: Sequence[MonthFigures], title: str) -> Chart | None:
    shown = tuple(m for m in months if m.resolved)  # no rate where nothing was resolved
    if not shown:
        return None
    return _on_time_by_month(shown, title, get_language())


@lru_cache(maxsize=CACHED)
def _on_time_by_month(shown: tuple[MonthFigures, ...], title: str, _language: str) -> Chart:
    import matplotlib

    with matplotlib.rc_context(_svg_rc("on-time")):
        fig = _figure(6.3, 2.6)
        ax = fig.add_subplot()
        labels = [_month(m) for m in shown]
        values = [100 * m.on_time / m.resolved for m in shown]
        ax.plot(labels, values, marker="o", color=COLORS["rate"])
        for x, v in zip(labels, values, strict=True):
            ax.annotate(
                f"{_vn(v, 2)} %", (x, v), textcoords="offset points", xytext=(0, 6), ha="center"
            )
        ax.set_ylim(0, 110)
        _month_ticks(ax, len(labels))
        ax.set_ylabel("%")
        ax.spines[["top", "right"]].set_visible(False)
        return Chart("on_time", title, _svg(fig))


def late_by_agency(rows: Sequence[dict[str, Any]], title: str) -> Chart | None:
    """Horizontal bars: dossiers resolved late in the period, per competent agency (the
    dashboard's table rows), the most first."""
    late = sorted((r for r in rows if r["late"]), key=lambda r: (-r["late"], r["agency__name"]))
    if not late:
        return None
    # The most at the top: the last bar drawn.
    shown = tuple((str(r["agency__name"]), int(r["late"])) for r in reversed(late[:LATE_SHOWN]))
    return _late_by_agency(shown, title, get_language())


@lru_cache(maxsize=CACHED)
def _late_by_agency(late: tuple[tuple[str, int], ...], title: str, _language: str) -> Chart:
    import matplotlib

    with matplotlib.rc_context(_svg_rc("late")):
        fig = _figure(6.3, 0.3 * len(late) + 1.0)
        ax = fig.add_subplot()
        bars = ax.barh([_short(name) for name, _n in late], [n for _name, n in late])
        for bar in bars:
            bar.set_color("#b3261e")
        ax.set_xlabel(_("Số hồ sơ giải quyết quá hạn"))
        for bar, (_name, n) in zip(bars, late, strict=True):
            ax.text(
                bar.get_width(),
                bar.get_y() + bar.get_height() / 2,
                f" {_vn(n)}",
                va="center",
            )
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        return Chart("late", title, _svg(fig))
