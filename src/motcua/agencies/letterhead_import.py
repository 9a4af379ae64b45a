"""``motcua import letterheads FILE``: what each agency's documents print, from a date.

A CSV file (UTF-8, comma-separated, a header line) with the columns ``agency`` (code),
``valid_from`` (YYYY-MM-DD, empty: from the start), then any of ``superior``,
``unit_name``, ``place_name``, ``head_title``, ``abbreviation`` (``agencies.models
.Letterhead``). The whole file is checked first; any error imports nothing and is reported
as ``FILE:LINE: column: problem``. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency, Letterhead
from motcua.agencies.services import LETTERHEAD_FIELDS, letterhead_save

COLUMNS = ("agency", "valid_from", *LETTERHEAD_FIELDS)
_LENGTHS = {
    name: int(getattr(Letterhead._meta.get_field(name), "max_length", 0) or 0)
    for name in LETTERHEAD_FIELDS
}


@dataclass
class LetterheadImportError(Exception):
    """Every problem of the file, each 'FILE:LINE: column: problem'."""

    issues: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    agency: Agency
    valid_from: dt.date | None
    values: dict[str, str]


def _rows(text: str, name: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text))
    issues: list[str] = []
    header = reader.fieldnames or []
    missing = [c for c in ("agency", "valid_from") if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        detail = "; ".join(
            [_("thiếu cột %(c)s") % {"c": c} for c in missing]
            + [_("cột không biết: %(c)s") % {"c": c} for c in unknown]
        )
        raise LetterheadImportError([f"{name}:1: {detail}"])
    agencies = Agency.objects.in_bulk(field_name="code")
    seen: dict[tuple[str, dt.date | None], int] = {}
    rows: list[_Row] = []
    for record in reader:
        line = reader.line_num
        code = (record.get("agency") or "").strip()
        agency = agencies.get(code)
        if agency is None:
            issues.append(
                f"{name}:{line}: agency: " + _("không có cơ quan mã %(code)r") % {"code": code}
            )
        raw_date = (record.get("valid_from") or "").strip()
        valid_from: dt.date | None = None
        if raw_date:
            try:
                valid_from = dt.date.fromisoformat(raw_date)
            except ValueError:
                issues.append(
                    f"{name}:{line}: valid_from: "
                    + _("%(value)r không phải ngày dạng YYYY-MM-DD") % {"value": raw_date}
                )
        key = (code, valid_from)
        if key in seen:
            issues.append(
                f"{name}:{line}: valid_from: "
                + _("trùng với dòng %(line)s (cùng cơ quan, cùng ngày áp dụng)")
                % {"line": seen[key]}
            )
        seen.setdefault(key, line)
        values = {c: (record.get(c) or "").strip() for c in LETTERHEAD_FIELDS if c in header}
        for column, value in values.items():
            if len(value) > _LENGTHS[column]:
                issues.append(
                    f"{name}:{line}: {column}: "
                    + _("dài %(n)s ký tự, tối đa %(max)s")
                    % {"n": len(value), "max": _LENGTHS[column]}
                )
        if agency is not None:
            rows.append(_Row(line, agency, valid_from, values))
    if issues:
        raise LetterheadImportError(issues)
    return rows


def letterheads_import_text(text: str, *, name: str = "<text>") -> tuple[int, int]:
    """Import the CSV ``text`` (all or nothing). Returns (rows written, rows unchanged)."""
    rows = _rows(text, name)
    written = 0
    with transaction.atomic():
        for row in rows:
            _, changed = letterhead_save(
                agency=row.agency, valid_from=row.valid_from, values=row.values
            )
            written += changed
    return written, len(rows) - written


def letterheads_import(path: Path | str) -> tuple[int, int]:
    """``letterheads_import_text`` of a file; errors name the file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise LetterheadImportError([f"{path}: {exc}"]) from exc
    return letterheads_import_text(text, name=str(path))
