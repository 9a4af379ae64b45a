"""Writes to the catalogue: the import and export of the interchange document.

The document (``catalog.schema.json``, a copy of the shared spec) carries agencies and
procedure versions. An import is all or nothing: the whole document is validated first —
JSON Schema (Draft 2020-12, with format checks for dates) and then the semantic rules below
— and only a valid document is written, in one transaction. Every error names its JSON path.

Versioning (how a changed document is applied):

- A version is identified by (procedure code, competent agency, ``valid_from``). The same
  national code may be performed by several agencies (every district issues building
  permits for houses), each with its own internal workflow, so the agency is part of it.
- Same identity, same content: nothing is written, not even ``updated_at``-style touches;
  a re-import of the same file changes no row.
- Same identity, only ``valid_to`` differs: the version is updated in place. Closing or
  extending the validity period does not change the rules a pinned dossier was judged by.
- Same identity, different content (any rule, step or part): a new ``ProcedureVersion``
  (number + 1) with the document's content and the same validity period; the old one is
  marked ``superseded_at`` and left untouched for the dossiers that pin it. Such a change is
  a correction of the catalogue for the whole period; a rule that changes *from a date* is
  written as a new entry with a new ``valid_from``.
- A new identity (e.g. a new ``valid_from``): a new version. An older live version of the
  same procedure and agency that is still open on the new ``valid_from`` is closed on the
  day before, so that exactly one version applies on any day.
- Versions and agencies absent from the document are left alone (the import adds and
  updates, it never deletes: a catalogue is history that dossiers refer to).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from jsonschema import Draft202012Validator

from motcua.agencies.models import Agency, AgencyKind, Level
from motcua.agencies.services import agency_paths_rebuild
from motcua.agencies.units import unit_index, unit_key
from motcua.catalog.guides import blank_forms_carry
from motcua.catalog.models import (
    BlankForm,
    Field,
    Part,
    Procedure,
    ProcedureVersion,
    ProvinceWideListing,
    WorkflowStep,
    step_kind_for,
)
from motcua.core.audit import Actor, audit_log
from motcua.core.config_cache import config_changed
from motcua.core.text import fold
from motcua.workdays.clock import legal_time_in_working_hours

SCHEMA_PATH = Path(__file__).with_name("catalog.schema.json")
_CENT = Decimal("0.01")
_MAX_DECIMAL = Decimal("1000000")  # DecimalField(max_digits=8, decimal_places=2)

# Column widths of the models, checked before writing so that PostgreSQL never truncates
# or refuses a value half-way through an import.
_AGENCY_LENGTHS = {"code": 32, "name": 255}
_PROCEDURE_LENGTHS = {"code": 32, "name": 500, "field": 255, "result_type": 255}
_STEP_LENGTHS = {"name": 255, "unit": 255}
_PART_LENGTHS = {"name": 500}
_MAX_COPIES = 32767


@cache
def catalog_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


@dataclass(frozen=True)
class ImportIssue:
    """One reason why a document is refused, at a JSON path such as
    ``$.procedures[3].steps[1].hours``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CatalogImportError(Exception):
    def __init__(self, issues: list[ImportIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class ImportSummary:
    agencies_created: int = 0
    agencies_updated: int = 0
    fields_created: int = 0
    procedures_created: int = 0
    versions_created: int = 0
    versions_updated: int = 0
    versions_superseded: int = 0
    versions_closed: int = 0
    versions_unchanged: int = 0
    new_version_ids: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.agencies_created,
                self.agencies_updated,
                self.fields_created,
                self.procedures_created,
                self.versions_created,
                self.versions_updated,
                self.versions_closed,
            )
        )


def legal_hours(duration: Decimal, unit: str) -> Decimal:
    """The legal time in working hours, the ceiling for the sum of step budgets."""
    return legal_time_in_working_hours(duration, unit)


# --- validation ------------------------------------------------------------------------


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _decimal(value: float | int) -> Decimal:
    return Decimal(str(value))


