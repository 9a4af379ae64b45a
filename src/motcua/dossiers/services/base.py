"""Shared pieces of the dossier services: locking, saving, events, the code. (What the
applicant is told about a change is ``dossiers.notices``.)"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import DatabaseError, InterfaceError, OperationalError, connection, connections
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.archive.models import Document, DocumentKind
from motcua.archive.services import DocumentMeta, document_reuse, document_store
from motcua.catalog.models import Part, WorkflowStep
from motcua.core.audit import Actor, actor_label, audit_log, request_via
from motcua.core.people import person_name
from motcua.core.prepared import row_insert, rows_insert
from motcua.dossiers.classify import local_date, step_over_at, step_result
from motcua.dossiers.errors import (
    ConflictError,
    TransitionError,
)
from motcua.dossiers.held import relation_hold, relations_held
from motcua.dossiers.listeners import (
    event_listeners_run,
    save_listeners_after,
    save_listeners_before,
)
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierPart,
    DossierSequence,
    EventType,
    Flag,
    Handover,
    Status,
)
from motcua.dossiers.uploads import signature_refusals
from motcua.workdays import clock
from motcua.workdays.calendar import WorkCalendar, get_calendar

# ND 118/2025 (online intake): the one-stop unit checks an online dossier within 8 working
# hours of the system receiving it.
ACCEPTANCE_HOURS = Decimal(8)
# ND 118/2025 Điều 19.5: a supplement request goes out within 3 working days of receipt.
SUPPLEMENT_REQUEST_DAYS = 3
SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud, typed back
SECRET_LENGTH = 8

OPEN_STATUSES = (Status.PROCESSING, Status.SUPPLEMENT_REQUESTED)
INTAKE_STATUSES = (Status.SUBMITTED, Status.NEEDS_COMPLETION)


@dataclass(frozen=True)
class PartFile:
    """One file of a part (a page scanned at the counter, a PDF uploaded online), its type
    and SHA-256 already checked by the caller (``dossiers.uploads.upload_check``)."""

    file: File
    content_type: str
    sha256: str = ""


@dataclass(frozen=True)
class PartInput:
    """A document received: a part of the procedure (``part``) or an extra one (``name``).

    Its electronic form is one or several ``files`` (stored as documents of the archive), or
    a stored document reused instead of a new copy (``reuse_of``, ND 118/2025 Điều 17.1.b),
    or neither: a paper part not digitised, with the reason (``not_digitised_reason``)."""

    name: str = ""
    part: Part | None = None
    kind: str = ""
    copies: int = 1
    reused: bool = False
    files: Sequence[PartFile] = ()
    reuse_of: Document | None = None
    not_digitised_reason: str = ""
    # One file given alone (the shape of the older callers): the same as ``files=[...]``.
    file: File | None = None
    content_type: str = ""
    sha256: str = ""

    def all_files(self) -> list[PartFile]:
        extra = [PartFile(self.file, self.content_type, self.sha256)] if self.file else []
        return [*self.files, *extra]


# --- helpers ------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _calendar() -> WorkCalendar:
    return get_calendar()


def _user(actor: Actor) -> User | None:
    if isinstance(actor, User) and actor.is_authenticated:
        return actor
    return None


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, "MOTCUA", {}).get(name, default)


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _refuse(message: str) -> TransitionError:
    return TransitionError(message)


def _require_status(dossier: Dossier, allowed: Iterable[str], action: str) -> None:
    allowed = tuple(allowed)
    if dossier.status not in allowed:
        raise _refuse(
            _("Không thể %(action)s: hồ sơ %(code)s đang ở trạng thái “%(status)s”.")
            % {"action": action, "code": dossier.code, "status": _status_label(dossier.status)}
        )


def _require_text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _refuse(_("Phải nhập %(what)s.") % {"what": what})
    return value


def _lock(dossier: Dossier, expected_version: int | None) -> Dossier:
    """The dossier's row, locked until the end of the transaction, fresh from the database."""
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _(
                "Hồ sơ %(code)s vừa được người khác cập nhật. Vui lòng tải lại trang và "
                "thực hiện lại."
            )
            % {"code": locked.code}
        )
    return locked


def _add_flag(dossier: Dossier, flag: Flag) -> bool:
    flags = list(dossier.flags or [])
    if flag.value in flags:
        return False
    flags.append(flag.value)
    dossier.flags = flags
    return True


