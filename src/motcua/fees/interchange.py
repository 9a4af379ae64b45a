"""``motcua import fees FILE`` and ``motcua export fees``: the fee tables, a companion of the
catalogue interchange (whose JSON stays exactly the shared spec, ``catalog.schema.json``).

A CSV file (UTF-8, comma-separated, a header line), one line per fee rule, with the columns:

- ``procedure``: the procedure's national code;
- ``version_from``: the ``valid_from`` (YYYY-MM-DD) of the procedure version it belongs to
  (a procedure version is keyed by its code and validity);
- ``kind``: ``phi`` (phí) or ``le_phi`` (lệ phí);
- ``label``: what is collected (optional; the kind's name when empty);
- ``amount``: đồng, a whole number (no separators);
- ``per``: ``dossier`` (once) or ``copy`` (per copy asked for);
- ``applicant``: ``any``, ``citizen`` or ``organization``;
- ``exemptions``: the reasons that exempt from it, separated by ``;``
  (``fees.compute.EXEMPTIONS``), or empty;
- ``legal_basis``: the regulation that sets it;
- ``pay_first`` (optional column): ``1`` when the fee is paid before the dossier is processed
  (issue 17: the dossier waits in "Chờ thanh toán" after receipt until its whole fee is paid;
  a version with any such line waits), ``0`` or empty otherwise.

Each (procedure, version_from) in the file has its whole table replaced by the file's lines
(in their order); tables not in the file are kept. The whole file is checked first; any
error imports nothing and is reported as ``FILE:LINE: column: problem``. Re-importing the
same file changes nothing, and the export reads back unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.core.audit import Actor, audit_log
from motcua.fees.compute import APPLICANTS, EXEMPTIONS, KINDS, PER
from motcua.fees.models import FeeRule

COLUMNS = (
    "procedure",
    "version_from",
    "kind",
    "label",
    "amount",
    "per",
    "applicant",
    "exemptions",
    "legal_basis",
    "pay_first",
)
REQUIRED = ("procedure", "version_from", "kind", "amount")
_LABEL_MAX = 255
_BASIS_MAX = 500


@dataclass
class FeeImportError(Exception):
    """Every problem of the file, each 'FILE:LINE: column: problem'."""

    issues: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    procedure: Procedure
    version_from: dt.date
    kind: str
    label: str
    amount: int
    per: str
    applicant: str
    exemptions: tuple[str, ...]
    legal_basis: str
    pay_first: bool = False


def _choice(value: str, allowed: tuple[str, ...] | dict[str, object], where: str) -> str | None:
    if value in allowed:
        return None
    return where + _("%(value)r không thuộc %(allowed)s") % {
        "value": value,
        "allowed": ", ".join(allowed),
    }


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
        raise FeeImportError([f"{name}:1: {detail}"])
    procedures = Procedure.objects.in_bulk(field_name="code")
    versions = set(
        ProcedureVersion.objects.filter(valid_from__isnull=False).values_list(
            "procedure__code", "valid_from"
        )
    )
    issues: list[str] = []
    rows: list[_Row] = []
    for record in reader:
        line = reader.line_num
        at = f"{name}:{line}: "
        value = {c: (record.get(c) or "").strip() for c in COLUMNS}
        problems: list[str] = []
        procedure = procedures.get(value["procedure"])
        if procedure is None:
            problems.append(
                at
                + "procedure: "
                + _("không có thủ tục mã %(code)r") % {"code": value["procedure"]}
            )
        version_from: dt.date | None = None
        try:
            version_from = dt.date.fromisoformat(value["version_from"])
        except ValueError:
            problems.append(
                at
                + "version_from: "
                + _("%(value)r không phải ngày dạng YYYY-MM-DD") % {"value": value["version_from"]}
            )
        if (
            procedure is not None
            and version_from is not None
            and (procedure.code, version_from) not in versions
        ):
            problems.append(
                at
                + "version_from: "
                + _("thủ tục %(code)s không có phiên bản hiệu lực từ %(day)s")
                % {"code": procedure.code, "day": version_from.isoformat()}
            )
        per = value["per"] or "dossier"
        applicant = value["applicant"] or "any"
        for column, chosen, allowed in (
            ("kind", value["kind"], tuple(KINDS)),
            ("per", per, PER),
            ("applicant", applicant, APPLICANTS),
        ):
            problem = _choice(chosen, allowed, at + column + ": ")
            if problem:
                problems.append(problem)
        amount = -1
        if value["amount"].isdigit():
            amount = int(value["amount"])
        else:
            problems.append(
                at
                + "amount: "
                + _("%(value)r không phải số tiền (đồng, số nguyên không âm, không dấu phân cách)")
                % {"value": value["amount"]}
            )
        exemptions = tuple(e.strip() for e in value["exemptions"].split(";") if e.strip())
        for reason in exemptions:
            problem = _choice(reason, tuple(EXEMPTIONS), at + "exemptions: ")
            if problem:
                problems.append(problem)
        for column, limit in (("label", _LABEL_MAX), ("legal_basis", _BASIS_MAX)):
            if len(value[column]) > limit:
                problems.append(
                    at
                    + column
                    + ": "
                    + _("dài %(n)s ký tự, tối đa %(max)s") % {"n": len(value[column]), "max": limit}
                )
        if value["pay_first"] not in ("", "0", "1"):
            problems.append(
                at
                + "pay_first: "
                + _("%(value)r phải là 1, 0 hoặc để trống") % {"value": value["pay_first"]}
            )
        issues.extend(problems)
        if not problems and procedure is not None and version_from is not None:
            rows.append(
                _Row(
                    procedure,
                    version_from,
                    value["kind"],
                    value["label"],
                    amount,
                    per,
                    applicant,
                    exemptions,
                    value["legal_basis"],
                    value["pay_first"] == "1",
                )
            )
    if issues:
        raise FeeImportError(issues)
    return rows


def fees_import_text(
    text: str, *, name: str = "<text>", actor: Actor = "motcua import fees"
) -> tuple[int, int]:
    """Import the CSV ``text`` (all or nothing). Returns (tables written, tables unchanged)."""
    rows = _rows(text, name)
    tables: dict[tuple[int, dt.date], list[_Row]] = {}
    for row in rows:
        tables.setdefault((row.procedure.pk, row.version_from), []).append(row)
    written = 0
    with transaction.atomic():
        for (procedure_id, version_from), table in tables.items():
            wanted = [
                (
                    r.kind,
                    r.label,
                    r.amount,
                    r.per,
                    r.applicant,
                    list(r.exemptions),
                    r.legal_basis,
                    r.pay_first,
                )
                for r in table
            ]
            current = FeeRule.objects.filter(procedure_id=procedure_id, version_from=version_from)
            have = [
                (
                    r.kind,
                    r.label,
                    r.amount,
                    r.per,
                    r.applicant,
                    list(r.exemptions),
                    r.legal_basis,
                    r.pay_first,
                )
                for r in current.order_by("position")
            ]
            if have == wanted:
                continue
            current.delete()
            FeeRule.objects.bulk_create(
                FeeRule(
                    procedure_id=procedure_id,
                    version_from=version_from,
                    position=i,
                    kind=kind,
                    label=label,
                    amount=amount,
                    per=per,
                    applicant=applicant,
                    exemptions=exemptions,
                    legal_basis=basis,
                    pay_first=first,
                )
                for i, (kind, label, amount, per, applicant, exemptions, basis, first) in enumerate(
                    wanted
                )
            )
            written += 1
            audit_log(
                actor=actor,
                action="fee.rules_imported",
                object_type="procedure",
                object_id=table[0].procedure.code,
                data={"version_from": version_from.isoformat(), "rules": len(wanted)},
            )
    return written, len(tables) - written


def fees_import(path: Path | str) -> tuple[int, int]:
    """``fees_import_text`` of a file; errors name the file."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FeeImportError([f"{path}: {exc}"]) from exc
    return fees_import_text(text, name=str(path))


def fees_export() -> str:
    """Every fee rule as the CSV that ``fees_import`` reads (``pay_first`` only when used)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    rules = list(
        FeeRule.objects.select_related("procedure").order_by(
            "procedure__code", "version_from", "position"
        )
    )
    # The optional column only when a rule uses it: a file written before it reads back
    # byte for byte.
    first = any(r.pay_first for r in rules)
    writer.writerow(COLUMNS if first else COLUMNS[:-1])
    for r in rules:
        writer.writerow(
            [
                r.procedure.code,
                r.version_from.isoformat(),
                r.kind,
                r.label,
                r.amount,
                r.per,
                r.applicant,
                ";".join(r.exemptions or []),
                r.legal_basis,
                *(["1" if r.pay_first else ""] if first else []),
            ]
        )
    return out.getvalue()
