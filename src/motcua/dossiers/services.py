"""Every change of a dossier: one service function per change (house style).

Each ``dossier_<verb>(*, dossier, actor, ..., expected_version=None)``:
- runs in a transaction and locks the dossier row (``select_for_update``);
- refuses a stale ``expected_version`` with ``ConflictError`` (somebody else changed the
  dossier since the form was shown) and a transition the state machine does not allow with
  ``TransitionError`` (Vietnamese message, shown as is);
- saves with ``update_fields``, bumps ``version``, appends a ``DossierEvent`` with the actor
  and the time, writes an audit row, and queues notifications after commit.

Nothing else writes status or deadline fields: views, the API, commands and the worker call
these. The legal clock is ``motcua.workdays.clock`` (domain.md §5); classification is the pure
``dossiers.classify`` shared with the history import.

Choices where the rules leave room (see also the module's tests):
- The code's date (``<agency>-<YYMMDD>-<NNNN>``, domain.md §4) is the local date on which the
  system first received the dossier: the counter's receipt, or the online submission. An
  online dossier gets its code when submitted, because the portal shows it to the applicant
  then and a code must never change once shown.
- "No supplement within 15 days" counts calendar days (the law says "ngày", not "ngày làm
  việc"); the whole 15th local day is allowed. ``settings.MOTCUA["SUPPLEMENT_WAIT_DAYS"]``.
- The 3 working days for a supplement request end like a 3-working-day legal time: at the
  end of office hours of the 3rd working day after the (deemed) receipt day.
- An extension is allowed while the next working day after today is not after the due day
  (i.e. the letter goes out at least one working day before the due date).
- Finishing late does not require a reason: when none is given, it is written from the
  control-slip steps that overran their budget.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.catalog.models import Part, ProcedureVersion, WorkflowStep
from motcua.core.audit import Actor, actor_label, audit_log
from motcua.dossiers.applicants import Applicant, applicant_validate
from motcua.dossiers.classify import classify, local_date, step_result
from motcua.dossiers.errors import (
    ApplicantInvalid,
    ConflictError,
    DossierError,
    TransitionError,
)
from motcua.dossiers.models import (
    Channel,
    DeliveryChannel,
    Dossier,
    DossierClass,
    DossierEvent,
    DossierPart,
    DossierSequence,
    EndKind,
    EventType,
    Flag,
    Guidance,
    GuidanceKind,
    Handover,
    Status,
    StepResult,
)
from motcua.notify.models import Channel as NotifyChannel
from motcua.notify.services import InvalidRecipient, notification_enqueue
from motcua.workdays import clock
from motcua.workdays.calendar import WorkCalendar, get_calendar

__all__ = [
    "Applicant",
    "ApplicantInvalid",
    "ConflictError",
    "DossierError",
    "PartInput",
    "TransitionError",
    "dossier_accept",
    "dossier_complete",
    "dossier_deliver",
    "dossier_extend",
    "dossier_finish",
    "dossier_handover",
    "dossier_receive",
    "dossier_receive_supplement",
    "dossier_refuse",
    "dossier_reject",
    "dossier_reject_at_counter",
    "dossier_request_completion",
    "dossier_request_supplement",
    "dossier_stop",
    "dossier_submit",
    "dossier_withdraw",
    "dossiers_flag_overdue",
    "dossiers_stop_expired_supplements",
    "guidance_log",
]

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
class PartInput:
    """A document received: a part of the procedure (``part``) or an extra one (``name``)."""

    name: str = ""
    part: Part | None = None
    kind: str = ""
    copies: int = 1
    reused: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


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


def _save(
    locked: Dossier,
    original: Dossier | None,
    fields: Sequence[str],
) -> None:
    """Save the changed fields and the version; mirror them on the caller's instance."""
    locked.version = F("version") + 1
    names = sorted({*fields, "version", "updated_at"})
    locked.save(update_fields=names)
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
    event = DossierEvent.objects.create(
        dossier=dossier,
        type=type,
        at=at,
        actor=_user(actor),
        actor_label=actor_label(actor),
        from_status=from_status,
        to_status=dossier.status,
        data=data,
    )
    audit_log(
        actor=actor,
        action=type.value,
        object_type="dossier",
        object_id=dossier.code,
        data={"from": from_status, "to": dossier.status, **data},
    )
    return event