# Flags that say "a deadline has passed and the dossier still waits", not that a rule was
# broken: while the dossier is live they follow its *current* deadline. A supplement stops the
# legal clock and restarts it from zero (ND 118/2025 Điều 19.5); a completed online dossier
# waits 8 working hours again. So the services that move a deadline drop them, and the
# overdue scan sets them again when the new deadline passes. An ended dossier keeps what it
# ended with (it was overdue then); acceptance records the break as ACCEPTANCE_LATE.
DEADLINE_FLAGS = (Flag.OVERDUE, Flag.ACCEPTANCE_OVERDUE)
LIVE_STATUSES = (*INTAKE_STATUSES, *OPEN_STATUSES)


def _deadline_flag_holds(dossier: Dossier, flag: Flag, now: dt.datetime) -> bool:
    if flag == Flag.OVERDUE:
        return (
            dossier.status == Status.PROCESSING
            and dossier.due_at is not None
            and dossier.due_at < now
        )
    return (
        dossier.status == Status.SUBMITTED
        and dossier.accept_by is not None
        and dossier.accept_by < now
    )


def _deadline_flags_refresh(dossier: Dossier, now: dt.datetime) -> bool:
    """Drop from a live dossier the deadline flags its current deadlines no longer justify;
    True when something was dropped (the caller saves ``flags``). Never adds one: that is
    the scan's job."""
    if dossier.status not in LIVE_STATUSES:
        return False
    stale = {
        flag.value
        for flag in DEADLINE_FLAGS
        if flag.value in (dossier.flags or []) and not _deadline_flag_holds(dossier, flag, now)
    }
    if not stale:
        return False
    dossier.flags = [f for f in dossier.flags if f not in stale]
    return True


def _step_begin(
    dossier: Dossier, step: WorkflowStep | None, since: dt.datetime | None
) -> list[str]:
    """Put ``dossier`` at ``step`` from ``since`` (a hand-over, a receipt, a supplement's
    arrival restarting the step), with the instant its budget runs out; the fields to save."""
    dossier.current_step = step
    dossier.current_step_since = since
    dossier.step_over_at = (
        step_over_at(since, step.hours, calendar=_calendar())
        if step is not None and since is not None
        else None
    )
    return ["current_step", "current_step_since", "step_over_at"]


def _save(
    locked: Dossier,
    original: Dossier | None,
    fields: Sequence[str],
) -> None:
    """Save the changed fields and the version; mirror them on the caller's instance."""
    locked.version = F("version") + 1
    names = sorted({*fields, "version", "updated_at"})
    # What other apps derive from the columns changed (the daily rollup) follows the save.
    before = save_listeners_before(locked, fields)
    locked.save(update_fields=names)
    save_listeners_after(locked, before)
    locked.refresh_from_db(fields=["version", "updated_at"])
    if original is not None and original is not locked:
        for name in names:
            setattr(original, name, getattr(locked, name))


def _event(
    dossier: Dossier,
    *,
    type: EventType,
    actor: Actor,
    at: dt.datetime,
    from_status: str = "",
    data: dict[str, Any] | None = None,
) -> DossierEvent:
    data = data or {}
    event = row_insert(
        DossierEvent(
            dossier=dossier,
            type=type,
            at=at,
            actor=_user(actor),
            actor_label=actor_label(actor),
            from_status=from_status,
            to_status=dossier.status,
            data=data,
            via=request_via.get(),
        )
    )
    audit_log(
        actor=actor,
        action=type.value,
        object_type="dossier",
        object_id=dossier.code,
        data={"from": from_status, "to": dossier.status, **data},
    )
    # What apps that depend on dossiers record with it (webhook deliveries, the national
    # portal's status queue), in the same transaction.
    event_listeners_run(event)
    return event


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- code and secret ------------------------------------------------------------------------


_UPSERT = (
    "INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "
    "ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last"
)
# Given back only if still the last drawn and no dossier has the code: a receipt whose
# COMMIT reached the server but whose answer was lost raises, yet its dossier exists.
_GIVE_BACK = (
    "UPDATE {table} SET last = last - 1 WHERE agency_id = %s AND day = %s AND last = %s "
    "AND NOT EXISTS (SELECT 1 FROM {dossiers} WHERE code = %s)"
)

# The numbers drawn in the current ``numbers_given_back`` block outside its transaction
# (agency, day, number, code); None outside such a block, or when the block began inside a
# transaction it does not own.
_DRAWN: ContextVar[list[tuple[int, dt.date, int, str]] | None] = ContextVar(
    "dossier_numbers_drawn", default=None
)
NUMBERS_ALIAS = "numbers"
logger = logging.getLogger(__name__)