def _check_decimal(value: float | int, path: str, issues: list[ImportIssue]) -> None:
    try:
        number = _decimal(value)
    except InvalidOperation:  # pragma: no cover - the schema only lets numbers through
        issues.append(ImportIssue(path, f"{value!r} is not a number"))
        return
    if number >= _MAX_DECIMAL:
        issues.append(ImportIssue(path, f"{value} is too large (at most 999999.99)"))
    elif number.quantize(_CENT) != number:
        issues.append(ImportIssue(path, f"{value} has more than 2 decimal places"))


def _check_lengths(
    obj: dict[str, Any], limits: dict[str, int], path: str, issues: list[ImportIssue]
) -> None:
    for key, limit in limits.items():
        value = obj.get(key)
        if isinstance(value, str) and len(value) > limit:
            issues.append(
                ImportIssue(f"{path}.{key}", f"is {len(value)} characters long, at most {limit}")
            )


def _check_period(obj: dict[str, Any], path: str, issues: list[ImportIssue]) -> None:
    start, end = _date(obj.get("valid_from")), _date(obj.get("valid_to"))
    if start and end and end < start:
        issues.append(
            ImportIssue(
                f"{path}.valid_to",
                f"{end.isoformat()} is before valid_from {start.isoformat()}",
            )
        )


def _overlaps(
    a: tuple[dt.date | None, dt.date | None], b: tuple[dt.date | None, dt.date | None]
) -> bool:
    lo = dt.date.min
    hi = dt.date.max
    return (a[0] or lo) <= (b[1] or hi) and (b[0] or lo) <= (a[1] or hi)