def _queue_notifications(dossier: Dossier, kind: str) -> None:
    """Tell the applicant (e-mail and SMS) about the change.

    The outbox rows are written in the service's transaction (a transactional outbox): a
    rolled-back change sends nothing, and the worker sends only after commit. An address
    that the outbox refuses (a landline, a typo) is skipped, not a reason to refuse the
    change itself."""
    recipients = []
    if dossier.applicant_email:
        recipients.append((NotifyChannel.EMAIL, dossier.applicant_email))
    phone = dossier.applicant_phone or dossier.representative_phone
    if phone:
        recipients.append((NotifyChannel.SMS, phone))
    for recipient in recipients:
        try:
            notification_enqueue(kind=kind, dossier=dossier, recipients=[recipient])
        except InvalidRecipient:
            continue


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


# --- code and secret ------------------------------------------------------------------------


def _next_sequence(agency: Agency, day: dt.date) -> int:
    """The next number of ``agency``'s day, unique under concurrent intake.

    ``UPDATE … SET last = last + 1`` takes the row lock, held until the intake commits, so two
    counters queue on it (PostgreSQL; SQLite serialises writers anyway). The day's first
    intake inserts the row; a concurrent first insert loses on the unique constraint and
    retries the update, which then waits for the winner's commit."""
    rows = DossierSequence.objects.filter(agency=agency, day=day)
    if not rows.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                DossierSequence.objects.create(agency=agency, day=day, last=1)
                return 1
        except IntegrityError:
            rows.update(last=F("last") + 1)
    return rows.values_list("last", flat=True).get()


def dossier_code_allocate(*, agency: Agency, at: dt.datetime) -> str:
    """``<agency code>-<YYMMDD>-<NNNN>`` (domain.md §4; TT 01/2018 Điều 26), local date.

    Must run inside the transaction that creates the dossier. A 10 000th dossier of one
    agency and day gets five digits rather than failing."""
    day = local_date(at)
    number = _next_sequence(agency, day)
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def dossier_secret_generate() -> str:
    """The lookup secret printed on the receipt: the code alone reveals nothing (§4, §12)."""
    return "".join(secrets.choice(SECRET_ALPHABET) for _i in range(SECRET_LENGTH))


# --- creation -------------------------------------------------------------------------------


def _new_dossier(
    *,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    channel: str,
    status: Status,
    at: dt.datetime,
    receiving_unit: Agency | None,
    owner: User | None,
) -> Dossier:
    applicant = applicant_validate(applicant)
    if channel not in Channel.values:
        raise _refuse(_("Hình thức nộp không hợp lệ: %(value)s.") % {"value": channel})
    agency = procedure_version.agency
    return Dossier.objects.create(
        code=dossier_code_allocate(agency=agency, at=at),
        secret=dossier_secret_generate(),
        procedure_version=procedure_version,
        agency=agency,
        level=procedure_version.level,
        field=procedure_version.field,
        receiving_unit=receiving_unit,
        channel=channel,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name,
        applicant_id_number=applicant.id_number,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        representative_name=applicant.representative_name,
        representative_phone=applicant.representative_phone,
        representative_id_number=applicant.representative_id_number,
        owner=owner,
        status=status,
        submitted_at=at if channel == Channel.ONLINE else None,
    )


def _add_parts(dossier: Dossier, parts: Iterable[PartInput]) -> list[DossierPart]:
    created = []
    for item in parts:
        name = item.name or (item.part.name if item.part else "")
        if not name.strip():
            raise _refuse(_("Thành phần hồ sơ phải có tên."))
        if item.copies < 1:
            raise _refuse(_("Số lượng bản của “%(name)s” phải từ 1 trở lên.") % {"name": name})
        created.append(
            DossierPart.objects.create(
                dossier=dossier,
                part=item.part,
                name=name.strip(),
                kind=item.kind or (item.part.kind if item.part else ""),
                copies=item.copies,
                reused=item.reused,
            )
        )
    return created


