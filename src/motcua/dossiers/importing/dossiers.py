"""Importing dossier histories from an earlier system (dossier-history.schema.json).

Two passes over the input: the first checks every line (schema, then the record's own
consistency against the catalogue) and collects *all* errors; only if there are none does the
second pass compute and write every dossier in one transaction. The input is streamed in both
passes; what stays in memory is one (code → line, hash) entry per line, needed to find
duplicates and to make a re-import skip what it already holds.

Same code again: a line whose code is already in the database (or earlier in the file) with
the *same* content is skipped, so importing a file twice changes nothing. The same code with
*different* content is an error: silently keeping either version would hide a divergence
between the two systems, and the operator must decide which is right.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureVersion, WorkflowStep
from motcua.core.audit import Actor, audit_log
from motcua.dossiers.classify import local_date
from motcua.dossiers.importing.history import (
    CODE_RE,
    AgencyInfo,
    CatalogueSnapshot,
    LegalClock,
    StepInfo,
    VersionInfo,
    code_day,
    history_check,
    history_compute,
    parse_instant,
)
from motcua.dossiers.importing.lines import (
    ImportFailed,
    LineError,
    Progress,
    Source,
    Unparsed,
    canonical_sha256,
    jsonl_source,
    line_schema,
    records_source,
)
from motcua.dossiers.importing.rows import IdAllocator, TableWriter, refresh_statistics
from motcua.dossiers.models import Dossier, DossierEvent, DossierSequence, EventType, Handover

PROGRESS_EVERY = 50_000
DB_CHUNK = 2000


@dataclass(frozen=True)
class ImportResult:
    """What an import did: lines read, dossiers created, lines skipped as already present."""

    read: int
    created: int
    skipped: int
    flagged: int = 0
    events: int = 0
    handovers: int = 0


def catalogue_snapshot_load() -> CatalogueSnapshot:
    """Every procedure version with its workflow, and every agency, as plain values."""
    steps: dict[int, list[StepInfo]] = {}
    for step in WorkflowStep.objects.order_by("version_id", "position").values(
        "id", "version_id", "position", "name", "hours"
    ):
        steps.setdefault(step["version_id"], []).append(
            StepInfo(step["id"], step["position"], step["name"], step["hours"])
        )
    versions: dict[str, list[VersionInfo]] = {}
    for v in ProcedureVersion.objects.values(
        "id",
        "procedure__code",
        "number",
        "agency_id",
        "level",
        "field_id",
        "duration",
        "unit",
        "cutoff",
        "valid_from",
        "valid_to",
    ):
        versions.setdefault(v["procedure__code"], []).append(
            VersionInfo(
                id=v["id"],
                procedure_code=v["procedure__code"],
                number=v["number"],
                agency_id=v["agency_id"],
                level=v["level"],
                field_id=v["field_id"],
                duration=v["duration"],
                unit=v["unit"],
                cutoff=v["cutoff"],
                valid_from=v["valid_from"],
                valid_to=v["valid_to"],
                steps=tuple(steps.get(v["id"], ())),
            )
        )
    agencies = {
        a["code"]: AgencyInfo(
            a["id"], a["code"], a["name"], a["level"], a["valid_from"], a["valid_to"]
        )
        for a in Agency.objects.values("id", "code", "name", "level", "valid_from", "valid_to")
    }
    return CatalogueSnapshot(versions=versions, agencies=agencies)


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)


@dataclass
class _Plan:
    """What the check pass learnt: which line holds each code, which lines to skip."""

    catalogue: CatalogueSnapshot
    first_line: dict[str, tuple[int, str]]  # code → (line, content hash)
    skip_codes: set[str]
    read: int


def _check_existing(first_line: dict[str, tuple[int, str]], errors: list[LineError]) -> set[str]:
    """Codes already in the database: same content → skip; anything else → an error."""
    skip: set[str] = set()
    if not Dossier.objects.exists():
        return skip
    codes = list(first_line)
    for start in range(0, len(codes), DB_CHUNK):
        chunk = codes[start : start + DB_CHUNK]
        found = dict(Dossier.objects.filter(code__in=chunk).values_list("code", "id"))
        if not found:
            continue
        hashes = {
            code: (data or {}).get("source_sha256")
            for code, data in DossierEvent.objects.filter(
                dossier_id__in=found.values(), type=EventType.RECEIVED
            ).values_list("dossier__code", "data")
        }
        for code in found:
            line, digest = first_line[code]
            if hashes.get(code) == digest:
                skip.add(code)
            elif hashes.get(code):
                errors.append(
                    LineError(line, "code", f"{code} was imported before with different content")
                )
            else:
                errors.append(
                    LineError(line, "code", f"{code} is already used by a dossier of this system")
                )
    return skip


def dossier_records_check(source: Source, *, progress: Progress | None = None) -> _Plan:
    """The validation pass; raises ``ImportFailed`` with every error found."""
    schema = line_schema("dossier-history")
    catalogue = catalogue_snapshot_load()
    errors: list[LineError] = []
    first_line: dict[str, tuple[int, str]] = {}
    read = 0
    for number, obj in source():
        read += 1
        if read % PROGRESS_EVERY == 0:
            _say(progress, f"checked {read:,} lines ({len(errors):,} errors so far)")
        if isinstance(obj, Unparsed):
            errors.append(LineError(number, "", obj.message))
            continue
        problems = schema.errors(obj)
        if problems:
            errors.extend(LineError(number, f, m) for f, m in problems)
            continue
        field_errors, _version = history_check(obj, catalogue)
        errors.extend(LineError(number, e.field, e.message) for e in field_errors)
        digest = canonical_sha256(obj)
        prior = first_line.get(obj["code"])
        if prior is None:
            first_line[obj["code"]] = (number, digest)
        elif prior[1] != digest:
            errors.append(
                LineError(
                    number, "code", f"{obj['code']} already on line {prior[0]} with other content"
                )
            )
    _say(progress, f"checked {read:,} lines")
    skip = _check_existing(first_line, errors) if not errors else set()
    if errors:
        errors.sort(key=lambda e: e.line)
        raise ImportFailed(errors)
    return _Plan(catalogue, first_line, skip, read)


def _new_secret() -> str:
    # Printed on the receipt for the public lookup (domain.md §4): short, unambiguous.
    return secrets.token_hex(5)


def _write(
    plan: _Plan, source: Source, *, actor: Actor, progress: Progress | None, name: str
) -> ImportResult:
    clock = LegalClock.from_calendar()
    catalogue = plan.catalogue
    dossiers = TableWriter(Dossier, with_id=True)
    events = TableWriter(DossierEvent, with_id=False, batch_size=20000)
    handovers = TableWriter(Handover, with_id=False, batch_size=20000)
    ids = IdAllocator(Dossier)
    sequences: dict[tuple[int, dt.date], int] = {}
    created = skipped = flagged = 0
    for number, obj in source():
        assert isinstance(obj, dict)  # the check pass refused anything else
        code = obj["code"]
        if code in plan.skip_codes or plan.first_line[code][0] != number:
            skipped += 1
            continue
        agency = catalogue.agencies[obj["agency"]]
        version = _pinned(catalogue, obj)
        computed = history_compute(
            obj,
            version,
            agency,
            clock,
            source_sha256=plan.first_line[code][1],
            units=catalogue.units,
        )
        dossier_id = ids.next()
        row = computed.dossier
        row["id"] = dossier_id
        row["secret"] = _new_secret()
        dossiers.add(row)
        if row["flags"]:
            flagged += 1
        for event in computed.events:
            events.add(
                {
                    "dossier_id": dossier_id,
                    "type": event.type,
                    "at": event.at,
                    "actor_label": "import",
                    "from_status": event.from_status,
                    "to_status": event.to_status,
                    "data": event.data,
                }
            )
        for h in computed.handovers:
            handovers.add(
                {
                    "dossier_id": dossier_id,
                    "position": h.position,
                    "from_unit_id": h.from_unit_id,
                    "from_unit_label": "" if h.from_unit_id else h.from_unit,
                    "to_unit_id": h.to_unit_id,
                    "to_unit_label": "" if h.to_unit_id else h.to_unit,
                    "at": h.at,
                    "step_id": h.step.id if h.step else None,
                    "step_name": h.step_name,
                    "budget_hours": h.budget_hours,
                    "finished_at": h.finished_at,
                    "used_hours": h.used_hours,
                    "result": h.result,
                    "note": h.note[:500],
                }
            )
        _note_sequence(sequences, catalogue, code)
        created += 1
        if created % PROGRESS_EVERY == 0:
            _say(progress, f"written {created:,} dossiers")
    dossiers.flush()
    events.flush()
    handovers.flush()
    refresh_statistics(Dossier, DossierEvent, Handover)
    _sequences_advance(sequences)
    audit_log(
        actor=actor,
        action="dossiers.import",
        object_type="dossier_import",
        object_id=name,
        data={
            "read": plan.read,
            "created": created,
            "skipped": skipped,
            "flagged": flagged,
            "events": events.written,
            "handovers": handovers.written,
        },
    )
    return ImportResult(
        read=plan.read,
        created=created,
        skipped=skipped,
        flagged=flagged,
        events=events.written,
        handovers=handovers.written,
    )


def _pinned(catalogue: CatalogueSnapshot, obj: dict[str, Any]) -> VersionInfo:
    version = catalogue.version_on(obj["procedure"], local_date(parse_instant(obj["received_at"])))
    assert version is not None  # the check pass refused records without one
    return version


def _note_sequence(
    sequences: dict[tuple[int, dt.date], int], catalogue: CatalogueSnapshot, code: str
) -> None:
    """Remember the highest imported NNNN per agency and day, so live codes continue after."""
    match = CODE_RE.match(code)
    if not match:
        return
    agency = catalogue.agencies.get(match["agency"])
    if agency is None:
        return
    day = code_day(match["day"])
    key = (agency.id, day)
    seq = int(match["seq"])
    if sequences.get(key, 0) < seq:
        sequences[key] = seq


def _sequences_advance(sequences: dict[tuple[int, dt.date], int]) -> None:
    if not sequences:
        return
    agency_ids = {a for a, _ in sequences}
    days = [d for _, d in sequences]
    existing = {
        (s.agency_id, s.day): s
        for s in DossierSequence.objects.filter(
            agency_id__in=agency_ids, day__gte=min(days), day__lte=max(days)
        )
    }
    to_update = []
    to_create = []
    for (agency_id, day), last in sequences.items():
        current = existing.get((agency_id, day))
        if current is None:
            to_create.append(DossierSequence(agency_id=agency_id, day=day, last=last))
        elif current.last < last:
            current.last = last
            to_update.append(current)
    DossierSequence.objects.bulk_create(to_create, batch_size=2000)
    DossierSequence.objects.bulk_update(to_update, ["last"], batch_size=2000)


def _import(source: Source, *, actor: Actor, progress: Progress | None, name: str) -> ImportResult:
    try:
        plan = dossier_records_check(source, progress=progress)
    except ImportFailed as exc:
        exc.source = name
        raise
    with transaction.atomic():
        result = _write(plan, source, actor=actor, progress=progress, name=name)
    _say(
        progress,
        f"imported {result.created:,} dossiers ({result.events:,} events, "
        f"{result.handovers:,} control-slip rows), skipped {result.skipped:,} already present, "
        f"{result.flagged:,} flagged",
    )
    return result


def import_dossier_records(
    records: Iterable[dict[str, Any]],
    *,
    actor: Actor = "import",
    progress: Progress | None = None,
) -> ImportResult:
    """Validate every record, then write them all in one transaction.

    Raises ``ImportFailed`` (with every error, numbered from 1 in input order) and writes
    nothing if any record is invalid. Records whose code is already imported with the same
    content are skipped. A one-shot iterator is read into a list first (two passes).
    """
    return _import(records_source(records), actor=actor, progress=progress, name="records")


def import_dossier_file(
    path: Path | str, *, actor: Actor = "import", progress: Progress | None = None
) -> ImportResult:
    """``import_dossier_records`` for a JSONL file, streamed (read twice, never held whole)."""
    return _import(jsonl_source(path), actor=actor, progress=progress, name=Path(path).name)
