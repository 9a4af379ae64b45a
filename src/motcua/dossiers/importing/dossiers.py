"""Importing dossier histories from an earlier system (dossier-history.schema.json).

Two passes over the input: the first checks every line (schema, then the record's own
consistency against the catalogue) and collects *all* errors; only if there are none does the
second pass compute and write every dossier in one transaction. The input is streamed in both
passes; what stays in memory is one (code → line, hash) entry per line, needed to find
duplicates and to make a re-import skip what it already holds.

The work per line (parsing, schema, ``history_check``; ``history_compute`` and building the
rows) is pure, so an input larger than one chunk is handed out in chunks to worker processes
forked with the catalogue, the legal clock and the row formats already loaded; they never touch
the database. This process reads the input, allocates the keys, and writes each chunk's rows
in order inside the one transaction, while the workers compute the next chunks. Results come
back in input order: errors, keys and rows are the same as with one process
(``workers=1``).

Same code again: a line whose code is already in the database (or earlier in the file) with
the *same* content is skipped, so importing a file twice changes nothing. The same code with
*different* content is an error: silently keeping either version would hide a divergence
between the two systems, and the operator must decide which is right.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

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
    LineSchema,
    Progress,
    RawSource,
    Unparsed,
    canonical_sha256,
    jsonl_lines,
    line_schema,
    parse_line,
    records_source,
)
from motcua.dossiers.importing.rows import (
    IdAllocator,
    RowFormat,
    TableWriter,
    refresh_statistics,
)
from motcua.dossiers.listeners import import_listeners_run
from motcua.dossiers.models import Dossier, DossierEvent, DossierSequence, EventType, Handover

PROGRESS_EVERY = 50_000
DB_CHUNK = 2000
# Lines per unit of work: large enough that handing a chunk to a worker process and its rows
# back costs little against computing it, small enough to keep both cores and the writer busy.
CHUNK_LINES = 2000
MAX_WORKERS = 4

R = TypeVar("R")
T = TypeVar("T")


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


# --- the work per line, in chunks: pure, run in worker processes for a large input ---------


@dataclass
class _Context:
    """What checking and computing a line needs: plain values and pure functions, loaded once
    before any worker is forked (the workers inherit it and never touch the database)."""

    catalogue: CatalogueSnapshot
    schema: LineSchema
    clock: LegalClock
    dossier_format: RowFormat
    event_format: RowFormat
    handover_format: RowFormat


Item = tuple[int, "str | dict[str, Any] | Unparsed"]
# (line, errors or None, code, content hash); code and hash empty when the line is unusable.
Checked = tuple[int, list[LineError] | None, str, str]


def _check_chunk(ctx: _Context, items: list[Item]) -> list[Checked]:
    """The validation of each line on its own: JSON, schema, the record's consistency."""
    out: list[Checked] = []
    for number, raw in items:
        obj = parse_line(raw) if isinstance(raw, str) else raw
        if isinstance(obj, Unparsed):
            out.append((number, [LineError(number, "", obj.message)], "", ""))
            continue
        problems = ctx.schema.errors(obj)
        if problems:
            out.append((number, [LineError(number, f, m) for f, m in problems], "", ""))
            continue
        field_errors, _version = history_check(obj, ctx.catalogue)
        errors = [LineError(number, e.field, e.message) for e in field_errors] or None
        out.append((number, errors, obj["code"], canonical_sha256(obj)))
    return out


@dataclass
class _Rows:
    """The rows of a chunk of dossiers, ready for ``write_rows``."""

    dossiers: list[tuple[Any, ...]] = field(default_factory=list)
    events: list[tuple[Any, ...]] = field(default_factory=list)
    handovers: list[tuple[Any, ...]] = field(default_factory=list)
    flagged: int = 0
    sequences: dict[tuple[int, dt.date], int] = field(default_factory=dict)


