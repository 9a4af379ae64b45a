"""Vietnamese number and date style (domain.md §11): 17.946, 78,31 %, 31/8/2022."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal


def pct(numerator: int, denominator: int) -> Decimal:
    """A percentage rounded half up to two decimals; 0 when the denominator is 0."""
    if denominator == 0:
        return Decimal("0.00")
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def vn_int(value: int) -> str:
    """17946 -> '17.946'."""
    return f"{value:,}".replace(",", ".")


def vn_money(amount: int) -> str:
    """An amount of đồng (an integer, never a float): 1200000 -> '1.200.000 đ'."""
    return f"{vn_int(amount)} đ"


def vn_decimal(value: Decimal | float, places: int = 2) -> str:
    """78.31 -> '78,31'."""
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{q:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = vn_int(abs(int(whole)))
    return f"{sign}{whole},{frac}" if frac else f"{sign}{whole}"


def vn_pct(value: Decimal | float) -> str:
    """78.31 -> '78,31 %'."""
    return f"{vn_decimal(value)} %"


def vn_rate(numerator: int, denominator: int) -> str:
    """A share as staff pages show it: '78,31 %', or '—' when there is nothing to divide
    (no dossier resolved: '0,00 %' would read as none on time)."""
    if denominator == 0:
        return "—"
    return vn_pct(pct(numerator, denominator))


def vn_date(day: dt.date) -> str:
    """31/8/2022 (no leading zeros, as in official documents)."""
    return f"{day.day}/{day.month}/{day.year}"


def vn_date_long(day: dt.date) -> str:
    """'ngày 31 tháng 8 năm 2022'; ND 30/2020 Phụ lục I: days below 10 and months below 3
    take a leading zero ('ngày 05 tháng 02 năm 2026')."""
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {d} tháng {m} năm {day.year}"