def catalog_validate(document: Any) -> list[ImportIssue]:
    """Every reason why ``document`` cannot be imported (empty when it can), sorted by
    path. Reads the database (agency codes may refer to agencies already stored) but never
    writes."""
    validator = Draft202012Validator(
        catalog_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    schema_issues = [
        ImportIssue(error.json_path, error.message) for error in validator.iter_errors(document)
    ]
    if schema_issues:
        # The semantic checks assume the document's shape; report shape errors alone.
        return sorted(schema_issues, key=lambda i: _path_key(i.path))
    issues: list[ImportIssue] = []
    _check_text(document, "$", issues)
    _validate_agencies(document["agencies"], issues)
    _validate_procedures(document["procedures"], document["agencies"], issues)
    return sorted(issues, key=lambda i: _path_key(i.path))


def _check_text(value: Any, path: str, issues: list[ImportIssue]) -> None:
    """PostgreSQL refuses NUL characters and text that is not UTF-8 (a lone surrogate from
    a JSON escape such as "\\ud800"): say where, instead of failing mid-write."""
    if isinstance(value, str):
        if "\x00" in value:
            issues.append(ImportIssue(path, "contains a NUL character (\\u0000)"))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            issues.append(ImportIssue(path, "contains an unpaired surrogate (not valid Unicode)"))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(item, f"{path}.{key}", issues)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_text(item, f"{path}[{i}]", issues)


def _path_key(path: str) -> list[Any]:
    # "$.procedures[10]" after "$.procedures[9]": compare indices as numbers.
    parts: list[Any] = []
    for token in path.replace("]", "").replace("[", ".").split("."):
        parts.append((0, int(token), "") if token.isdigit() else (1, 0, token))
    return parts


def _validate_agencies(agencies: list[dict[str, Any]], issues: list[ImportIssue]) -> None:
    stored = dict(Agency.objects.values_list("code", "parent__code"))
    first_at: dict[str, int] = {}
    for i, agency in enumerate(agencies):
        path = f"$.agencies[{i}]"
        code = agency["code"]
        if code in first_at:
            issues.append(
                ImportIssue(
                    f"{path}.code",
                    f"duplicate agency code {code!r} (first at $.agencies[{first_at[code]}])",
                )
            )
        else:
            first_at[code] = i
        _check_lengths(agency, _AGENCY_LENGTHS, path, issues)
        _check_period(agency, path, issues)
    known = set(stored) | set(first_at)
    for i, agency in enumerate(agencies):
        path = f"$.agencies[{i}]"
        for link in ("parent", "successor"):
            target = agency.get(link)
            if target is not None and target not in known:
                issues.append(ImportIssue(f"{path}.{link}", f"unknown agency code {target!r}"))
        if agency.get("successor") == agency["code"]:
            issues.append(ImportIssue(f"{path}.successor", "an agency cannot succeed itself"))
    # Parent cycles, over the stored tree as the document would change it.
    parents = dict(stored)
    parents.update({a["code"]: a.get("parent") for a in agencies})
    for code, i in first_at.items():
        seen = {code}
        current = parents.get(code)
        while current is not None and current in parents:
            if current in seen:
                issues.append(
                    ImportIssue(f"$.agencies[{i}].parent", f"the parents of {code!r} form a cycle")
                )
                break
            seen.add(current)
            current = parents.get(current)


def _validate_procedures(
    procedures: list[dict[str, Any]], agencies: list[dict[str, Any]], issues: list[ImportIssue]
) -> None:
    known_agencies = {a["code"] for a in agencies} | set(
        Agency.objects.values_list("code", flat=True)
    )
    periods: dict[tuple[str, str], list[tuple[int, dt.date | None, dt.date | None]]] = defaultdict(
        list
    )
    for i, proc in enumerate(procedures):
        path = f"$.procedures[{i}]"
        _check_lengths(proc, _PROCEDURE_LENGTHS, path, issues)
        _check_period(proc, path, issues)
        if proc["agency"] not in known_agencies:
            issues.append(ImportIssue(f"{path}.agency", f"unknown agency code {proc['agency']!r}"))
        _check_decimal(proc["duration"], f"{path}.duration", issues)
        total = Decimal(0)
        for j, step in enumerate(proc.get("steps", [])):
            _check_lengths(step, _STEP_LENGTHS, f"{path}.steps[{j}]", issues)
            _check_decimal(step["hours"], f"{path}.steps[{j}].hours", issues)
            total += _decimal(step["hours"])
        for j, part in enumerate(proc.get("parts", [])):
            _check_lengths(part, _PART_LENGTHS, f"{path}.parts[{j}]", issues)
            if part.get("copies", 1) > _MAX_COPIES:
                issues.append(
                    ImportIssue(f"{path}.parts[{j}].copies", f"at most {_MAX_COPIES} copies")
                )
        limit = legal_hours(_decimal(proc["duration"]), proc["unit"])
        if total > limit:
            issues.append(
                ImportIssue(
                    f"{path}.steps",
                    f"the step budgets add up to {_fmt(total)} working hours, more than the "
                    f"legal time of {_fmt(_decimal(proc['duration']))} {proc['unit']} "
                    f"({_fmt(limit)} working hours)",
                )
            )
        start, end = _date(proc.get("valid_from")), _date(proc.get("valid_to"))
        key = (proc["code"], proc["agency"])
        for k, other_start, other_end in periods[key]:
            if _overlaps((start, end), (other_start, other_end)):
                issues.append(
                    ImportIssue(
                        path,
                        f"duplicate procedure {proc['code']!r} for agency {proc['agency']!r}: "
                        f"its validity overlaps $.procedures[{k}]",
                    )
                )
                break
        periods[key].append((i, start, end))


def _fmt(value: Decimal) -> str:
    return _json_number(value).__str__()


# --- writing ---------------------------------------------------------------------------

Content = tuple[Any, ...]


def _step_unit(step: dict[str, Any], units: dict[str, Agency]) -> tuple[int | None, str]:
    """A step's unit as written in the document, resolved (``agencies.units``): the agency's
    id, or no agency and the text as the label."""
    text = (step.get("unit") or "").strip()
    agency = units.get(text)
    return (agency.pk, "") if agency is not None else (None, text)


def _entry_content(entry: dict[str, Any], units: dict[str, Agency]) -> Content:
    return (
        entry["name"],
        entry["field"],
        entry["agency"],
        entry.get("level", "province"),
        _decimal(entry["duration"]).quantize(_CENT),
        entry["unit"],
        entry.get("cutoff", True),
        entry.get("online", "none"),
        entry.get("national_portal", False),
        entry.get("online_payment", False),
        entry.get("one_stop", True),
        entry.get("linked", False),
        entry.get("fee", 0),
        entry.get("result_type") or "",
        entry.get("electronic_result", False),
        entry.get("legal_basis") or "",
        _date(entry.get("valid_from")),
        tuple(
            (s["name"], *_step_unit(s, units), _decimal(s["hours"]).quantize(_CENT))
            for s in entry.get("steps", [])
        ),
        tuple(
            (p["name"], p.get("copies", 1), p.get("kind", "copy"), p.get("reusable", False))
            for p in entry.get("parts", [])
        ),
    )


def _version_content(version: ProcedureVersion) -> Content:
    return (
        version.name,
        version.field.name,
        version.agency.code,
        version.level,
        Decimal(version.duration).quantize(_CENT),
        version.unit,
        version.cutoff,
        version.online,
        version.national_portal,
        version.online_payment,
        version.one_stop,
        version.linked,
        version.fee,
        version.result_type,
        version.electronic_result,
        version.legal_basis,
        version.valid_from,
        tuple(
            (s.name, s.unit_id, s.unit_label, Decimal(s.hours).quantize(_CENT))
            for s in version.steps.all()
        ),
        tuple((p.name, p.copies, p.kind, p.reusable) for p in version.parts.all()),
    )


def catalog_import(document: dict[str, Any], *, actor: Actor) -> ImportSummary:
    """Import a catalogue document (agencies and procedure versions), all or nothing.

    Raises ``CatalogImportError`` listing every problem (with its JSON path) and writes
    nothing when the document is invalid. See the module docstring for how changes become
    versions."""
    issues = catalog_validate(document)
    if issues:
        raise CatalogImportError(issues)
    summary = ImportSummary()
    with transaction.atomic():
        agencies = _write_agencies(document["agencies"], summary)
        _write_procedures(document["procedures"], agencies, summary)
        if summary.changed:
            audit_log(
                actor=actor,
                action="catalog.import",
                object_type="catalog",
                object_id="catalog",
                data={k: v for k, v in asdict(summary).items() if k != "new_version_ids"},
            )
    return summary


def _write_agencies(entries: list[dict[str, Any]], summary: ImportSummary) -> dict[str, Agency]:
    by_code = {a.code: a for a in Agency.objects.all()}
    touched: dict[str, set[str]] = defaultdict(set)
    new: list[Agency] = []
    for entry in entries:
        values = {
            "name": entry["name"],
            "level": entry["level"],
            "kind": entry.get("kind", "department"),
            "valid_from": _date(entry.get("valid_from")),
            "valid_to": _date(entry.get("valid_to")),
        }
        agency = by_code.get(entry["code"])
        if agency is None:
            agency = by_code[entry["code"]] = Agency(code=entry["code"], **values)
            new.append(agency)
            continue
        for name, value in values.items():
            if getattr(agency, name) != value:
                setattr(agency, name, value)
                touched[agency.code].add(name)
    Agency.objects.bulk_create(new)
    # Links second: a parent or successor may come later in the document.
    for entry in entries:
        agency = by_code[entry["code"]]
        for link in ("parent", "successor"):
            target_code = entry.get(link)
            target_id = by_code[target_code].pk if target_code else None
            if getattr(agency, f"{link}_id") != target_id:
                setattr(agency, f"{link}_id", target_id)
                touched[agency.code].add(f"{link}_id")
    changed = [by_code[code] for code, names in touched.items() if names]
    if changed:
        # Only agencies that differ are written: a re-import touches no row.
        names = sorted(set().union(*touched.values()))
        Agency.objects.bulk_update(changed, names)
    config_changed()  # bulk writes send no signal (core.config_cache)
    created = {a.code for a in new}
    summary.agencies_created = len(created)
    summary.agencies_updated = sum(1 for a in changed if a.code not in created)
    agency_paths_rebuild()
    return by_code


def _write_procedures(
    entries: list[dict[str, Any]], agencies: dict[str, Agency], summary: ImportSummary
) -> None:
    fields = {f.name: f for f in Field.objects.all()}
    # ``agencies`` holds every agency of the register, the document's included.
    units = unit_index(sorted(agencies.values(), key=lambda a: a.pk))
    codes = {e["code"] for e in entries}
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=codes)}
    next_number = dict(
        ProcedureVersion.objects.filter(procedure__code__in=codes)
        .values("procedure__code")
        .annotate(top=Max("number"))
        .values_list("procedure__code", "top")
    )
    live: dict[tuple[str, str], list[ProcedureVersion]] = defaultdict(list)
    for version in (
        ProcedureVersion.objects.live()
        .filter(procedure__code__in=codes)
        .select_related("procedure", "field", "agency")
        .prefetch_related("steps", "parts")
        .order_by("number")
    ):
        live[(version.procedure.code, version.agency.code)].append(version)
    now = timezone.now()
    pending: list[tuple[ProcedureVersion, dict[str, Any], ProcedureVersion | None]] = []

    for entry in entries:
        key = (entry["code"], entry["agency"])
        valid_from, valid_to = _date(entry.get("valid_from")), _date(entry.get("valid_to"))
        match = next((v for v in reversed(live[key]) if v.valid_from == valid_from), None)
        content = _entry_content(entry, units)
        if match is not None and _version_content(match) == content:
            if match.valid_to != valid_to:
                match.valid_to = valid_to
                match.save(update_fields=["valid_to"])
                summary.versions_updated += 1
            else:
                summary.versions_unchanged += 1
            continue
        # What the interchange does not carry (set in the admin) passes to the new version.
        previous = match or (live[key][-1] if live[key] else None)
        if match is not None:
            match.superseded_at = now
            match.save(update_fields=["superseded_at"])
            live[key].remove(match)
            summary.versions_superseded += 1
        elif valid_from is not None:
            _close_open_versions(live[key], valid_from, summary)
        procedure = procedures.get(entry["code"])
        if procedure is None:
            procedure = procedures[entry["code"]] = Procedure.objects.create(code=entry["code"])
            summary.procedures_created += 1
        field_obj = fields.get(entry["field"])
        if field_obj is None:
            field_obj = fields[entry["field"]] = Field.objects.create(name=entry["field"])
            summary.fields_created += 1
        number = next_number.get(entry["code"], 0) + 1
        next_number[entry["code"]] = number
        version = _build_version(entry, procedure, number, field_obj, agencies[entry["agency"]])
        if previous is not None:
            version.result_validity_months = previous.result_validity_months
            # The guide (catalog.guides) travels in its own interchange, not in this one.
            version.conditions = previous.conditions
            version.applicant_steps = previous.applicant_steps
        pending.append((version, entry, previous))
        live[key].append(version)
        summary.versions_created += 1
    # One INSERT per table for all new versions, their steps and their parts.
    ProcedureVersion.objects.bulk_create([version for version, _, _ in pending])
    steps: list[WorkflowStep] = []
    parts: list[Part] = []
    for version, entry, previous in pending:
        summary.new_version_ids.append(version.pk)
        if previous is not None and previous.pk is not None:
            blank_forms_carry(previous, version)
        steps.extend(
            WorkflowStep(
                version=version,
                position=i,
                name=s["name"],
                unit_id=_step_unit(s, units)[0],
                unit_label=_step_unit(s, units)[1],
                hours=_decimal(s["hours"]),
                kind=step_kind_for(s["name"]),
            )
            for i, s in enumerate(entry.get("steps", []), start=1)
        )
        parts.extend(
            Part(
                version=version,
                position=i,
                name=p["name"],
                copies=p.get("copies", 1),
                kind=p.get("kind", "copy"),
                reusable=p.get("reusable", False),
            )
            for i, p in enumerate(entry.get("parts", []), start=1)
        )
    WorkflowStep.objects.bulk_create(steps)
    Part.objects.bulk_create(parts)
    config_changed()  # bulk writes send no signal (core.config_cache)