def _compute_chunk(ctx: _Context, items: list[tuple[int, Any, str]], ids: list[int]) -> _Rows:
    """Each line (number, text or object, content hash) computed into its rows, with the
    dossier keys the writer allocated for them, in order."""
    out = _Rows()
    catalogue = ctx.catalogue
    units = catalogue.units
    event_row = ctx.event_format.row
    handover_row = ctx.handover_format.row
    for (_number, raw, digest), dossier_id in zip(items, ids, strict=True):
        obj = parse_line(raw) if isinstance(raw, str) else raw
        assert isinstance(obj, dict)  # the check pass refused anything else
        computed = history_compute(
            obj,
            _pinned(catalogue, obj),
            catalogue.agencies[obj["agency"]],
            ctx.clock,
            source_sha256=digest,
            units=units,
        )
        row = computed.dossier
        row["id"] = dossier_id
        row["secret"] = _new_secret()
        out.dossiers.append(ctx.dossier_format.row(row))
        if row["flags"]:
            out.flagged += 1
        for event in computed.events:
            out.events.append(
                event_row(
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
            )
        for h in computed.handovers:
            out.handovers.append(
                handover_row(
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
            )
        _note_sequence(out.sequences, catalogue, obj["code"])
    return out


# The context of the pool's workers: set in the parent just before they are forked.
_WORKER_CONTEXT: _Context | None = None


def _in_worker(function: Callable[..., Any], *args: Any) -> Any:
    assert _WORKER_CONTEXT is not None
    return function(_WORKER_CONTEXT, *args)


class _Chunks:
    """Runs chunk functions in order: in this process, or, once the input proves larger than
    one chunk, in a pool of forked worker processes (both cores for the pure per-line work,
    while this process reads the input and writes to the database). Results come back in
    submission order, so the import's outcome does not depend on where a chunk ran."""

    def __init__(self, ctx: _Context, *, workers: int, chunk_lines: int) -> None:
        self.ctx = ctx
        self.workers = workers
        self.chunk_lines = chunk_lines
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Chunks:
        return self

    def __exit__(self, *exc: object) -> None:
        global _WORKER_CONTEXT
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
            _WORKER_CONTEXT = None

    def _start_pool(self) -> None:
        global _WORKER_CONTEXT
        if self.pool is not None or self.workers < 2:
            return
        if "fork" not in multiprocessing.get_all_start_methods():
            self.workers = 1  # the context is inherited, not sent: no pool without fork
            return
        _WORKER_CONTEXT = self.ctx
        self.pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("fork")
        )

    def map(self, function: Callable[..., R], jobs: Iterable[tuple[Any, ...]]) -> Iterator[R]:
        """``function(ctx, *job)`` for each job, in order; at most a few jobs ahead."""
        pending: deque[Future[R]] = deque()
        for number, job in enumerate(jobs):
            if number == 1:
                self._start_pool()
            if self.pool is None:
                yield function(self.ctx, *job)
                continue
            pending.append(self.pool.submit(_in_worker, function, *job))
            if len(pending) > 2 * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class _Plan:
    """What the check pass learnt: the line and content hash of each dossier to write."""

    to_write: dict[int, str]  # line → content hash
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


def _check(source: RawSource, chunks: _Chunks, *, progress: Progress | None) -> _Plan:
    """The validation pass; raises ``ImportFailed`` with every error found."""
    errors: list[LineError] = []
    first_line: dict[str, tuple[int, str]] = {}
    read = 0
    jobs = ((chunk,) for chunk in _chunked(source(), chunks.chunk_lines))
    for checked in chunks.map(_check_chunk, jobs):
        for number, line_errors, code, digest in checked:
            read += 1
            if read % PROGRESS_EVERY == 0:
                _say(progress, f"checked {read:,} lines ({len(errors):,} errors so far)")
            if line_errors:
                errors.extend(line_errors)
            if not code:
                continue
            prior = first_line.get(code)
            if prior is None:
                first_line[code] = (number, digest)
            elif prior[1] != digest:
                errors.append(
                    LineError(
                        number, "code", f"{code} already on line {prior[0]} with other content"
                    )
                )
    _say(progress, f"checked {read:,} lines")
    skip = _check_existing(first_line, errors) if not errors else set()
    if errors:
        errors.sort(key=lambda e: e.line)
        raise ImportFailed(errors)
    to_write = {line: digest for code, (line, digest) in first_line.items() if code not in skip}
    return _Plan(to_write, read)


def _new_secret() -> str:
    # Printed on the receipt for the public lookup (domain.md §4): short, unambiguous.
    return secrets.token_hex(5)


def _write(
    plan: _Plan,
    source: RawSource,
    chunks: _Chunks,
    *,
    actor: Actor,
    progress: Progress | None,
    name: str,
) -> ImportResult:
    # Stamped when written, inside the transaction: the API's sync must not take them for
    # rows written before the import began (``api.sync``).
    dossiers = TableWriter(Dossier, with_id=True, stamp="updated_at")
    events = TableWriter(DossierEvent, with_id=False, batch_size=20000, stamp="recorded_at")
    handovers = TableWriter(Handover, with_id=False, batch_size=20000)
    ids = IdAllocator(Dossier)
    sequences: dict[tuple[int, dt.date], int] = {}
    created = flagged = 0
    to_write = plan.to_write
    # Same code again, or already imported: the check pass left the line out of ``to_write``.
    wanted = ((number, raw, to_write[number]) for number, raw in source() if number in to_write)

    def jobs() -> Iterator[tuple[list[tuple[int, Any, str]], list[int]]]:
        for chunk in _chunked(wanted, chunks.chunk_lines):
            yield chunk, [ids.next() for _ in chunk]

    for rows in chunks.map(_compute_chunk, jobs()):
        dossiers.extend(rows.dossiers)
        events.extend(rows.events)
        handovers.extend(rows.handovers)
        flagged += rows.flagged
        for key, last in rows.sequences.items():
            if sequences.get(key, 0) < last:
                sequences[key] = last
        before = created
        created += len(rows.dossiers)
        if created // PROGRESS_EVERY > before // PROGRESS_EVERY:
            _say(progress, f"written {created:,} dossiers")
    dossiers.flush()
    events.flush()
    handovers.flush()
    skipped = plan.read - created
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
    # New (agency, day) rows, most of them: the bulk path, not a model instance each.
    to_create = TableWriter(DossierSequence, with_id=False, batch_size=20000)
    for (agency_id, day), last in sequences.items():
        current = existing.get((agency_id, day))
        if current is None:
            to_create.add({"agency_id": agency_id, "day": day, "last": last})
        elif current.last < last:
            current.last = last
            to_update.append(current)
    to_create.flush()
    DossierSequence.objects.bulk_update(to_update, ["last"], batch_size=2000)


def _context() -> _Context:
    return _Context(
        catalogue=catalogue_snapshot_load(),
        schema=line_schema("dossier-history"),
        clock=LegalClock.from_calendar(),
        dossier_format=RowFormat(Dossier, with_id=True),
        event_format=RowFormat(DossierEvent, with_id=False),
        handover_format=RowFormat(Handover, with_id=False),
    )


def _default_workers() -> int:
    # Forking a process that runs other threads (a server, the notify worker) could leave a
    # lock held in the child: by default, worker processes only for a single-threaded caller
    # (the ``motcua import`` command, the demo builder).
    if threading.active_count() > 1:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _import(
    source: RawSource,
    *,
    actor: Actor,
    progress: Progress | None,
    name: str,
    workers: int | None = None,
    chunk_lines: int = CHUNK_LINES,
) -> ImportResult:
    # Before the rows' specs are made: they stamp ``created_at`` when made (``rows.RowSpec``),
    # and the rollup follows the dossiers created since this instant (``import_listeners_run``).
    started = timezone.now()
    ctx = _context()
    workers = _default_workers() if workers is None else workers
    with _Chunks(ctx, workers=workers, chunk_lines=chunk_lines) as chunks:
        try:
            plan = _check(source, chunks, progress=progress)
        except ImportFailed as exc:
            exc.source = name
            raise
        with transaction.atomic():
            result = _write(plan, source, chunks, actor=actor, progress=progress, name=name)
            # What other apps derive from the dossiers written (the daily rollup's days).
            import_listeners_run(started)
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
    workers: int | None = None,
    chunk_lines: int = CHUNK_LINES,
) -> ImportResult:
    """Validate every record, then write them all in one transaction.

    Raises ``ImportFailed`` (with every error, numbered from 1 in input order) and writes
    nothing if any record is invalid. Records whose code is already imported with the same
    content are skipped. A one-shot iterator is read into a list first (two passes). An input
    of more than ``chunk_lines`` records is checked and computed by ``workers`` processes
    (default: the machine's cores, at most ``MAX_WORKERS``); 1 keeps it in this process.
    """
    return _import(
        records_source(records),
        actor=actor,
        progress=progress,
        name="records",
        workers=workers,
        chunk_lines=chunk_lines,
    )


def import_dossier_file(
    path: Path | str,
    *,
    actor: Actor = "import",
    progress: Progress | None = None,
    workers: int | None = None,
    chunk_lines: int = CHUNK_LINES,
) -> ImportResult:
    """``import_dossier_records`` for a JSONL file, streamed (read twice, never held whole)."""
    return _import(
        jsonl_lines(path),
        actor=actor,
        progress=progress,
        name=Path(path).name,
        workers=workers,
        chunk_lines=chunk_lines,
    )
