"""Charts of the report as PNG images (matplotlib, Agg backend) for the DOCX and the PDF:
the on-time rate by agency, dossiers received per month by channel (stacked), and the share
filed online per month (line). The XLSX draws the same series as native Excel charts."""

from __future__ import annotations

import io
from typing import Any

from motcua.reports.documents.series import Series

# Tinos or Liberation Serif (metric twins of Times New Roman, full Vietnamese in Liberation
# 2.x) as in the text; DejaVu as fallback: all carry the precomposed Vietnamese letters, so no
# diacritic drops out.
FONTS = ["Tinos", "Times New Roman", "Liberation Serif", "DejaVu Serif"]
COLORS = {"online": "#1f5fa8", "direct": "#9aa5b1", "postal": "#e0a030", "rate": "#2e7d32"}


def _month_label(month: Any) -> str:
    return f"{month.month}/{month.year}"


def _figure(width: float, height: float) -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    # A Figure without pyplot: no global state, safe in a server thread.
    return Figure(figsize=(width, height), dpi=150)


def _png(fig: Any) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", bbox_inches="tight")
    return out.getvalue()


def _rc() -> Any:
    return {"font.family": "serif", "font.serif": FONTS, "font.size": 9}


def _vn(value: float, places: int = 0) -> str:
    from motcua.core.formatting import vn_decimal, vn_int

    return vn_int(round(value)) if places == 0 else vn_decimal(value, places)


def on_time_by_agency(series: Series, limit: int = 15) -> bytes | None:
    """Horizontal bars: share resolved early or on time, per competent agency (the busiest
    ``limit``)."""
    import matplotlib

    rows = [a for a in series.agencies if a.resolved][:limit]
    if not rows:
        return None
    rows.reverse()  # busiest at the top
    with matplotlib.rc_context(_rc()):
        fig = _figure(6.3, 0.3 * len(rows) + 1.0)
        ax = fig.add_subplot()
        names = [_short(a.name) for a in rows]
        bars = ax.barh(names, [a.rate for a in rows], color=COLORS["rate"])
        ax.set_xlim(0, 110)
        ax.set_xlabel("Tỷ lệ giải quyết trước hạn và đúng hạn (%)")
        ax.set_title("Tỷ lệ hồ sơ giải quyết đúng hạn theo cơ quan")
        for bar, a in zip(bars, rows, strict=True):
            ax.text(
                bar.get_width() + 1,
                bar.get_y() + bar.get_height() / 2,
                f"{_vn(a.rate, 2)} %",
                va="center",
                fontsize=8,
            )
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def received_by_month(series: Series) -> bytes | None:
    """Stacked columns: dossiers received per month by channel."""
    import matplotlib

    if not series.months:
        return None
    with matplotlib.rc_context(_rc()):
        fig = _figure(6.3, 3.0)
        ax = fig.add_subplot()
        labels = [_month_label(m.month) for m in series.months]
        bottom = [0] * len(labels)
        for key, name in (
            ("online", "Trực tuyến"),
            ("direct", "Trực tiếp"),
            ("postal", "Bưu chính"),
        ):
            values = [getattr(m, key) for m in series.months]
            ax.bar(labels, values, bottom=bottom, label=name, color=COLORS[key])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_title("Hồ sơ tiếp nhận theo tháng và hình thức nộp")
        ax.set_ylabel("Số hồ sơ")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: _vn(v)))
        ax.legend(frameon=False, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def online_share_by_month(series: Series) -> bytes | None:
    """Line: share of dossiers filed online per month."""
    import matplotlib

    months = [m for m in series.months if m.total]
    if not months:
        return None
    with matplotlib.rc_context(_rc()):
        fig = _figure(6.3, 2.6)
        ax = fig.add_subplot()
        labels = [_month_label(m.month) for m in months]
        values = [m.online_pct for m in months]
        ax.plot(labels, values, marker="o", color=COLORS["online"])
        for x, v in zip(labels, values, strict=True):
            ax.annotate(
                f"{_vn(v, 2)} %",
                (x, v),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=8,
            )
        ax.set_ylim(0, 105)
        ax.set_title("Tỷ lệ hồ sơ nộp trực tuyến theo tháng (%)")
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def _short(name: str, width: int = 42) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def all_charts(series: Series) -> list[tuple[str, bytes]]:
    """(caption, PNG) of each chart that has data, in document order."""
    out = []
    for caption, make in (
        ("Biểu đồ 1. Hồ sơ tiếp nhận theo tháng và hình thức nộp", received_by_month),
        ("Biểu đồ 2. Tỷ lệ hồ sơ nộp trực tuyến theo tháng", online_share_by_month),
        ("Biểu đồ 3. Tỷ lệ hồ sơ giải quyết đúng hạn theo cơ quan", on_time_by_agency),
    ):
        png = make(series)
        if png is not None:
            out.append((caption, png))
    return out