def _close_open_versions(
    versions: Iterable[ProcedureVersion], valid_from: dt.date, summary: ImportSummary
) -> None:
    day_before = valid_from - dt.timedelta(days=1)
    for old in versions:
        if old.pk is None:  # new in this document: validation ruled out overlaps
            continue
        starts_before = old.valid_from is None or old.valid_from < valid_from
        if starts_before and (old.valid_to is None or old.valid_to >= valid_from):
            old.valid_to = max(day_before, old.valid_from or day_before)
            old.save(update_fields=["valid_to"])
            summary.versions_closed += 1


def _build_version(
    entry: dict[str, Any], procedure: Procedure, number: int, field_obj: Field, agency: Agency
) -> ProcedureVersion:
    return ProcedureVersion(
        procedure=procedure,
        number=number,
        name=entry["name"],
        search_text=fold(entry["name"]),
        field=field_obj,
        agency=agency,
        level=entry.get("level", "province"),
        duration=_decimal(entry["duration"]),
        unit=entry["unit"],
        cutoff=entry.get("cutoff", True),
        online=entry.get("online", "none"),
        national_portal=entry.get("national_portal", False),
        online_payment=entry.get("online_payment", False),
        one_stop=entry.get("one_stop", True),
        linked=entry.get("linked", False),
        fee=entry.get("fee", 0),
        result_type=entry.get("result_type") or "",
        electronic_result=entry.get("electronic_result", False),
        legal_basis=entry.get("legal_basis") or "",
        valid_from=_date(entry.get("valid_from")),
        valid_to=_date(entry.get("valid_to")),
    )


