"""One dossier history record → the rows it becomes: pure, no database.

``history_check`` finds what makes a record unusable (domain.md §6: malformed, or
contradicting itself); ``history_compute`` turns a checked record into dossier field values,
events, control-slip rows and flags. Both work on plain values and a catalogue snapshot, so the
import, the live services and the reports' demo generator can share them and tests need no
database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from motcua.agencies.units import unit_index, unit_name
from motcua.catalog.models import DurationUnit
from motcua.dossiers.classify import LOCAL, classify, local_date, step_over_at, step_result
from motcua.dossiers.models import (
    DELIVERABLE_ENDS,
    DossierClass,
    EndKind,
    EventType,
    Flag,
    Status,
    search_words,
    status_after_delivery,
)

# QCVN 102:2016 style agency identifier, the receipt date, a 4-digit daily sequence (§4).
CODE_RE = re.compile(r"^(?P<agency>[0-9A-Za-z][0-9A-Za-z.]*)-(?P<day>\d{6})-(?P<seq>\d{4})$")
# RFC 3339 date-time: an offset is mandatory (a naive timestamp is ambiguous across systems).
RFC3339_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)

END_TYPES = {"result_ready": EndKind.RESULT, "refused": EndKind.REFUSED}
END_TYPES.update(withdrawn=EndKind.WITHDRAWN, stopped=EndKind.STOPPED)
# After the end only these may happen: the result coming back to the one-stop unit (the
# control slip's last row) and leaving to the applicant (domain.md §6); after a refusal or a
# withdrawal, the notice and the papers (``models.DELIVERABLE_ENDS``).
AFTER_END_ALLOWED = {"handover", "result_delivered"}
SLIP_EVENTS = {"handover", "supplement_requested", "supplement_received", "result_delivered"}
SLIP_EVENTS.update(END_TYPES)
ONE_STOP_UNIT = "Bộ phận Một cửa"


def parse_instant(value: str) -> dt.datetime:
    """An RFC 3339 timestamp with its offset; ``ValueError`` otherwise."""
    if not RFC3339_RE.match(value):
        raise ValueError("not an RFC 3339 date-time with a UTC offset")
    return dt.datetime.fromisoformat(value.replace("z", "Z"))


def _instant(value: str) -> dt.datetime:
    # For records that passed ``history_check``: the format is known good.
    return dt.datetime.fromisoformat(value.replace("z", "Z"))


def code_day(text: str) -> dt.date:
    """The YYMMDD of a dossier code as a date (``ValueError`` if there is no such day)."""
    return dt.date(2000 + int(text[:2]), int(text[2:4]), int(text[4:6]))


# --- the catalogue as plain values ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepInfo:
    id: int
    position: int
    name: str
    hours: Decimal


@dataclass(frozen=True, slots=True)
class VersionInfo:
    id: int
    procedure_code: str
    number: int
    agency_id: int
    level: str
    field_id: int
    duration: Decimal
    unit: str
    cutoff: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    steps: tuple[StepInfo, ...] = ()

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class AgencyInfo:
    id: int
    code: str
    name: str
    level: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass
class CatalogueSnapshot:
    """Procedure versions by procedure code and agencies by code, loaded once per import."""

    versions: dict[str, list[VersionInfo]]
    agencies: dict[str, AgencyInfo]

    @cached_property
    def units(self) -> dict[str, AgencyInfo]:
        """The agencies by the texts naming a unit (``agencies.units.unit_index``)."""
        return unit_index(sorted(self.agencies.values(), key=lambda a: a.id))

    def version_on(self, procedure_code: str, day: dt.date) -> VersionInfo | None:
        """The version in force on ``day`` (the highest number when several are)."""
        best: VersionInfo | None = None
        for version in self.versions.get(procedure_code, ()):
            if version.valid_on(day) and (best is None or version.number > best.number):
                best = version
        return best


DueFunction = Callable[[dt.datetime, Decimal, str, bool], dt.datetime]
HoursFunction = Callable[[dt.datetime, dt.datetime], Decimal]


class LegalClock:
    """``motcua.workdays.clock.due_at`` over one calendar, memoised for the day units.

    For working and calendar days the result depends only on the local receipt date and
    whether the receipt was at or after the cut-off.
    """

    def __init__(
        self,
        due: DueFunction,
        hours_between: HoursFunction | None = None,
        *,
        cutoff_time: dt.time = dt.time(15),
        step_over: Callable[[dt.datetime, Decimal], dt.datetime] | None = None,
    ) -> None:
        self._due = due
        self._hours_between = hours_between
        self._step_over = step_over
        self._cutoff_time = cutoff_time
        self._cache: dict[tuple[Any, ...], dt.datetime] = {}

    @classmethod
    def from_calendar(cls, calendar: Any = None) -> LegalClock:
        """The installation's clock: its calendar (built once) and office-hour rules."""
        from motcua.workdays import clock
        from motcua.workdays.calendar import get_calendar

        cal = get_calendar() if calendar is None else calendar
        rules = clock.get_rules()

        def due(start: dt.datetime, duration: Decimal, unit: str, cutoff: bool) -> dt.datetime:
            return clock.due_at(start, duration, unit, cutoff=cutoff, calendar=cal, rules=rules)

        def hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
            return clock.working_hours_between(start, end, calendar=cal, rules=rules)

        def step_over(since: dt.datetime, hours: Decimal) -> dt.datetime:
            return step_over_at(since, hours, calendar=cal)

        return cls(due, hours_between, cutoff_time=rules.cutoff_time, step_over=step_over)

    def step_over_at(self, since: dt.datetime, hours: Decimal) -> dt.datetime | None:
        """``classify.step_over_at`` on this clock's calendar (None for a clock without one)."""
        return None if self._step_over is None else self._step_over(since, hours)

    def working_hours_between(self, start: dt.datetime, end: dt.datetime) -> Decimal | None:
        if self._hours_between is None:
            return None
        return self._hours_between(start, end).quantize(Decimal("0.01"))

    def due_at(self, start: dt.datetime, duration: Decimal, unit: str, cutoff: bool) -> dt.datetime:
        if unit == DurationUnit.WORKING_HOURS:
            return self._due(start, duration, unit, cutoff)
        local = start.astimezone(LOCAL)
        # §5: for day units only the local day matters, and with the cut-off whether the
        # receipt was before it (a non-working day or after-hours receipt is decided by the
        # day alone), so a million receipts need a few thousand real computations.
        after_cutoff = cutoff and local.time() >= self._cutoff_time
        key = (local.date(), after_cutoff, duration, unit, cutoff)
        found = self._cache.get(key)
        if found is None:
            found = self._due(start, duration, unit, cutoff)
            self._cache[key] = found
        return found