def _start_clock(dossier: Dossier, at: dt.datetime, *, restart: bool = False) -> None:
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
        explanation["restart_reason"] = str(_("Nhận đủ hồ sơ bổ sung: tính lại thời hạn từ đầu"))
    dossier.due_explanation = explanation


def dossier_submit(
    *,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    actor: Actor,
    owner: User | None = None,
    parts: Iterable[PartInput] = (),
) -> Dossier:
    """An online submission (from the national portal): waiting for the one-stop unit.

    Gets its code now (the portal shows it); must be accepted within 8 working hours."""
    now = _now()
    with transaction.atomic():
        dossier = _new_dossier(
            procedure_version=procedure_version,
            applicant=applicant,
            channel=Channel.ONLINE,
            status=Status.SUBMITTED,
            at=now,
            receiving_unit=None,
            owner=owner,
        )
        dossier.accept_by = clock.add_working_hours(now, ACCEPTANCE_HOURS, calendar=_calendar())
        dossier.save(update_fields=["accept_by"])
        _add_parts(dossier, parts)
        _event(
            dossier,
            type=EventType.SUBMITTED,
            actor=actor,
            at=now,
            data={"accept_by": _iso(dossier.accept_by)},
        )
    return dossier


def dossier_receive(
    *,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    actor: Actor,
    receiving_unit: Agency,
    channel: str = Channel.DIRECT,
    parts: Iterable[PartInput] = (),
    owner: User | None = None,
) -> Dossier:
    """Receive a complete dossier at the counter or by post (form 01): the clock starts now."""
    if channel == Channel.ONLINE:
        raise _refuse(_("Hồ sơ trực tuyến được tiếp nhận bằng chức năng “Tiếp nhận” hồ sơ đã nộp."))
    now = _now()
    with transaction.atomic():
        dossier = _new_dossier(
            procedure_version=procedure_version,
            applicant=applicant,
            channel=channel,
            status=Status.PROCESSING,
            at=now,
            receiving_unit=receiving_unit,
            owner=owner,
        )
        dossier.received_at = now
        _start_clock(dossier, now)
        dossier.printed_due_at = dossier.due_at
        dossier.current_unit = receiving_unit.name
        dossier.current_step_since = now
        dossier.save(
            update_fields=[
                "received_at",
                "due_at",
                "due_explanation",
                "printed_due_at",
                "current_unit",
                "current_step_since",
            ]
        )
        _add_parts(dossier, parts)
        _event(
            dossier,
            type=EventType.RECEIVED,
            actor=actor,
            at=now,
            data={"due_at": _iso(dossier.due_at), "channel": channel},
        )
        _queue_notifications(dossier, "received")
    return dossier


def dossier_reject_at_counter(
    *,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    actor: Actor,
    receiving_unit: Agency,
    reason: str,
    channel: str = Channel.DIRECT,
) -> Dossier:
    """Refuse a dossier at intake (form 03): it is recorded (for the form and the register)
    with its code but never received, so it counts in no period figure."""
    reason = _require_text(reason, _("lý do từ chối"))
    now = _now()
    with transaction.atomic():
        dossier = _new_dossier(
            procedure_version=procedure_version,
            applicant=applicant,
            channel=channel,
            status=Status.REJECTED,
            at=now,
            receiving_unit=receiving_unit,
            owner=None,
        )
        dossier.end_reason = reason
        dossier.save(update_fields=["end_reason"])
        _event(dossier, type=EventType.REJECTED, actor=actor, at=now, data={"reason": reason})
    return dossier


def guidance_log(
    *,
    unit: Agency,
    kind: str,
    actor: Actor,
    procedure_code: str = "",
    note: str = "",
) -> Guidance:
    """Record guidance given without receiving a dossier (in person or by phone)."""
    if kind not in GuidanceKind.values:
        raise _refuse(_("Hình thức hướng dẫn không hợp lệ: %(value)s.") % {"value": kind})
    guidance = Guidance.objects.create(
        at=_now(),
        kind=kind,
        unit=unit,
        procedure_code=procedure_code.strip(),
        note=note.strip(),
        actor=_user(actor),
    )
    audit_log(
        actor=actor,
        action="guidance",
        object_type="guidance",
        object_id=guidance.pk,
        data={"kind": kind, "unit": unit.code, "procedure": guidance.procedure_code},
    )
    return guidance