# --- versions referred to by dossiers ---------------------------------------------------


def procedure_version_is_pinned(version: ProcedureVersion) -> bool:
    """Whether any row outside the catalogue — a dossier, a control-slip step — refers to
    ``version`` or to one of its steps or parts. Such a version must not change: the
    dossiers were judged by it (house style: a dossier pins its version)."""
    owned = {WorkflowStep, Part, BlankForm}
    checks: list[tuple[Any, dict[str, Any]]] = []
    for rel in _reverse_relations(ProcedureVersion):
        if rel.related_model not in owned:
            checks.append((rel.related_model, {f"{rel.field.name}__in": [version.pk]}))
    for model in owned:
        for rel in _reverse_relations(model):
            checks.append((rel.related_model, {f"{rel.field.name}__version_id": version.pk}))
    return any(m._default_manager.filter(**kw).exists() for m, kw in checks)


def _reverse_relations(model: Any) -> list[Any]:
    # include_hidden: dossiers point here with related_name="+", which related_objects skips.
    return [
        f
        for f in model._meta.get_fields(include_hidden=True)
        if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)
    ]


@transaction.atomic
def procedure_version_copy(*, version: ProcedureVersion, actor: Actor) -> ProcedureVersion:
    """A new version (number + 1) with the same content, steps and parts, replacing
    ``version`` (marked superseded) for the same agency and validity period. The way to
    change a version that dossiers already pin: copy it, then edit the copy."""
    top = ProcedureVersion.objects.filter(procedure_id=version.procedure_id).aggregate(
        top=Max("number")
    )["top"]
    steps = list(version.steps.all())
    parts = list(version.parts.all())
    old_pk = version.pk
    new = ProcedureVersion.objects.get(pk=old_pk)
    new.pk = None
    new.number = (top or 0) + 1
    new.superseded_at = None
    new.save(force_insert=True)
    ProcedureVersion.objects.filter(pk=old_pk).update(superseded_at=timezone.now())
    WorkflowStep.objects.bulk_create(
        WorkflowStep(
            version=new,
            position=s.position,
            name=s.name,
            unit_id=s.unit_id,
            unit_label=s.unit_label,
            hours=s.hours,
            kind=s.kind,
        )
        for s in steps
    )
    Part.objects.bulk_create(
        Part(
            version=new,
            position=p.position,
            name=p.name,
            copies=p.copies,
            kind=p.kind,
            reusable=p.reusable,
        )
        for p in parts
    )
    config_changed()  # bulk writes send no signal (core.config_cache)
    blank_forms_carry(version, new)
    audit_log(
        actor=actor,
        action="catalog.version_copy",
        object_type="procedure_version",
        object_id=new.pk,
        data={"procedure": version.procedure.code, "from": version.number, "to": new.number},
    )
    return new


