"""The shared layer of official documents (Nghị định 30/2020/NĐ-CP, Phụ lục I).

What every administrative document printed by motcua has in common, whatever its content:
the A4 page and its margins, the font (Times New Roman; Tinos or Liberation Serif,
metric-compatible, where it is absent), the header (issuing body on the left, national motto
on the right, number and symbol, place and date), and the Vietnamese way of writing an
instant. The official forms (``dossiers.forms_docs``) and the reports build on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from motcua.core.formatting import vn_date, vn_date_long, vn_decimal

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

# ND 30/2020 Phụ lục I, Mục I.2: Times New Roman. Tinos and Liberation Serif (2.x) have the
# same advance widths, so a document laid out with one prints identically with another:
# whichever of them a machine has, the page breaks and every line fall in the same place.
# Tinos before Liberation Serif: Liberation Serif 1.x (Debian's ``fonts-liberation``) has no
# precomposed Vietnamese letters, and a letter taken from a fallback face shifts the line.
FONT_FAMILIES = ("Times New Roman", "Tinos", "Liberation Serif")
CSS_FONT_FAMILY = '"Times New Roman", Tinos, "Liberation Serif", serif'

NATIONAL_NAME = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

# ND 30/2020 Phụ lục I, Mục I.3 (millimetres): top and bottom 20-25, left 30-35, right 15-20.
MARGIN_TOP_MM = 20
MARGIN_BOTTOM_MM = 20
MARGIN_LEFT_MM = 30
MARGIN_RIGHT_MM = 15


@dataclass(frozen=True)
class DocumentHeader:
    """The ND 30 header: the superior body and the issuing unit (left), the number and
    symbol under them, the place and date under the motto (right)."""

    superior: str
    unit: str
    number: str
    place_date: str

    @property
    def superior_upper(self) -> str:
        return self.superior.upper()

    @property
    def unit_upper(self) -> str:
        return self.unit.upper()


def place_date(day: dt.date, place: str) -> str:
    """'Đắk Nông, ngày 05 tháng 9 năm 2022' (ND 30/2020 Phụ lục I, Mục II.4-5). The place is
    the issuing body's (``agencies.letterheads``); without one, the date alone."""
    return f"{place}, {vn_date_long(day)}" if place else vn_date_long(day)


def local_date(instant: dt.datetime) -> dt.date:
    return instant.astimezone(LOCAL).date()


def vn_time(instant: dt.datetime) -> str:
    """'10 giờ 00 phút' in local time."""
    local = instant.astimezone(LOCAL)
    return f"{local.hour} giờ {local.minute:02d} phút"


def vn_datetime(instant: dt.datetime | None) -> str:
    """'10 giờ 00 phút, ngày 29/8/2022' in local time; '' for no instant."""
    if instant is None:
        return ""
    return f"{vn_time(instant)}, ngày {vn_date(local_date(instant))}"


def vn_short_date(instant: dt.datetime | dt.date | None) -> str:
    """'29/8/2022' for an instant (its local date) or a date; '' for none."""
    if instant is None:
        return ""
    if isinstance(instant, dt.datetime):
        return vn_date(local_date(instant))
    return vn_date(instant)


def vn_quantity(value: Decimal | int | float) -> str:
    """3 -> '3', Decimal('4.50') -> '4,5': a duration as printed in a sentence."""
    text = vn_decimal(Decimal(str(value)), places=2)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def page_css(*, landscape: bool = False) -> str:
    """The @page rule and base typography shared by every PDF document."""
    size = "A4 landscape" if landscape else "A4"
    # Phụ lục I, Mục I.4: page numbers in Arabic numerals, centred in the top margin, from the
    # second page on.
    return (
        f"@page {{ size: {size}; margin: {MARGIN_TOP_MM}mm {MARGIN_RIGHT_MM}mm "
        f"{MARGIN_BOTTOM_MM}mm {MARGIN_LEFT_MM}mm;\n"
        f"  @top-center {{ content: counter(page); font-family: {CSS_FONT_FAMILY}; "
        "font-size: 13pt; vertical-align: middle; } }\n"
        "@page :first { @top-center { content: none; } }\n"
        f"html {{ font-family: {CSS_FONT_FAMILY}; font-size: 13pt; line-height: 1.25; }}\n"
    )


def html_to_pdf(html: str) -> bytes:
    """Render an HTML document (with its own CSS) to PDF bytes with WeasyPrint."""
    # Imported here: WeasyPrint loads Pango and fontconfig, which only the PDF path needs.
    from weasyprint import HTML

    result = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    assert result is not None  # write_pdf without a target returns the bytes
    return result