# --- online intake --------------------------------------------------------------------------


def dossier_accept(
    *,
    dossier: Dossier,
    actor: Actor,
    receiving_unit: Agency | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Accept an online dossier as complete and valid: the legal clock starts now."""
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, [Status.SUBMITTED], _("tiếp nhận hồ sơ"))
        before = locked.status
        fields = ["status", "received_at", "due_at", "due_explanation", "printed_due_at"]
        locked.status = Status.PROCESSING
        locked.received_at = now
        _start_clock(locked, now)
        locked.printed_due_at = locked.due_at
        if receiving_unit is not None:
            locked.receiving_unit = receiving_unit
            locked.current_unit = receiving_unit.name
            fields += ["receiving_unit", "current_unit"]
        locked.current_step_since = now
        fields.append("current_step_since")
        late = locked.accept_by is not None and now > locked.accept_by
        if late and _add_flag(locked, Flag.ACCEPTANCE_LATE):
            fields.append("flags")
        _save(locked, dossier, fields)
        _event(
            locked,
            type=EventType.RECEIVED,
            actor=actor,
            at=now,
            from_status=before,
            data={"due_at": _iso(locked.due_at), "acceptance_late": late},
        )
        _queue_notifications(locked, "received")
    return locked


def dossier_request_completion(
    *,
    dossier: Dossier,
    actor: Actor,
    items: Sequence[str],
    reason: str,
    expected_version: int | None = None,
) -> Dossier:
    """Ask the applicant to complete an online dossier before accepting it (form 02)."""
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise _refuse(_("Phải nêu ít nhất một nội dung cần bổ sung, hoàn thiện."))
    reason = _require_text(reason, _("lý do yêu cầu bổ sung"))
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, [Status.SUBMITTED], _("yêu cầu hoàn thiện hồ sơ"))
        before = locked.status
        locked.status = Status.NEEDS_COMPLETION
        _save(locked, dossier, ["status"])
        _event(
            locked,
            type=EventType.COMPLETION_REQUESTED,
            actor=actor,
            at=now,
            from_status=before,
            data={"items": items, "reason": reason},
        )
        _queue_notifications(locked, "supplement_requested")
    return locked


def dossier_complete(
    *,
    dossier: Dossier,
    actor: Actor,
    parts: Iterable[PartInput] = (),
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The applicant completed the dossier: it waits for acceptance again, with a new
    8-working-hour acceptance deadline from now."""
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, [Status.NEEDS_COMPLETION], _("nộp bổ sung, hoàn thiện"))
        before = locked.status
        locked.status = Status.SUBMITTED
        locked.accept_by = clock.add_working_hours(now, ACCEPTANCE_HOURS, calendar=_calendar())
        _save(locked, dossier, ["status", "accept_by"])
        added = _add_parts(locked, parts)
        _event(
            locked,
            type=EventType.COMPLETED,
            actor=actor,
            at=now,
            from_status=before,
            data={"parts": [p.name for p in added], "note": note.strip()},
        )
    return locked


def dossier_reject(
    *,
    dossier: Dossier,
    actor: Actor,
    reason: str,
    expected_version: int | None = None,
) -> Dossier:
    """Refuse an online dossier at intake (form 03). It was never received: no end kind."""
    reason = _require_text(reason, _("lý do từ chối"))
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, INTAKE_STATUSES, _("từ chối tiếp nhận"))
        before = locked.status
        locked.status = Status.REJECTED
        locked.end_reason = reason
        _save(locked, dossier, ["status", "end_reason"])
        _event(
            locked,
            type=EventType.REJECTED,
            actor=actor,
            at=now,
            from_status=before,
            data={"reason": reason},
        )
    return locked


# --- processing -------------------------------------------------------------------------------


def _open_handover(dossier: Dossier) -> Handover | None:
    return (
        Handover.objects.select_for_update()
        .filter(dossier=dossier, finished_at__isnull=True)
        .order_by("-position")
        .first()
    )


def _close_handover(row: Handover, at: dt.datetime) -> None:
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
    row.save(update_fields=fields)