# --- export ----------------------------------------------------------------------------


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def catalog_export() -> dict[str, Any]:
    """The whole catalogue as one document valid under ``catalog.schema.json``: every
    agency, and every live (not superseded) procedure version. Importing it back into the
    same database changes nothing."""
    agencies = [
        {
            "code": a.code,
            "name": a.name,
            "level": a.level,
            "kind": a.kind,
            "parent": a.parent.code if a.parent else None,
            "valid_from": _iso(a.valid_from),
            "valid_to": _iso(a.valid_to),
            "successor": a.successor.code if a.successor else None,
        }
        for a in Agency.objects.select_related("parent", "successor").order_by("path", "code")
    ]
    versions = sorted(
        ProcedureVersion.objects.live()
        .select_related("procedure", "field", "agency")
        .prefetch_related("steps__unit", "parts"),
        key=lambda v: (v.procedure.code, v.agency.code, v.valid_from or dt.date.min, v.number),
    )
    procedures = [
        {
            "code": v.procedure.code,
            "name": v.name,
            "field": v.field.name,
            "agency": v.agency.code,
            "level": v.level,
            "duration": _json_number(Decimal(v.duration)),
            "unit": v.unit,
            "cutoff": v.cutoff,
            "online": v.online,
            "national_portal": v.national_portal,
            "online_payment": v.online_payment,
            "one_stop": v.one_stop,
            "linked": v.linked,
            "fee": v.fee,
            "result_type": v.result_type or None,
            "electronic_result": v.electronic_result,
            "legal_basis": v.legal_basis or None,
            "valid_from": _iso(v.valid_from),
            "valid_to": _iso(v.valid_to),
            "steps": [
                {
                    "name": s.name,
                    "unit": unit_key(s.unit, s.unit_label) or None,
                    "hours": _json_number(Decimal(s.hours)),
                }
                for s in v.steps.all()
            ],
            "parts": [
                {"name": p.name, "copies": p.copies, "kind": p.kind, "reusable": p.reusable}
                for p in v.parts.all()
            ],
        }
        for v in versions
    ]
    return {"agencies": agencies, "procedures": procedures}