# --- checking ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


def _instants(record: Mapping[str, Any]) -> tuple[list[FieldError], dict[str, dt.datetime]]:
    errors: list[FieldError] = []
    parsed: dict[str, dt.datetime] = {}

    def take(path: str, value: Any) -> None:
        if value is None:
            return
        try:
            parsed[path] = parse_instant(value)
        except (ValueError, TypeError) as exc:
            errors.append(FieldError(path, str(exc)))

    for name in ("submitted_at", "received_at", "due_at"):
        take(name, record.get(name))
    for i, event in enumerate(record.get("events") or ()):
        take(f"events[{i}].at", event.get("at"))
        take(f"events[{i}].new_due_at", event.get("new_due_at"))
    return errors, parsed


def history_check(
    record: Mapping[str, Any], catalogue: CatalogueSnapshot
) -> tuple[list[FieldError], VersionInfo | None]:
    """What makes a schema-valid record unusable, field by field, and its pinned version.

    Rule breaks that the live system would have refused (late supplement request, late or
    repeated extension, a printed due date that differs) are *not* errors: they become flags
    in ``history_compute`` (domain.md §6).
    """
    errors, at = _instants(record)
    code = record["code"]
    match = CODE_RE.match(code)
    if not match:
        errors.append(FieldError("code", f"malformed code {code!r}: expected AGENCY-YYMMDD-NNNN"))
    else:
        try:
            code_day(match["day"])
        except ValueError:
            errors.append(FieldError("code", f"malformed code {code!r}: no such date"))
    if record["agency"] not in catalogue.agencies:
        errors.append(FieldError("agency", f"unknown agency {record['agency']!r}"))
    version = None
    received = at.get("received_at")
    if record["procedure"] not in catalogue.versions:
        errors.append(FieldError("procedure", f"unknown procedure {record['procedure']!r}"))
    elif received is not None:
        day = local_date(received)
        version = catalogue.version_on(record["procedure"], day)
        if version is None:
            errors.append(
                FieldError(
                    "procedure",
                    f"procedure {record['procedure']!r} has no version in force on "
                    f"{day:%d/%m/%Y} (received_at)",
                )
            )
    if received is None:
        return errors, version
    submitted = at.get("submitted_at")
    if submitted is not None and submitted > received:
        errors.append(FieldError("submitted_at", "after received_at"))
    if "due_at" in at and at["due_at"] < received:
        errors.append(FieldError("due_at", "before received_at"))

    previous: dt.datetime = received
    ended: str | None = None
    pending_supplement = False
    delivered = False
    for i, event in enumerate(record.get("events") or ()):
        kind = event["type"]
        path = f"events[{i}]"
        when = at.get(f"{path}.at")
        if when is None:
            continue
        if when < received:
            errors.append(FieldError(f"{path}.at", f"{kind} before received_at"))
        elif when < previous:
            errors.append(FieldError(f"{path}.at", f"{kind} earlier than the event before it"))
        previous = max(previous, when)
        if ended is not None and kind not in AFTER_END_ALLOWED:
            errors.append(FieldError(f"{path}.type", f"{kind} after the end ({ended})"))
            continue
        if kind == "handover" and not event.get("unit"):
            errors.append(FieldError(f"{path}.unit", "a handover needs the receiving unit"))
        elif kind == "supplement_requested":
            pending_supplement = True
        elif kind == "supplement_received":
            if not pending_supplement:
                errors.append(FieldError(f"{path}.type", "supplement_received without a request"))
            pending_supplement = False
        elif kind == "extension":
            if f"{path}.new_due_at" not in at:
                errors.append(FieldError(f"{path}.new_due_at", "an extension needs new_due_at"))
            elif at[f"{path}.new_due_at"] < when:
                errors.append(FieldError(f"{path}.new_due_at", "before the extension itself"))
        elif kind in END_TYPES:
            ended = kind
        elif kind == "result_delivered":
            if ended is None:
                errors.append(
                    FieldError(
                        f"{path}.type",
                        "result_delivered before the end (result_ready, refused or withdrawn)",
                    )
                )
            elif END_TYPES[ended] not in DELIVERABLE_ENDS:
                errors.append(
                    FieldError(
                        f"{path}.type",
                        f"result_delivered after {ended}: only a result, a refusal or a "
                        "withdrawal is handed back",
                    )
                )
            elif delivered:
                errors.append(FieldError(f"{path}.type", "result delivered twice"))
            elif not event.get("channel"):
                errors.append(FieldError(f"{path}.channel", "result_delivered needs a channel"))
            delivered = True
    return errors, version