def _next_step(dossier: Dossier) -> WorkflowStep | None:
    steps = WorkflowStep.objects.filter(version_id=dossier.procedure_version_id)
    if dossier.current_step_id is not None:
        current = dossier.current_step
        assert current is not None
        steps = steps.filter(position__gt=current.position)
    return steps.order_by("position").first()


def _person(actor: Actor) -> str:
    user = _user(actor)
    if user is not None:
        full = getattr(user, "get_full_name", lambda: "")()
        return full or user.get_username()
    return actor_label(actor)


def dossier_handover(
    *,
    dossier: Dossier,
    actor: Actor,
    to_unit: str = "",
    step: WorkflowStep | None = None,
    receiver_name: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Handover:
    """Hand the dossier to the next unit: one control-slip row (form 06).

    Closes the open row (its used working hours and its result against its budget) and opens
    the next. By default the next step of the pinned workflow, in order; after the last step
    (or once the result is ready) rows carry no step: the result going back to the one-stop
    unit. The first row is the one-stop unit handing to the competent agency."""
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, [Status.PROCESSING, Status.RESULT_READY], _("chuyển hồ sơ"))
        if step is not None and step.version_id != locked.procedure_version_id:
            raise _refuse(_("Bước xử lý không thuộc quy trình của thủ tục này."))
        if step is None and locked.status == Status.PROCESSING:
            step = _next_step(locked)
        to_unit = (to_unit or (step.unit if step else "")).strip()
        if not to_unit:
            raise _refuse(_("Phải chọn đơn vị nhận hồ sơ."))
        previous = _open_handover(locked)
        if previous is not None:
            _close_handover(previous, now)
        last = Handover.objects.filter(dossier=locked).order_by("-position").first()
        if last is not None:
            from_unit = last.to_unit
        elif locked.receiving_unit is not None:
            from_unit = locked.receiving_unit.name
        else:
            from_unit = locked.current_unit or str(_("Bộ phận Một cửa"))
        row = Handover.objects.create(
            dossier=locked,
            position=(last.position + 1) if last else 1,
            from_unit=from_unit,
            to_unit=to_unit,
            at=now,
            giver=_person(actor),
            receiver=receiver_name.strip(),
            step=step,
            step_name=step.name if step else "",
            budget_hours=step.hours if step else None,
            note=note.strip(),
        )
        locked.current_step = step
        locked.current_unit = to_unit
        locked.current_step_since = now
        _save(locked, dossier, ["current_step", "current_unit", "current_step_since"])
        _event(
            locked,
            type=EventType.HANDOVER,
            actor=actor,
            at=now,
            from_status=locked.status,
            data={
                "position": row.position,
                "from": from_unit,
                "to": to_unit,
                "step": row.step_name,
                "previous_result": previous.result if previous else "",
            },
        )
    return row


def _supplement_deadline(dossier: Dossier) -> dt.datetime:
    version = dossier.procedure_version
    assert dossier.received_at is not None
    return clock.due_at(
        dossier.received_at,
        SUPPLEMENT_REQUEST_DAYS,
        "working_days",
        cutoff=version.cutoff,
        calendar=_calendar(),
    )


def dossier_request_supplement(
    *,
    dossier: Dossier,
    actor: Actor,
    items: Sequence[str],
    reason: str,
    expected_version: int | None = None,
) -> Dossier:
    """Ask for a supplement during processing (form 02): the clock stops.

    ND 118/2025 Điều 19.5: within 3 working days of receipt (later: flagged), once (a second
    request is allowed, flagged, and makes the dossier late whatever its dates)."""
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise _refuse(_("Phải nêu ít nhất một nội dung cần bổ sung, hoàn thiện."))
    reason = _require_text(reason, _("lý do yêu cầu bổ sung"))
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, [Status.PROCESSING], _("yêu cầu bổ sung hồ sơ"))
        before = locked.status
        fields = ["status", "supplement_count", "supplement_requested_at"]
        late = now > _supplement_deadline(locked)
        if late and _add_flag(locked, Flag.SUPPLEMENT_LATE):
            fields.append("flags")
        if locked.supplement_count >= 1 and _add_flag(locked, Flag.SUPPLEMENT_REPEATED):
            fields.append("flags")
        locked.status = Status.SUPPLEMENT_REQUESTED
        locked.supplement_count += 1
        locked.supplement_requested_at = now
        _save(locked, dossier, fields)
        _event(
            locked,
            type=EventType.SUPPLEMENT_REQUESTED,
            actor=actor,
            at=now,
            from_status=before,
            data={
                "items": items,
                "reason": reason,
                "number": locked.supplement_count,
                "late": late,
                "due_at_before": _iso(locked.due_at),
            },
        )
        _queue_notifications(locked, "supplement_requested")
    return locked