def _side_execute(sql: str, params: list[Any], *, retry: bool = True) -> tuple[Any, ...] | None:
    """Run one statement on the ``numbers`` connection (settings: the primary again, or
    ``DATABASE_NUMBERS_URL``), in autocommit: a transaction of its own. Django keeps and
    closes it like any other (``CONN_MAX_AGE``, the end of a request or a thread), and does
    not check it at each request (settings): a connection the server closed fails here and,
    with ``retry``, the statement runs again on a new one. ``retry`` only for a statement
    that may run twice: if the connection broke after the server committed it, it ran."""
    side = connections[NUMBERS_ALIAS]
    attempts = 2 if retry else 1
    for attempt in range(1, attempts + 1):
        try:
            with side.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchone() if cursor.description else None
        except (InterfaceError, OperationalError):
            side.close()  # the server closed it (restart, idle timeout): once more, anew
            if attempt == attempts:
                raise
    return None


@contextmanager
def numbers_given_back() -> Iterator[None]:
    """The block of a service that owns its transaction (none open when it begins): a
    dossier number is then drawn outside the transaction (``_next_sequence``) and, if the
    block fails, given back when it is still the last one drawn and no dossier has it.
    Inside a caller's transaction (an import, a composed change, a test), numbers are drawn
    inside it, and roll back with it."""
    if connection.in_atomic_block or NUMBERS_ALIAS not in connections:
        yield
        return
    drawn: list[tuple[int, dt.date, int, str]] = []
    token = _DRAWN.set(drawn)
    try:
        yield
    except BaseException:
        table = connection.ops.quote_name(DossierSequence._meta.db_table)
        dossiers = connection.ops.quote_name(Dossier._meta.db_table)
        sql = _GIVE_BACK.format(table=table, dossiers=dossiers)
        for agency_id, day, number, code in reversed(drawn):
            try:
                # Not again on failure: a give-back committed whose answer was lost, run
                # again after another receipt drew the same number, would hand it out again.
                _side_execute(sql, [agency_id, day, number, code], retry=False)
            except DatabaseError:
                # Not given back: a gap in the day's numbers, never a second use of one.
                # The receipt's own error is the one to report.
                logger.warning("dossier number %s not given back", code, exc_info=True)
        raise
    finally:
        _DRAWN.reset(token)


def _next_sequence(agency: Agency, day: dt.date) -> tuple[int, bool]:
    """The next number of ``agency``'s day, unique under concurrent intake, and whether it
    was drawn apart (on the ``numbers`` connection).

    One statement: ``INSERT … ON CONFLICT DO UPDATE SET last = last + 1 RETURNING last``
    (PostgreSQL, and SQLite since 3.35). It inserts the day's first row or increments the
    existing one.

    Where it runs (issue 15, the speed of intake): inside a service's block that owns its
    transaction on PostgreSQL (``numbers_given_back``), on a second connection in a
    transaction of its own, so the row is locked for that one statement; before, the lock
    was held to the intake's commit and eight counters of one agency queued on it, each
    waiting for the others' whole receipts. A receipt that fails after drawing gives its
    number back if no one drew after it; otherwise (or if the process dies meanwhile) the
    day's numbers have a gap: codes stay unique (domain.md §4 asks no more), and the
    register lists the dossiers, not the numbers. Inside a caller's transaction, on SQLite
    (one writer at a time: a second connection would wait for the first), and when the
    second connection cannot be had, the number is drawn in the transaction and a rollback
    gives it back: no gap."""
    table = connection.ops.quote_name(DossierSequence._meta.db_table)
    sql = _UPSERT.format(table=table)
    if _DRAWN.get() is not None:
        try:
            row = _side_execute(sql, [agency.pk, day])
        except DatabaseError:
            logger.warning("numbers connection unavailable: drawing in the transaction")
        else:
            assert row is not None
            return int(row[0]), True
    with connection.cursor() as cursor:
        cursor.execute(sql, [agency.pk, day])
        row = cursor.fetchone()
    assert row is not None
    return int(row[0]), False


def dossier_code_allocate(*, agency: Agency, at: dt.datetime) -> str:
    """``<agency code>-<YYMMDD>-<NNNN>`` (domain.md §4; TT 01/2018 Điều 26), local date.

    Must run inside the transaction that creates the dossier. A 10 000th dossier of one
    agency and day gets five digits rather than failing."""
    day = local_date(at)
    number, apart = _next_sequence(agency, day)
    code = f"{agency.code}-{day:%y%m%d}-{number:04d}"
    drawn = _DRAWN.get()
    if apart and drawn is not None:
        drawn.append((agency.pk, day, number, code))
    return code