# --- computing -------------------------------------------------------------------------------


@dataclass(slots=True)
class EventRow:
    type: str
    at: dt.datetime
    from_status: str
    to_status: str
    data: dict[str, Any]


@dataclass(slots=True)
class HandoverRow:
    position: int
    # The units as the record writes them; ``*_id`` the agency they name, if any.
    from_unit: str
    to_unit: str
    from_unit_id: int | None
    to_unit_id: int | None
    at: dt.datetime
    step: StepInfo | None
    step_name: str
    budget_hours: Decimal | None
    finished_at: dt.datetime | None
    used_hours: Decimal | None
    result: str
    note: str


@dataclass(slots=True)
class ComputedHistory:
    """Everything a history record becomes; ``dossier`` maps Dossier attnames to values."""

    dossier: dict[str, Any]
    events: list[EventRow] = field(default_factory=list)
    handovers: list[HandoverRow] = field(default_factory=list)


def _flag(flags: list[str], flag: Flag) -> None:
    # ``Dossier.flags`` holds each code once, as the live services write it.
    if flag.value not in flags:
        flags.append(flag.value)


def _norm(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def _step_named(steps: Sequence[StepInfo], name: str | None) -> StepInfo | None:
    wanted = _norm(name)
    if wanted:
        for step in steps:
            if _norm(step.name) == wanted:
                return step
    return None


def _match_step(steps: Sequence[StepInfo], event: Mapping[str, Any], index: int) -> StepInfo | None:
    """The workflow step a hand-over (the ``index``-th, from 0) starts: by name, else by
    position.

    Position: the first step (reception) is done by the one-stop unit before the first
    hand-over, so the n-th hand-over (1-based) starts step n + 1.
    """
    if event.get("step"):
        return _step_named(steps, event["step"])
    return steps[index + 1] if index + 1 < len(steps) else None


def history_compute(
    record: Mapping[str, Any],
    version: VersionInfo,
    agency: AgencyInfo,
    clock: LegalClock,
    *,
    source_sha256: str = "",
    units: Mapping[str, AgencyInfo] | None = None,
) -> ComputedHistory:
    """Dossier fields, events, control slip and flags of a record that passed ``history_check``.

    - ``due_at`` is the printed due date when the record has one (it is what the applicant
      was told, Form 01), else the one computed from the pinned version; a printed date that
      differs from the computed one (by local date; to the minute for ``working_hours``)
      is kept and flagged (domain.md §6). A supplement restarts
      the clock from zero *from the procedure* (ND 118/2025 Điều 19.5): the new ``due_at`` is
      computed as for a receipt at that moment, whatever was printed.
    - The extension's new appointment goes to ``extended_due_at``; classification still uses
      ``due_at`` (Điều 19.6).
    - Flags (kept, never refused): a supplement request later than 3 working days after the
      receipt, or after the restart for a later request (Điều 19.5); an extension issued
      when the next working day is already past the due date, or a second one (Điều 19.6);
      a printed due date that differs; an agency not in force on the receipt day.
    - ``late_steps``: the record's ``late_step``; when it has none and the dossier is late,
      the control-slip steps that overran their budget.
    """
    received = _instant(record["received_at"])
    flags: list[str] = []
    computed_due = clock.due_at(received, version.duration, version.unit, version.cutoff)
    printed = record.get("due_at")
    printed_due = _instant(printed) if printed else None
    due = computed_due
    explanation: dict[str, Any] = {
        "from": record["received_at"],
        "duration": str(version.duration),
        "unit": version.unit,
        "cutoff": version.cutoff,
        "computed": computed_due.isoformat(),
    }
    if printed_due is not None:
        due = printed_due
        explanation["printed"] = printed
        differs = (
            printed_due != computed_due
            if version.unit == DurationUnit.WORKING_HOURS
            else local_date(printed_due) != local_date(computed_due)
        )
        if differs:
            _flag(flags, Flag.DUE_DIFFERS)
    explanation["used"] = "printed" if printed_due is not None else "computed"

    status: str = Status.PROCESSING
    events = [
        EventRow(
            EventType.RECEIVED,
            received,
            "",
            status,
            {"imported": True, "source_sha256": source_sha256},
        )
    ]
    slip_events: list[tuple[str, Mapping[str, Any], dt.datetime]] = []
    supplement_deadline: dt.datetime | None = None
    supplement_count = 0
    supplement_requested_at: dt.datetime | None = None
    extension_count = 0
    has_apology = False
    extended_due: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    end_kind = ""
    end_reason = ""
    delivered_at: dt.datetime | None = None
    delivery_channel = ""

    for raw in record.get("events") or ():
        kind = raw["type"]
        when = _instant(raw["at"])
        before = status
        data: dict[str, Any] = {"imported": True}
        for key in ("unit", "step", "reason", "apology", "channel"):
            if raw.get(key) is not None:
                data[key] = raw[key]
        if kind in SLIP_EVENTS:
            slip_events.append((kind, raw, when))
        if kind == "supplement_requested":
            if ended_at is None:
                supplement_count += 1
            if supplement_count > 1:
                _flag(flags, Flag.SUPPLEMENT_REPEATED)
            supplement_requested_at = when
            # ND 118/2025 Điều 19.5: the request must go out within 3 working days of receipt.
            if supplement_deadline is None:
                supplement_deadline = clock.due_at(
                    received, Decimal(3), DurationUnit.WORKING_DAYS, version.cutoff
                )
            if when > supplement_deadline:
                _flag(flags, Flag.SUPPLEMENT_LATE)
                data["late"] = True
            status = Status.SUPPLEMENT_REQUESTED
        elif kind == "supplement_received":
            # Điều 19.5: the clock restarts from zero, from the procedure.
            due = clock.due_at(when, version.duration, version.unit, version.cutoff)
            explanation.setdefault("restarts", []).append(
                {"from": raw["at"], "due": due.isoformat()}
            )
            explanation["used"] = "restarted"
            status = Status.PROCESSING
        elif kind == "extension":
            extension_count += 1
            has_apology = has_apology or bool(raw.get("apology"))
            new_due = raw.get("new_due_at")
            extended_due = _instant(new_due) if new_due else extended_due
            if extension_count > 1:
                _flag(flags, Flag.EXTENSION_REPEATED)
            # Điều 19.6: issued at least one working day before the due date, i.e. the next
            # working day after the letter is still on or before the due date.
            next_working = clock.due_at(when, Decimal(1), DurationUnit.WORKING_DAYS, False)
            if local_date(next_working) > local_date(due):
                _flag(flags, Flag.EXTENSION_LATE)
                data["late"] = True
        elif kind in END_TYPES:
            ended_at, end_kind = when, END_TYPES[kind]
            end_reason = raw.get("reason") or ""
            status = {
                EndKind.RESULT: Status.RESULT_READY,
                EndKind.REFUSED: Status.REFUSED,
                EndKind.WITHDRAWN: Status.WITHDRAWN,
                EndKind.STOPPED: Status.STOPPED,
            }[END_TYPES[kind]]
        elif kind == "result_delivered":
            # After a refusal or a withdrawal: the notice and papers handed back, recorded
            # with their channel but not a result returned (domain.md §6).
            delivered_at, delivery_channel = when, raw.get("channel") or ""
            status = status_after_delivery(end_kind, status)
        if kind == "extension" and raw.get("new_due_at"):
            data["new_due_at"] = raw["new_due_at"]
        events.append(EventRow(kind, when, before, status, data))

    dossier_class = ""
    if end_kind == EndKind.RESULT and ended_at is not None:
        dossier_class = classify(
            ended_at=ended_at, due_at=due, unit=version.unit, supplement_count=supplement_count
        )

    units = units or {}
    handovers = _control_slip(slip_events, version, clock, units)
    late_steps = record.get("late_step") or ""
    if not late_steps and dossier_class == DossierClass.LATE:
        # No step named in the record: the control slip says where the time was lost (a
        # unit of the register by its name, as the live services write it).
        late_steps = "; ".join(
            h.step_name or unit_name(units.get(h.to_unit), h.to_unit)
            for h in handovers
            if h.result == "late"
        )

    applicant = record["applicant"]
    last = handovers[-1] if handovers else None
    dossier: dict[str, Any] = {
        "code": record["code"],
        "procedure_version_id": version.id,
        "agency_id": agency.id,
        "level": version.level,
        "field_id": version.field_id,
        "channel": record["channel"],
        "applicant_kind": applicant["kind"],
        "applicant_name": applicant["name"],
        # Written in bulk without ``save``: the search column is filled here.
        "applicant_search": search_words(applicant["name"]),
        "applicant_id_number": applicant.get("id_number") or "",
        "applicant_phone": applicant.get("phone") or "",
        "applicant_email": applicant.get("email") or "",
        "applicant_address": applicant.get("address") or "",
        "status": status,
        "submitted_at": _instant(record["submitted_at"]) if record.get("submitted_at") else None,
        "received_at": received,
        "due_at": due,
        "due_explanation": explanation,
        "extended_due_at": extended_due,
        "printed_due_at": printed_due,
        "ended_at": ended_at,
        "end_kind": end_kind,
        "dossier_class": dossier_class,
        "end_reason": end_reason,
        "delivered_at": delivered_at,
        "delivery_channel": delivery_channel,
        "supplement_count": supplement_count,
        "supplement_requested_at": supplement_requested_at,
        "extension_count": extension_count,
        "has_apology": has_apology,
        "late_reason": record.get("late_reason") or "",
        "late_steps": late_steps[:500],
        "flags": flags,
        "current_step_id": last.step.id if last and last.step else None,
        "current_unit_id": last.to_unit_id if last else None,
        "current_unit_label": last.to_unit if last and last.to_unit_id is None else "",
        "current_step_since": last.at if last else None,
        # Only an open dossier can be over a step's budget (the at-risk rule): not computed
        # for the history's ended millions.
        "step_over_at": (
            clock.step_over_at(last.at, last.step.hours)
            if last and last.step and status == Status.PROCESSING
            else None
        ),
        "imported": True,
    }
    return ComputedHistory(dossier=dossier, events=events, handovers=handovers)


def _control_slip(
    slip_events: list[tuple[str, Mapping[str, Any], dt.datetime]],
    version: VersionInfo,
    clock: LegalClock,
    units: Mapping[str, AgencyInfo],
) -> list[HandoverRow]:
    """Form 06 rows, as the live services keep them.

    Each hand-over opens a row for the receiving unit's step; the next hand-over, a supplement
    request (the step stops with the clock) or the end closes it; a supplement arriving opens
    a fresh row for the same unit and step with the full budget (the clock restarted from
    zero); after the end, rows carry a step only when the record names it, and the delivery
    closes them.
    """
    rows: list[HandoverRow] = []
    open_row: HandoverRow | None = None
    previous_unit = ONE_STOP_UNIT
    last_step: StepInfo | None = None
    ended = False
    handovers_seen = 0

    def close(at: dt.datetime, note: str = "") -> None:
        nonlocal open_row
        if open_row is None:
            return
        open_row.finished_at = at
        open_row.used_hours = clock.working_hours_between(open_row.at, at)
        if open_row.step is not None:
            step_due = clock.due_at(
                open_row.at, open_row.step.hours, DurationUnit.WORKING_HOURS, False
            )
            open_row.result = step_result(finished_at=at, step_due_at=step_due)
        if note:
            open_row.note = f"{open_row.note}; {note}" if open_row.note else note
        open_row = None

    def agency_id(unit: str) -> int | None:
        found = units.get(unit)
        return found.id if found is not None else None

    def add(unit: str, at: dt.datetime, step: StepInfo | None, name: str, note: str) -> None:
        nonlocal open_row, previous_unit
        unit = unit.strip()
        open_row = HandoverRow(
            position=len(rows) + 1,
            from_unit=previous_unit,
            to_unit=unit,
            from_unit_id=agency_id(previous_unit),
            to_unit_id=agency_id(unit),
            at=at,
            step=step,
            step_name=step.name if step else name,
            budget_hours=step.hours if step else None,
            finished_at=None,
            used_hours=None,
            result="",
            note=note,
        )
        rows.append(open_row)
        previous_unit = unit

    for kind, raw, when in slip_events:
        if kind == "handover":
            close(when)
            if ended:
                step = _step_named(version.steps, raw.get("step"))
            else:
                step = _match_step(version.steps, raw, handovers_seen)
                last_step = step
            handovers_seen += 1
            add(raw["unit"], when, step, raw.get("step") or "", raw.get("reason") or "")
        elif kind == "supplement_requested":
            close(when, "Yêu cầu bổ sung hồ sơ")
        elif kind == "supplement_received":
            if rows:
                add(rows[-1].to_unit, when, last_step, rows[-1].step_name, "Hồ sơ bổ sung")
        elif kind in END_TYPES:
            close(when)
            ended = True
        elif kind == "result_delivered":
            close(when)
    return rows