def dossier_receive_supplement(
    *,
    dossier: Dossier,
    actor: Actor,
    parts: Iterable[PartInput] = (),
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The complete supplement arrived: the clock restarts from zero (ND 118/2025 Điều 19.5).

    The new due date is computed from the procedure as for a new receipt now; the receipt
    date of the dossier (``received_at``, what reports count) does not change."""
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, [Status.SUPPLEMENT_REQUESTED], _("nhận hồ sơ bổ sung"))
        before = locked.status
        previous_due = locked.due_at
        locked.status = Status.PROCESSING
        _start_clock(locked, now, restart=True)
        fields = ["status", "due_at", "due_explanation"]
        # An appointment promised before the restart no longer means anything once the new
        # legal due date is later; the apology stays on record.
        if (
            locked.extended_due_at is not None
            and locked.due_at is not None
            and locked.extended_due_at <= locked.due_at
        ):
            locked.extended_due_at = None
            fields.append("extended_due_at")
        _save(locked, dossier, fields)
        added = _add_parts(locked, parts)
        _event(
            locked,
            type=EventType.SUPPLEMENT_RECEIVED,
            actor=actor,
            at=now,
            from_status=before,
            data={
                "due_at_before": _iso(previous_due),
                "due_at": _iso(locked.due_at),
                "parts": [p.name for p in added],
                "note": note.strip(),
            },
        )
        _queue_notifications(locked, "received")
    return locked


def dossier_extend(
    *,
    dossier: Dossier,
    actor: Actor,
    reason: str,
    new_due_at: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """Apologise and set one new appointment (form 04; ND 118/2025 Điều 19.6).

    Only once, with a reason, at least one working day before the due date, and later than
    the current appointment. Classification still uses ``due_at``: an extension does not make
    a late dossier on time."""
    reason = _require_text(reason, _("lý do gia hạn"))
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, [Status.PROCESSING], _("gia hạn giải quyết"))
        assert locked.due_at is not None
        if locked.extension_count >= 1:
            raise _refuse(
                _("Hồ sơ %(code)s đã được gia hạn một lần; không được gia hạn lần nữa.")
                % {"code": locked.code}
            )
        calendar = _calendar()
        next_working = clock.add_working_days(local_date(now), 1, calendar=calendar)
        if next_working > local_date(locked.due_at):
            raise _refuse(
                _(
                    "Văn bản xin lỗi và gia hạn phải gửi chậm nhất 01 ngày làm việc trước "
                    "ngày hẹn trả (%(due)s)."
                )
                % {"due": f"{local_date(locked.due_at):%d/%m/%Y}"}
            )
        current = locked.extended_due_at or locked.due_at
        if new_due_at <= current:
            raise _refuse(_("Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại."))
        before = locked.status
        locked.extended_due_at = new_due_at
        locked.extension_count += 1
        locked.has_apology = True
        _save(locked, dossier, ["extended_due_at", "extension_count", "has_apology"])
        _event(
            locked,
            type=EventType.EXTENSION,
            actor=actor,
            at=now,
            from_status=before,
            data={"reason": reason, "due_at": _iso(current), "new_due_at": _iso(new_due_at)},
        )
        _queue_notifications(locked, "extension")
    return locked


# --- ends -----------------------------------------------------------------------------------


def _end(locked: Dossier, kind: EndKind, at: dt.datetime) -> list[str]:
    """The first ending event sets ``ended_at`` and ``end_kind`` (domain.md §6)."""
    locked.ended_at = at
    locked.end_kind = kind
    return ["ended_at", "end_kind"]


def _late_steps(locked: Dossier) -> list[str]:
    rows = Handover.objects.filter(dossier=locked, result=StepResult.LATE).order_by("position")
    return [row.step_name or row.to_unit for row in rows]


def dossier_finish(
    *,
    dossier: Dossier,
    actor: Actor,
    late_reason: str = "",
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The result is ready: the dossier ends and is classed early / on time / late.

    Closes the open control-slip row (the unit that produced the result). A late dossier keeps
    the steps that overran and a reason (given, or written from those steps)."""
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, [Status.PROCESSING], _("hoàn thành hồ sơ"))
        assert locked.due_at is not None
        before = locked.status
        row = _open_handover(locked)
        if row is not None:
            _close_handover(row, now)
        fields = ["status", "dossier_class", *_end(locked, EndKind.RESULT, now)]
        locked.status = Status.RESULT_READY
        locked.dossier_class = classify(
            ended_at=now,
            due_at=locked.due_at,
            unit=locked.procedure_version.unit,
            supplement_count=locked.supplement_count,
        )
        if locked.dossier_class == DossierClass.LATE:
            steps = _late_steps(locked)
            locked.late_steps = "; ".join(steps)[:500]
            reason = late_reason.strip()
            if not reason:
                if steps:
                    reason = _("Quá hạn tại bước: %(steps)s") % {"steps": ", ".join(steps)}
                elif locked.supplement_count > 1:
                    reason = _("Yêu cầu bổ sung hồ sơ nhiều hơn một lần")
                else:
                    reason = _("Giải quyết quá thời hạn quy định")
            locked.late_reason = reason
            fields += ["late_steps", "late_reason"]
        _save(locked, dossier, fields)
        _event(
            locked,
            type=EventType.RESULT_READY,
            actor=actor,
            at=now,
            from_status=before,
            data={"class": locked.dossier_class, "late_reason": locked.late_reason, "note": note},
        )
        _queue_notifications(locked, "result_ready")
    return locked