def dossier_secret_generate() -> str:
    """The lookup secret printed on the receipt: the code alone reveals nothing (§4, §12)."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _i in range(SECRET_LENGTH))


def _reusable_by(document: Document, dossier: Dossier) -> bool:
    """ND 118/2025 Điều 17.1.b: what a dossier reuses is its applicant's own stored document:
    one of the owner's store (online), or one held under the applicant's ID number (the
    counter's lookup lists only those staff vouched for). Every channel, one rule."""
    if document.in_store and dossier.owner_id is not None:
        return document.owner_id == dossier.owner_id
    return bool(dossier.applicant_id_number) and (
        document.holder_id_number == dossier.applicant_id_number
    )


def parts_check(dossier: Dossier, parts: Iterable[PartInput], *, at_counter: bool = False) -> None:
    """Refuse what ``_add_parts`` would refuse, before anything is written: the intake
    services check the parts before the dossier's number is drawn, so that a refused
    receipt takes no number (``_next_sequence``)."""
    for item in parts:
        _part_check(dossier, item, at_counter=at_counter)


def _part_check(dossier: Dossier, item: PartInput, *, at_counter: bool) -> None:
    name = item.name or (item.part.name if item.part else "")
    if not name.strip():
        raise _refuse(_("Thành phần hồ sơ phải có tên."))
    if item.copies < 1:
        raise _refuse(_("Số lượng bản của “%(name)s” phải từ 1 trở lên.") % {"name": name})
    files = item.all_files()
    if (
        at_counter
        and not files
        and item.reuse_of is None
        # Marked reused by a caller that took it from a national database (the API).
        and not item.reused
        and not item.not_digitised_reason.strip()
    ):
        raise _refuse(
            _(
                "Thành phần “%(name)s” chưa được số hóa: hãy đính kèm bản quét, chọn "
                "giấy tờ đã lưu để tái sử dụng, hoặc ghi lý do không số hóa."
            )
            % {"name": name.strip()}
        )
    if item.reuse_of is not None and not _reusable_by(item.reuse_of, dossier):
        # ND 118/2025 Điều 17.1.b: what is reused is the applicant's own stored document.
        raise _refuse(
            _(
                "Giấy tờ “%(document)s” không thuộc người có số định danh %(id)s: không "
                "tái sử dụng được cho hồ sơ này."
            )
            % {"document": item.reuse_of.name, "id": dossier.applicant_id_number or "—"}
        )
    if item.reuse_of is not None and not item.reuse_of.is_valid_today:
        raise _refuse(
            _("Giấy tờ “%(document)s” đã hết hiệu lực: không tái sử dụng được.")
            % {"document": item.reuse_of.name}
        )


@signature_refusals  # a PDF part whose signature no longer holds is refused (archive)
def _add_parts(
    dossier: Dossier,
    parts: Iterable[PartInput],
    *,
    actor: Actor,
    origin: str,
    at_counter: bool = False,
) -> list[DossierPart]:
    """The parts' rows and their documents (``origin``: how the files came, online or
    scanned at the counter; a reused document is "reuse" whatever the channel).

    ``at_counter``: a paper dossier received at the counter or by post (ND 118/2025: digitised
    at intake). Every part comes with its electronic form (scans or a reused document) or
    says why it was not digitised, and a reused document is one the clerk found by the
    applicant's ID number: its holder's number must be the applicant's. (Online, the citizen
    reuses from their own store: the portal checks the owner.)"""
    user = _user(actor)
    # Every part is checked and its row built first, then all rows are inserted at once
    # (one statement instead of one per part: half the queries of a counter receipt), then
    # the documents of those that came with files or a reused document.
    items = list(parts)
    rows: list[DossierPart] = []
    files_of = []
    for item in items:
        _part_check(dossier, item, at_counter=at_counter)
        name = item.name or (item.part.name if item.part else "")
        files = item.all_files()
        files_of.append(files)
        rows.append(
            DossierPart(
                dossier=dossier,
                part=item.part,
                name=name.strip(),
                kind=item.kind or (item.part.kind if item.part else ""),
                copies=item.copies,
                reused=item.reused or item.reuse_of is not None,
                not_digitised_reason=""
                if files or item.reuse_of
                else item.not_digitised_reason.strip()[:500],
            )
        )
    rows_insert(rows)
    for item, row, files in zip(items, rows, files_of, strict=True):
        documents: list[Document] = []
        if item.reuse_of is not None:
            reused = document_reuse(
                source=item.reuse_of, actor=user, dossier=dossier, dossier_part=row, name=row.name
            )
            documents.append(reused)
            audit_log(
                actor=actor,
                action="document.reuse",
                object_type="document",
                object_id=reused.pk,
                data={
                    "dossier": dossier.code,
                    "part": row.name,
                    "source": item.reuse_of.pk,
                    "source_code": item.reuse_of.code,
                    "sha256": item.reuse_of.sha256,
                },
            )
        for part_file in files:
            # Written before the row that names it; the service runs in
            # ``atomic_with_files`` so that a rollback removes it.
            stored = document_store(
                content=part_file.file,
                content_type=part_file.content_type,
                sha256=part_file.sha256,
                meta=DocumentMeta(
                    name=row.name,
                    kind=DocumentKind.PART,
                    origin=origin,
                    type_code=str(item.part.position) if item.part else "",
                    holder_id_number=dossier.applicant_id_number,
                    holder_name=dossier.applicant_name,
                ),
                actor=user,
                dossier=dossier,
                dossier_part=row,
            )
            documents.append(stored)
        # A new part has these documents and no other: kept on it (``dossiers.held``) for
        # the receipt's record and the API's response, in the documents' own order.
        documents.sort(key=lambda d: (d.created_at, d.pk), reverse=True)
        relation_hold(row, "documents", documents)
    return rows


def _parts_record(parts: Iterable[DossierPart]) -> list[dict[str, Any]]:
    """What an event says of the parts received: how each came in electronic form."""
    rows = list(parts)
    documents: dict[int, list[int | None]] = {row.pk: [] for row in rows}
    if all(relations_held(row, "documents") for row in rows):
        # New parts (``_add_parts``) hold their documents: no query.
        for row in rows:
            documents[row.pk] = [d.source_id for d in row.documents.all()]
    else:
        # One query for all the parts' documents (their sources), not one per part.
        for part_id, source_id in Document._default_manager.filter(
            dossier_part__in=rows
        ).values_list("dossier_part_id", "source_id"):
            documents[part_id].append(source_id)
    record = []
    for row in rows:
        entry: dict[str, Any] = {"part": row.name, "files": len(documents[row.pk])}
        sources = [s for s in documents[row.pk] if s is not None]
        if sources:
            entry["reused_from"] = sources
        if row.not_digitised_reason:
            entry["not_digitised"] = row.not_digitised_reason
        record.append(entry)
    return record


def _start_clock(
    dossier: Dossier, at: dt.datetime, *, restart: bool = False, reason: str = ""
) -> None:
    """Compute ``due_at`` and its explanation for a receipt (or a restart) at ``at``."""
    version = dossier.procedure_version
    calendar = _calendar()
    dossier.due_at = clock.due_at(
        at, version.duration, version.unit, cutoff=version.cutoff, calendar=calendar
    )
    explanation = dict(
        clock.explain(
            at, version.duration, version.unit, cutoff=version.cutoff, calendar=calendar
        ).as_dict()
    )
    if restart:
        # ND 118/2025 Điều 19.5: the clock restarts from zero at the complete supplement.
        explanation["restarted_at"] = at.isoformat()
        explanation["restart_reason"] = reason or str(
            _("Nhận đủ hồ sơ bổ sung: tính lại thời hạn từ đầu")
        )
    dossier.due_explanation = explanation


def _open_handover(dossier: Dossier) -> Handover | None:
    return (
        Handover.objects.select_for_update()
        .filter(dossier=dossier, finished_at__isnull=True)
        .order_by("-position")
        .first()
    )


def _close_handover(row: Handover, at: dt.datetime, *, note: str = "") -> None:
    """Close a control-slip row: hours used along office hours, and the step's result."""
    calendar = _calendar()
    used = Decimal(str(clock.working_hours_between(row.at, at, calendar=calendar)))
    row.finished_at = at
    row.used_hours = used.quantize(Decimal("0.01"))
    fields = ["finished_at", "used_hours"]
    if row.budget_hours is not None:
        step_due = clock.add_working_hours(row.at, row.budget_hours, calendar=calendar)
        row.result = step_result(finished_at=at, step_due_at=step_due)
        fields.append("result")
    if note:
        row.note = f"{row.note}; {note}" if row.note else note
        fields.append("note")
    row.save(update_fields=fields)


def _person(actor: Actor) -> str:
    """The actor's name as the control slip prints it, family name first."""
    user = _user(actor)
    if user is not None:
        return person_name(user)
    return actor_label(actor)