class ProvinceWideListingError(ValueError):
    """A listing that cannot be recorded (not a province, dates out of order)."""


def province_wide_listing_save(
    *,
    province: Agency,
    procedure: Procedure,
    decision: str,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    actor: Actor = "system",
    listing: ProvinceWideListing | None = None,
) -> tuple[ProvinceWideListing, bool]:
    """Record that ``province``'s chairman listed ``procedure`` by ``decision`` among the
    procedures received regardless of administrative boundaries (ND 118/2025), from
    ``valid_from`` to ``valid_to`` (None: until another decision). The row of that province,
    procedure and decision is created or changed (``listing``: that row, when the admin edits
    it, so that its decision number can change too); other decisions' rows are kept, so a day
    is judged by the list of its date. Returns the row and whether anything changed."""
    decision = decision.strip()
    if province.kind != AgencyKind.PEOPLE_COMMITTEE or province.level != Level.PROVINCE:
        raise ProvinceWideListingError(
            f"{province.code}: not a provincial people's committee (the list is its chairman's)"
        )
    if not decision:
        raise ProvinceWideListingError("the decision's number is blank")
    if valid_to is not None and valid_to < valid_from:
        raise ProvinceWideListingError(f"valid_to {valid_to} is before valid_from {valid_from}")
    values: dict[str, Any] = {
        "province": province,
        "procedure": procedure,
        "decision": decision,
        "valid_from": valid_from,
        "valid_to": valid_to,
    }
    with transaction.atomic():
        row = listing
        if row is None or row.pk is None:
            row = ProvinceWideListing.objects.filter(
                province=province, procedure=procedure, decision=decision
            ).first()
        else:
            row = ProvinceWideListing.objects.select_for_update().get(pk=row.pk)
        if row is None:
            row = ProvinceWideListing.objects.create(**values)
            changed = list(values)
        else:
            changed = [name for name, value in values.items() if getattr(row, name) != value]
            for name in changed:
                setattr(row, name, values[name])
            if changed:
                row.save(update_fields=changed)
        if changed:
            audit_log(
                actor=actor,
                action="catalog.province_wide_listing_save",
                object_type="province_wide_listing",
                object_id=row.pk,
                data={
                    "province": province.code,
                    "procedure": procedure.code,
                    "decision": decision,
                    "valid_from": _iso(valid_from),
                    "valid_to": _iso(valid_to),
                    "changed": sorted(changed),
                },
            )
    return row, bool(changed)