def _end_service(
    *,
    dossier: Dossier,
    actor: Actor,
    reason: str,
    allowed: Sequence[str],
    action: str,
    status: Status,
    kind: EndKind,
    event: EventType,
    expected_version: int | None,
    ends_if_received: bool = True,
) -> Dossier:
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, allowed, action)
        before = locked.status
        locked.status = status
        locked.end_reason = reason
        fields = ["status", "end_reason"]
        # Only a received dossier has a legal end (reports count it); an online one withdrawn
        # before acceptance was never received.
        if ends_if_received and locked.received_at is not None and locked.ended_at is None:
            fields += _end(locked, kind, now)
        row = _open_handover(locked)
        if row is not None:
            _close_handover(row, now)
        _save(locked, dossier, fields)
        _event(locked, type=event, actor=actor, at=now, from_status=before, data={"reason": reason})
    return locked


def dossier_refuse(
    *,
    dossier: Dossier,
    actor: Actor,
    reason: str,
    expected_version: int | None = None,
) -> Dossier:
    """Return the dossier after appraisal: it does not qualify (form 03, signed by the agency).
    Counted apart from early / on time / late."""
    return _end_service(
        dossier=dossier,
        actor=actor,
        reason=_require_text(reason, _("lý do trả lại hồ sơ")),
        allowed=OPEN_STATUSES,
        action=_("trả lại hồ sơ"),
        status=Status.REFUSED,
        kind=EndKind.REFUSED,
        event=EventType.REFUSED,
        expected_version=expected_version,
    )


