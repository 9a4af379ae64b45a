"""Where the public reaches an agency (``agencies.models.AgencyContact``): the one write path,
and ``motcua import agency-contacts FILE`` / ``motcua export agency-contacts``.

A CSV file (UTF-8, comma-separated, a header line) with the column ``agency`` (code) and any
of ``address``, ``opening_hours`` (day ranges separated by ``;``, e.g. "Thứ Hai – Thứ Sáu:
7:00–11:30, 13:30–17:00; Thứ Bảy: 7:30–11:30"), ``phone``, ``hotline``, ``email``,
``map_url``. A column left out keeps what is recorded; an empty cell clears it. The whole
file is checked first; any error imports nothing and is reported as
``FILE:LINE: column: problem``. Re-importing the same file changes nothing, and the export
reads back unchanged.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency, AgencyContact
from motcua.core.audit import Actor, audit_log

CONTACT_FIELDS = ("address", "opening_hours", "phone", "hotline", "email", "map_url")
COLUMNS = ("agency", *CONTACT_FIELDS)
_LENGTHS = {
    name: int(getattr(AgencyContact._meta.get_field(name), "max_length", 0) or 0)
    for name in CONTACT_FIELDS
}


class AgencyContactError(ValueError):
    """A contact that cannot be recorded (unknown field, invalid e-mail or link)."""


def _check(values: dict[str, str]) -> dict[str, str]:
    """Problems of ``values`` by field (empty: none)."""
    problems: dict[str, str] = {}
    for name, value in values.items():
        limit = _LENGTHS[name]
        if limit and len(value) > limit:
            problems[name] = _("dài %(n)s ký tự, tối đa %(max)s") % {"n": len(value), "max": limit}
    checks = (("email", EmailValidator()), ("map_url", URLValidator(schemes=["https"])))
    for name, validator in checks:
        if values.get(name) and name not in problems:
            try:
                validator(values[name])
            except ValidationError:
                problems[name] = (
                    _("%(value)r không phải địa chỉ thư điện tử")
                    if name == "email"
                    else _("%(value)r không phải đường dẫn https://")
                ) % {"value": values[name]}
    return problems


def agency_contact_problems(values: dict[str, str]) -> dict[str, str]:
    """What ``agency_contact_save`` would refuse in ``values``, by field (empty: none); for
    forms that show the problems next to their fields."""
    return _check({name: value.strip() for name, value in values.items()})


def agency_contact_save(
    *, agency: Agency, values: dict[str, str], actor: Actor = "system"
) -> tuple[AgencyContact, bool]:
    """Record ``values`` (any of ``CONTACT_FIELDS``; ``opening_hours`` one day range a line)
    as ``agency``'s contact; fields not named keep their value. Returns the row and whether
    anything changed."""
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise AgencyContactError(f"unknown fields {sorted(unknown)}")
    values = {name: value.strip() for name, value in values.items()}
    problems = _check(values)
    if problems:
        raise AgencyContactError("; ".join(f"{k}: {v}" for k, v in sorted(problems.items())))
    with transaction.atomic():
        row = AgencyContact.objects.select_for_update().filter(agency=agency).first()
        if row is None:
            row = AgencyContact.objects.create(agency=agency, **values)
            changed = sorted(name for name, value in values.items() if value)
        else:
            changed = sorted(name for name, value in values.items() if getattr(row, name) != value)
            for name in changed:
                setattr(row, name, values[name])
            if changed:
                row.save(update_fields=changed)
        if changed:
            audit_log(
                actor=actor,
                action="agency.contact_save",
                object_type="agency",
                object_id=agency.pk,
                data={"agency": agency.code, "changed": changed},
            )
    return row, bool(changed)


@dataclass
class AgencyContactImportError(Exception):
    """Every problem of the file, each 'FILE:LINE: column: problem'."""

    issues: list[str] = field(default_factory=list)


def _hours_from_cell(cell: str) -> str:
    return "\n".join(part.strip() for part in cell.split(";") if part.strip())


def _rows(text: str, name: str) -> list[tuple[Agency, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    missing = [c for c in ("agency",) if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        detail = "; ".join(
            [_("thiếu cột %(c)s") % {"c": c} for c in missing]
            + [_("cột không biết: %(c)s") % {"c": c} for c in unknown]
        )
        raise AgencyContactImportError([f"{name}:1: {detail}"])
    agencies = Agency.objects.in_bulk(field_name="code")
    issues: list[str] = []
    seen: dict[str, int] = {}
    rows: list[tuple[Agency, dict[str, str]]] = []
    for record in reader:
        line = reader.line_num
        if record.get(None):
            # More cells than columns: an unquoted comma, most likely in an address or link.
            issues.append(
                f"{name}:{line}: {header[-1]}: "
                + _("nhiều ô hơn số cột (dấu phẩy trong ô phải đặt trong ngoặc kép)")
            )
        code = (record.get("agency") or "").strip()
        agency = agencies.get(code)
        if agency is None:
            issues.append(
                f"{name}:{line}: agency: " + _("không có cơ quan mã %(code)r") % {"code": code}
            )
        if code in seen:
            issues.append(
                f"{name}:{line}: agency: " + _("trùng với dòng %(line)s") % {"line": seen[code]}
            )
        seen.setdefault(code, line)
        values = {c: (record.get(c) or "").strip() for c in CONTACT_FIELDS if c in header}
        if "opening_hours" in values:
            values["opening_hours"] = _hours_from_cell(values["opening_hours"])
        for column, problem in sorted(_check(values).items()):
            issues.append(f"{name}:{line}: {column}: {problem}")
        if agency is not None:
            rows.append((agency, values))
    if issues:
        raise AgencyContactImportError(issues)
    return rows


def agency_contacts_import_text(
    text: str, *, name: str = "<text>", actor: Actor = "motcua import agency-contacts"
) -> tuple[int, int]:
    """Import the CSV ``text`` (all or nothing). Returns (rows written, rows unchanged)."""
    rows = _rows(text, name)
    written = 0
    with transaction.atomic():
        for agency, values in rows:
            _row, changed = agency_contact_save(agency=agency, values=values, actor=actor)
            written += changed
    return written, len(rows) - written


def agency_contacts_import(path: Path | str) -> tuple[int, int]:
    """``agency_contacts_import_text`` of a file; errors name the file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AgencyContactImportError([f"{path}: {exc}"]) from exc
    return agency_contacts_import_text(text, name=str(path))


def agency_contacts_export() -> str:
    """Every recorded contact as the CSV that ``agency_contacts_import`` reads (by code)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in AgencyContact.objects.select_related("agency").order_by("agency__code"):
        writer.writerow(
            [
                row.agency.code,
                row.address,
                "; ".join(row.opening_lines),
                row.phone,
                row.hotline,
                row.email,
                row.map_url,
            ]
        )
    return out.getvalue()
