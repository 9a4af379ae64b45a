"""Importing guidance contacts (guidance.schema.json): validated first, all or nothing.

Idempotent by ``Guidance.import_key``, the SHA-256 of the line's canonical JSON: a line
already imported (or repeated in the file) is skipped. Two genuinely distinct contacts must
therefore differ in something (time, unit, note); identical lines are one contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure
from motcua.core.audit import Actor, audit_log
from motcua.dossiers.importing.dossiers import DB_CHUNK, PROGRESS_EVERY, ImportResult
from motcua.dossiers.importing.history import parse_instant
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
from motcua.dossiers.importing.rows import TableWriter
from motcua.dossiers.models import Guidance


def _import(source: Source, *, actor: Actor, progress: Progress | None, name: str) -> ImportResult:
    schema = line_schema("guidance")
    agencies = dict(Agency.objects.values_list("code", "id"))
    procedures = set(Procedure.objects.values_list("code", flat=True))
    errors: list[LineError] = []
    keys: dict[str, int] = {}  # import key → first line
    read = 0
    for number, obj in source():
        read += 1
        if progress and read % PROGRESS_EVERY == 0:
            progress(f"checked {read:,} lines")
        if isinstance(obj, Unparsed):
            errors.append(LineError(number, "", obj.message))
            continue
        problems = schema.errors(obj)
        if problems:
            errors.extend(LineError(number, f, m) for f, m in problems)
            continue
        if obj["unit"] not in agencies:
            errors.append(LineError(number, "unit", f"unknown agency {obj['unit']!r}"))
        if obj.get("procedure") and obj["procedure"] not in procedures:
            errors.append(LineError(number, "procedure", f"unknown procedure {obj['procedure']!r}"))
        keys.setdefault(canonical_sha256(obj), number)
    if errors:
        raise ImportFailed(errors, name)
    existing: set[str] = set()
    key_list = list(keys)
    for start in range(0, len(key_list), DB_CHUNK):
        existing.update(
            Guidance.objects.filter(import_key__in=key_list[start : start + DB_CHUNK]).values_list(
                "import_key", flat=True
            )
        )
    created = skipped = 0
    with transaction.atomic():
        rows = TableWriter(Guidance, with_id=False)
        for number, obj in source():
            assert isinstance(obj, dict)
            key = canonical_sha256(obj)
            if key in existing or keys[key] != number:
                skipped += 1
                continue
            rows.add(
                {
                    "at": parse_instant(obj["at"]),
                    "kind": obj["kind"],
                    "unit_id": agencies[obj["unit"]],
                    "procedure_code": obj.get("procedure") or "",
                    "note": obj.get("note") or "",
                    "actor_id": None,
                    "import_key": key,
                }
            )
            created += 1
        rows.flush()
        audit_log(
            actor=actor,
            action="guidance.import",
            object_type="guidance_import",
            object_id=name,
            data={"read": read, "created": created, "skipped": skipped},
        )
    if progress:
        progress(f"imported {created:,} guidance contacts, skipped {skipped:,} already present")
    return ImportResult(read=read, created=created, skipped=skipped)


def import_guidance_records(
    records: Iterable[dict[str, Any]], *, actor: Actor = "import", progress: Progress | None = None
) -> ImportResult:
    """Validate every guidance record, then write them all in one transaction (or none:
    ``ImportFailed`` lists every error)."""
    return _import(records_source(records), actor=actor, progress=progress, name="records")


def import_guidance_file(
    path: Path | str, *, actor: Actor = "import", progress: Progress | None = None
) -> ImportResult:
    return _import(jsonl_source(path), actor=actor, progress=progress, name=Path(path).name)