def dossier_withdraw(
    *,
    dossier: Dossier,
    actor: Actor,
    reason: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The applicant withdraws the dossier (before or after acceptance, before the result)."""
    return _end_service(
        dossier=dossier,
        actor=actor,
        reason=reason.strip() or str(_("Người nộp đề nghị rút hồ sơ")),
        allowed=(*INTAKE_STATUSES, *OPEN_STATUSES),
        action=_("rút hồ sơ"),
        status=Status.WITHDRAWN,
        kind=EndKind.WITHDRAWN,
        event=EventType.WITHDRAWN,
        expected_version=expected_version,
    )


def dossier_stop(
    *,
    dossier: Dossier,
    actor: Actor,
    reason: str,
    expected_version: int | None = None,
) -> Dossier:
    """Stop processing (form 05): the applicant asked, or no supplement came in time."""
    return _end_service(
        dossier=dossier,
        actor=actor,
        reason=_require_text(reason, _("lý do dừng giải quyết")),
        allowed=OPEN_STATUSES,
        action=_("dừng giải quyết hồ sơ"),
        status=Status.STOPPED,
        kind=EndKind.STOPPED,
        event=EventType.STOPPED,
        expected_version=expected_version,
    )


def dossier_deliver(
    *,
    dossier: Dossier,
    actor: Actor,
    channel: str,
    reference: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """Return the result to the applicant: at the counter, by post (with the postal reference)
    or online. A later event than the end; its channel is reported (postal returns)."""
    if channel not in DeliveryChannel.values:
        raise _refuse(_("Hình thức trả kết quả không hợp lệ: %(value)s.") % {"value": channel})
    if channel == DeliveryChannel.POSTAL and not reference.strip():
        raise _refuse(_("Phải nhập số hiệu bưu gửi khi trả kết quả qua bưu chính."))
    now = _now()
    with transaction.atomic():
        locked = _lock(dossier, expected_version)
        _require_status(locked, [Status.RESULT_READY], _("trả kết quả"))
        before = locked.status
        row = _open_handover(locked)
        if row is not None:
            _close_handover(row, now)
        locked.status = Status.DELIVERED
        locked.delivered_at = now
        locked.delivery_channel = channel
        _save(locked, dossier, ["status", "delivered_at", "delivery_channel"])
        _event(
            locked,
            type=EventType.RESULT_DELIVERED,
            actor=actor,
            at=now,
            from_status=before,
            data={"channel": channel, "reference": reference.strip()},
        )
    return locked


# --- scans for the worker ---------------------------------------------------------------------


def dossiers_stop_expired_supplements(now: dt.datetime | None = None) -> list[Dossier]:
    """Stop the dossiers whose supplement has not come within the time allowed (form 05).

    "15 days" are calendar days (the law says "ngày", not "ngày làm việc"); the whole 15th
    local day is allowed, so a request on 1/3 stops on 17/3."""
    now = now or _now()
    days = int(_setting("SUPPLEMENT_WAIT_DAYS", 15))
    today = local_date(now)
    stopped = []
    candidates = Dossier.objects.filter(
        status=Status.SUPPLEMENT_REQUESTED,
        supplement_requested_at__lt=now - dt.timedelta(days=days),
    ).only("pk", "supplement_requested_at")
    for dossier in candidates:
        assert dossier.supplement_requested_at is not None
        if (today - local_date(dossier.supplement_requested_at)).days <= days:
            continue
        try:
            stopped.append(
                dossier_stop(
                    dossier=dossier,
                    actor="system",
                    reason=str(
                        _("Không nhận được hồ sơ bổ sung trong thời hạn %(days)s ngày")
                        % {"days": days}
                    ),
                )
            )
        except TransitionError:
            continue  # supplemented or ended meanwhile: nothing to stop
    return stopped


def dossiers_flag_overdue(now: dt.datetime | None = None) -> int:
    """Flag online dossiers not accepted in time and open dossiers past their due date.

    Flags only (no status change): the scan of the worker; returns how many were flagged."""
    now = now or _now()
    count = 0
    targets = [
        (
            Dossier.objects.filter(status=Status.SUBMITTED, accept_by__lt=now),
            Flag.ACCEPTANCE_OVERDUE,
        ),
        (Dossier.objects.filter(status=Status.PROCESSING, due_at__lt=now), Flag.OVERDUE),
    ]
    for queryset, flag in targets:
        for pk in queryset.values_list("pk", flat=True):
            with transaction.atomic():
                locked = Dossier.objects.select_for_update().get(pk=pk)
                if flag.value in (locked.flags or []):
                    continue
                _add_flag(locked, flag)
                _save(locked, None, ["flags"])
                audit_log(
                    actor="system",
                    action="flag",
                    object_type="dossier",
                    object_id=locked.code,
                    data={"flag": flag.value},
                )
                count += 1
    return count
