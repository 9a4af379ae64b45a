"""The leaders' dashboard charts: received by month and channel, the on-time rate by month,
late by agency. Drawn on the server with matplotlib as the report's charts are
(``reports.documents.charts``: its fonts, colours and number style), as SVG served by its
own address (``office.views.dashboard.dashboard_chart``) and shown as an ``<img>``: the
Content-Security-Policy allows no inline style, and an SVG shown as an image keeps its own.
The page itself draws nothing (a draw is 40-70 ms a chart): it says which charts have
something to show (``charts_shown``) and the browser asks for them. Each chart's numbers are
also on the page as a table (its text alternative).

A chart is a pure function of its numbers and the language: the last ones drawn are kept
(``CACHED`` of each kind), so a chart asked again (the same period, the numbers unchanged)
is not drawn again; a first one is drawn once (its tight box measured, not drawn twice:
``_svg``)."""

from __future__ import annotations

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


# The charts, in the page's order.
CHART_KEYS = ("received", "on_time", "late")


@dataclass(frozen=True)
class Chart:
    """A chart the page shows: its key (its address), title (its caption and ``alt``) and
    size in CSS pixels (96 an inch) as drawn before its box is cut: the ``<img>``'s width
    and height, so the page keeps room for it while it loads (then the image's own)."""

    key: str
    title: str
    width: int
    height: int


def chart_titles() -> dict[str, str]:
    return {
        "received": _("Hồ sơ tiếp nhận theo tháng và hình thức nộp"),
        "on_time": _("Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn theo tháng"),
        "late": _("Hồ sơ giải quyết quá hạn theo cơ quan"),
    }


def charts_shown(months: Sequence[MonthFigures], rows: Sequence[dict[str, Any]]) -> list[Chart]:
    """The charts with something to show for these months and agency rows (the dashboard's
    figures), without drawing them: what ``chart_svg`` draws for the same numbers."""
    titles = chart_titles()
    inches = {
        "received": (6.3, 3.0) if _received(months) else None,
        "on_time": (6.3, 2.6) if _on_time(months) else None,
        "late": (6.3, _late_height(len(late))) if (late := _late(rows)) else None,
    }
    return [
        Chart(key, titles[key], round(size[0] * 96), round(size[1] * 96))
        for key in CHART_KEYS
        if (size := inches[key]) is not None
    ]


def chart_svg(
    key: str, months: Sequence[MonthFigures], rows: Sequence[dict[str, Any]]
) -> bytes | None:
    """The chart ``key`` drawn as SVG, or None when it has nothing to show (or no such key).
    ``months`` for the charts by month, ``rows`` (the dashboard's agency rows) for late."""
    if key == "received":
        return received_by_month(months)
    if key == "on_time":
        return on_time_by_month(months)
    if key == "late":
        return late_by_agency(rows)
    return None


def charts_forget() -> None:
    """Forget the charts kept (the bench times a first view with it)."""
    for kept in (_received_by_month, _on_time_by_month, _late_by_agency):
        kept.cache_clear()


def charts_kept() -> int:
    """How many charts are kept drawn (the tests check that the page draws none)."""
    kept = (_received_by_month, _on_time_by_month, _late_by_agency)
    return sum(k.cache_info().currsize for k in kept)


def _svg(fig: Any) -> bytes:
    """The figure as SVG cut to what it draws (labels, legend: nothing
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
    return out.getvalue()


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


def _received(months: Sequence[MonthFigures]) -> bool:
    return any(m.received for m in months)


def received_by_month(months: Sequence[MonthFigures]) -> bytes | None:
    if not _received(months):
        return None
    return _received_by_month(tuple(months), get_language())


@lru_cache(maxsize=CACHED)
def _received_by_month(months: tuple[MonthFigures, ...], _language: str) -> bytes:
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
        return _svg(fig)


def _on_time(months: Sequence[MonthFigures]) -> tuple[MonthFigures, ...]:
    return tuple(m for m in months if m.resolved)  # no rate where nothing was resolved


def on_time_by_month(months: Sequence[MonthFigures]) -> bytes | None:
    shown = _on_time(months)
    if not shown:
        return None
    return _on_time_by_month(shown, get_language())


@lru_cache(maxsize=CACHED)
def _on_time_by_month(shown: tuple[MonthFigures, ...], _language: str) -> bytes:
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
        return _svg(fig)


def _late(rows: Sequence[dict[str, Any]]) -> tuple[tuple[str, int], ...]:
    """The agencies shown, the fewest first (the most at the top: the last bar drawn)."""
    late = sorted((r for r in rows if r["late"]), key=lambda r: (-r["late"], r["agency__name"]))
    return tuple((str(r["agency__name"]), int(r["late"])) for r in reversed(late[:LATE_SHOWN]))


def _late_height(n: int) -> float:
    return 0.3 * n + 1.0


def late_by_agency(rows: Sequence[dict[str, Any]]) -> bytes | None:
    """Horizontal bars: dossiers resolved late in the period, per competent agency (the
    dashboard's table rows), the most first."""
    shown = _late(rows)
    if not shown:
        return None
    return _late_by_agency(shown, get_language())


@lru_cache(maxsize=CACHED)
def _late_by_agency(late: tuple[tuple[str, int], ...], _language: str) -> bytes:
    import matplotlib

    with matplotlib.rc_context(_svg_rc("late")):
        fig = _figure(6.3, _late_height(len(late)))
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
        return _svg(fig)
