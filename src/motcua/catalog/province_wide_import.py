"""``motcua import province-wide FILE`` and ``motcua export province-wide``: the province's list
of procedures received regardless of administrative boundaries (ND 118/2025), as its
chairman's decision publishes it.

A CSV file (UTF-8, comma-separated, a header line) with the columns ``province`` (code of the
provincial People's Committee), ``procedure`` (national code), ``decision`` (number and
symbol, e.g. 1234/QĐ-UBND), ``valid_from`` (YYYY-MM-DD: the list applies from it) and,
optionally, ``valid_to`` (YYYY-MM-DD: the last day the procedure is on the list, when a later
decision takes it off). One line per procedure and decision
(``catalog.models.ProvinceWideListing``); lines of other decisions already recorded are kept.
The whole file is checked first; any error imports nothing and is reported as
``FILE:LINE: column: problem``. Re-importing the same file changes nothing, and the export
reads back unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency, AgencyKind, Level
from motcua.catalog.models import Procedure, ProvinceWideListing
from motcua.catalog.services import province_wide_listing_save
from motcua.core.audit import Actor

COLUMNS = ("province", "procedure", "decision", "valid_from", "valid_to")
REQUIRED = ("province", "procedure", "decision", "valid_from")
_DECISION_LENGTH = int(ProvinceWideListing._meta.get_field("decision").max_length or 0)


@dataclass
class ProvinceWideImportError(Exception):
    """Every problem of the file, each 'FILE:LINE: column: problem'."""

    issues: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    province: Agency
    procedure: Procedure
    decision: str
    valid_from: dt.date
    valid_to: dt.date | None


def _date(raw: str, where: str, issues: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        issues.append(where + _("%(value)r không phải ngày dạng YYYY-MM-DD") % {"value": raw})
        return None


def _rows(text: str, name: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        detail = "; ".join(
            [_("thiếu cột %(c)s") % {"c": c} for c in missing]
            + [_("cột không biết: %(c)s") % {"c": c} for c in unknown]
        )
        raise ProvinceWideImportError([f"{name}:1: {detail}"])
    provinces = {
        a.code: a
        for a in Agency.objects.filter(kind=AgencyKind.PEOPLE_COMMITTEE, level=Level.PROVINCE)
    }
    procedures = Procedure.objects.in_bulk(field_name="code")
    issues: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    rows: list[_Row] = []
    for record in reader:
        line = reader.line_num
        value = {c: (record.get(c) or "").strip() for c in COLUMNS}
        province = provinces.get(value["province"])
        if province is None:
            issues.append(
                f"{name}:{line}: province: "
                + _("không có UBND tỉnh mã %(code)r") % {"code": value["province"]}
            )
        procedure = procedures.get(value["procedure"])
        if procedure is None:
            issues.append(
                f"{name}:{line}: procedure: "
                + _("không có thủ tục mã %(code)r") % {"code": value["procedure"]}
            )
        decision = value["decision"]
        if not decision:
            issues.append(f"{name}:{line}: decision: " + _("thiếu số quyết định"))
        elif len(decision) > _DECISION_LENGTH:
            issues.append(
                f"{name}:{line}: decision: "
                + _("dài %(n)s ký tự, tối đa %(max)s")
                % {"n": len(decision), "max": _DECISION_LENGTH}
            )
        valid_from: dt.date | None = None
        if not value["valid_from"]:
            issues.append(f"{name}:{line}: valid_from: " + _("thiếu ngày áp dụng"))
        else:
            valid_from = _date(value["valid_from"], f"{name}:{line}: valid_from: ", issues)
        valid_to: dt.date | None = None
        if value["valid_to"]:
            valid_to = _date(value["valid_to"], f"{name}:{line}: valid_to: ", issues)
            if valid_to is not None and valid_from is not None and valid_to < valid_from:
                issues.append(
                    f"{name}:{line}: valid_to: "
                    + _("trước ngày áp dụng %(day)s") % {"day": valid_from.isoformat()}
                )
        key = (value["province"], value["procedure"], decision)
        if key in seen:
            issues.append(
                f"{name}:{line}: decision: "
                + _("trùng với dòng %(line)s (cùng tỉnh, cùng thủ tục, cùng quyết định)")
                % {"line": seen[key]}
            )
        seen.setdefault(key, line)
        if province is not None and procedure is not None and decision and valid_from:
            rows.append(_Row(line, province, procedure, decision, valid_from, valid_to))
    if issues:
        raise ProvinceWideImportError(issues)
    return rows


def province_wide_import_text(
    text: str, *, name: str = "<text>", actor: Actor = "motcua import province-wide"
) -> tuple[int, int]:
    """Import the CSV ``text`` (all or nothing). Returns (rows written, rows unchanged)."""
    rows = _rows(text, name)
    written = 0
    with transaction.atomic():
        for row in rows:
            _listing, changed = province_wide_listing_save(
                province=row.province,
                procedure=row.procedure,
                decision=row.decision,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
                actor=actor,
            )
            written += changed
    return written, len(rows) - written


def province_wide_import(path: Path | str) -> tuple[int, int]:
    """``province_wide_import_text`` of a file; errors name the file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProvinceWideImportError([f"{path}: {exc}"]) from exc
    return province_wide_import_text(text, name=str(path))


def province_wide_export() -> str:
    """Every listing as the CSV that ``province_wide_import`` reads (by province, procedure
    code, date)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    listings = ProvinceWideListing.objects.select_related("province", "procedure").order_by(
        "province__code", "procedure__code", "valid_from", "decision"
    )
    for row in listings:
        writer.writerow(
            [
                row.province.code,
                row.procedure.code,
                row.decision,
                row.valid_from.isoformat(),
                row.valid_to.isoformat() if row.valid_to else "",
            ]
        )
    return out.getvalue()
