"""Creating dossiers: online submission and acceptance, the counter and the post, refusals
at intake, guidance (forms 01, 02, 03)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.archive.files import atomic_with_files
from motcua.archive.models import Origin
from motcua.catalog.models import ProcedureVersion, WorkflowStep
from motcua.catalog.queries import version_steps
from motcua.core.audit import Actor, audit_log
from motcua.core.prepared import row_insert
from motcua.dossiers.applicants import Applicant, applicant_validate, result_address_check
from motcua.dossiers.classify import local_date, payment_last_day
from motcua.dossiers.errors import DuplicateExternalRef
from motcua.dossiers.held import dossier_hold, relation_hold
from motcua.dossiers.intake_points import point_refusal
from motcua.dossiers.listeners import created_listeners_run, save_listeners_batched
from motcua.dossiers.models import (
    Channel,
    DeliveryChannel,
    Dossier,
    DossierEvent,
    EventType,
    Flag,
    Guidance,
    GuidanceKind,
    Status,
)
from motcua.dossiers.notices import dossier_notice
from motcua.dossiers.payment_gate import payment_first
from motcua.dossiers.rules import Action, require_action
from motcua.dossiers.services.base import (
    ACCEPTANCE_HOURS,
    PartInput,
    _add_flag,
    _add_parts,
    _calendar,
    _deadline_flags_refresh,
    _event,
    _iso,
    _lock,
    _now,
    _parts_record,
    _refuse,
    _require_text,
    _save,
    _start_clock,
    _step_begin,
    _user,
    dossier_code_allocate,
    dossier_secret_generate,
    numbers_given_back,
    parts_check,
)
from motcua.workdays import clock

# --- creation -------------------------------------------------------------------------------


def _require_in_force(version: ProcedureVersion, day: dt.date) -> None:
    """A dossier is received under the rules in force that day (domain.md §2): a version
    outside its validity, or an agency that has ceased (merged away), is refused."""
    if (version.valid_from and day < version.valid_from) or (
        version.valid_to and day > version.valid_to
    ):
        raise _refuse(
            _("Thủ tục “%(name)s” (phiên bản %(number)s) không có hiệu lực vào ngày %(day)s.")
            % {"name": version.name, "number": version.number, "day": f"{day:%d/%m/%Y}"}
        )
    agency = version.agency
    if not agency.is_valid_on(day):
        successor = agency.successor
        message = _("%(agency)s đã ngừng hoạt động; không tiếp nhận hồ sơ mới.") % {
            "agency": agency.name
        }
        if successor is not None:
            message += " " + _("Cơ quan kế thừa: %(name)s.") % {"name": successor.name}
        raise _refuse(message)


def _require_receivable(version: ProcedureVersion, receiving_unit: Agency, day: dt.date) -> None:
    """The receiving point may receive the procedure (``intake_points``: its own committee's
    at its level, or the province's boundary-free list); else refused with the reason."""
    refused = point_refusal(receiving_unit, version, day)
    if refused is not None:
        raise _refuse(refused.message)


def _counter_step(dossier: Dossier, receiving_unit: Agency) -> WorkflowStep | None:
    """The workflow's first step when the receiving counter performs it ("tiếp nhận, kiểm tra
    và chuyển hồ sơ"): the dossier is in that step from receipt, so the first hand-over
    (form 06, row 1: one-stop unit → competent agency) goes to the next one."""
    # The version's steps as they are now (a caller's version object may outlive a change
    # of its workflow; ``version_steps`` is kept while the catalogue is unchanged), held on
    # it: the rules read the same list for the actions in the response
    # (``rules.actor_standing``) instead of a second query.
    version = dossier.procedure_version
    steps = version_steps(version)
    for step in steps:
        step.version = version
    relation_hold(version, "steps", steps)
    first = min(steps, key=lambda s: s.position, default=None)
    if first is not None and first.unit_id == receiving_unit.pk:
        return first
    return None


def _new_dossier(
    *,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    channel: str,
    status: Status,
    at: dt.datetime,
    receiving_unit: Agency | None,
    owner: User | None,
    external: ExternalRef | None = None,
    prepare: Callable[[Dossier], None] | None = None,
) -> Dossier:
    """The new dossier's row; ``prepare`` sets what the caller computes from it (deadlines,
    step) before the one INSERT, rather than in an UPDATE after it."""
    applicant = applicant_validate(applicant)
    if channel not in Channel.values:
        raise _refuse(_("Hình thức nộp không hợp lệ: %(value)s.") % {"value": channel})
    _require_in_force(procedure_version, local_date(at))
    if external is not None and external.ref:
        _external_ref_check(external)
        # A savepoint, so that a concurrent twin's unique violation can be answered with the
        # code of the dossier that won (PostgreSQL aborts the transaction otherwise).
        try:
            with transaction.atomic():
                return _dossier_insert(
                    procedure_version,
                    applicant,
                    channel,
                    status,
                    at,
                    receiving_unit,
                    owner,
                    external,
                    prepare,
                )
        except IntegrityError:
            _external_ref_check(external)
            raise
    return _dossier_insert(
        procedure_version, applicant, channel, status, at, receiving_unit, owner, None, prepare
    )


@dataclass(frozen=True)
class ExternalRef:
    """A dossier's code in the system it came from (``source``: e.g. ``dvcqg``, the national
    portal): one dossier per (source, ref)."""

    source: str
    ref: str


def _external_ref_check(external: ExternalRef) -> None:
    existing = (
        Dossier.objects.filter(external_source=external.source, external_ref=external.ref)
        .values_list("code", flat=True)
        .first()
    )
    if existing is not None:
        raise DuplicateExternalRef(
            _("Hồ sơ có mã %(ref)s của hệ thống %(source)s đã có: %(code)s.")
            % {"ref": external.ref, "source": external.source or "—", "code": existing},
            code=existing,
        )


def _dossier_insert(
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    channel: str,
    status: Status,
    at: dt.datetime,
    receiving_unit: Agency | None,
    owner: User | None,
    external: ExternalRef | None,
    prepare: Callable[[Dossier], None] | None = None,
) -> Dossier:
    agency = procedure_version.agency
    dossier = Dossier(
        external_source=external.source if external else "",
        external_ref=external.ref if external else "",
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
    if prepare is not None:
        prepare(dossier)
    # The number last, after every check that may refuse the dossier (``prepare`` checks
    # its parts): a refused receipt takes none (``base._next_sequence``).
    dossier.code = dossier_code_allocate(agency=agency, at=at)
    return row_insert(dossier)


def _payment_requested(dossier: Dossier, actor: Actor, at: dt.datetime) -> DossierEvent:
    """The event and the notice of a dossier received to wait for its fee: what to pay (the
    fee assessed with the receipt, by ``fees``) and by when (``classify.payment_last_day``)."""
    assert dossier.received_at is not None
    last_day = payment_last_day(dossier.received_at)
    event = _event(
        dossier,
        type=EventType.PAYMENT_REQUESTED,
        actor=actor,
        at=at,
        from_status=Status.AWAITING_PAYMENT,
        data={"amount": dossier.fee_total, "pay_by": last_day.isoformat()},
    )
    dossier_notice(dossier, EventType.PAYMENT_REQUESTED)
    return event


def _check_result_channel(result_channel: str) -> None:
    if result_channel and result_channel not in DeliveryChannel.values:
        raise _refuse(
            _("Hình thức nhận kết quả không hợp lệ: %(value)s.") % {"value": result_channel}
        )


def dossier_submit(
    *,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    actor: Actor,
    owner: User | None = None,
    parts: Iterable[PartInput] = (),
    external: ExternalRef | None = None,
    result_channel: str = "",
) -> Dossier:
    """An online submission (from the national portal): waiting for the one-stop unit.

    Gets its code now (the portal shows it); must be accepted within 8 working hours.
    ``result_channel`` is how the applicant asked to get the result, as for ``dossier_receive``
    (online too: an electronic result sent to their account); by post it needs the
    applicant's address (``result_address_check``)."""
    _check_result_channel(result_channel)
    result_address_check(result_channel, applicant)
    now = _now()

    parts = list(parts)

    def prepare(dossier: Dossier) -> None:
        parts_check(dossier, parts)
        dossier.accept_by = clock.add_working_hours(now, ACCEPTANCE_HOURS, calendar=_calendar())
        dossier.delivery_channel = result_channel

    with numbers_given_back(), atomic_with_files(), save_listeners_batched():
        dossier = _new_dossier(
            procedure_version=procedure_version,
            applicant=applicant,
            channel=Channel.ONLINE,
            status=Status.SUBMITTED,
            at=now,
            receiving_unit=None,
            owner=owner,
            external=external,
            prepare=prepare,
        )
        _add_parts(dossier, parts, actor=actor, origin=Origin.ONLINE)
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
    result_channel: str = "",
    external: ExternalRef | None = None,
    postal_item_number: str = "",
) -> Dossier:
    """Receive a complete dossier at the counter or by post (form 01): the clock starts now.

    Each part is digitised at intake (ND 118/2025): its scans (``PartInput.files``), or a
    stored document of the applicant reused instead of a new copy (``reuse_of``, found by
    their ID number), or the reason it was not digitised; the receipt event records which.

    ``receiving_unit`` must be a one-stop point that may receive the procedure
    (``dossiers.intake_points``); the dossier is the competent agency's (code, workflow,
    figures) and records where it was received.

    ``result_channel`` is how the applicant asked to get the result (at the counter or by
    post): kept in ``delivery_channel`` until the delivery records the channel actually used,
    so that form 01 prints it and the counter knows which results to post.

    ``postal_item_number``: the postal item number (số hiệu bưu gửi) a dossier received by
    post came with; only for those."""
    postal_item_number = postal_item_number.strip()
    if postal_item_number and channel != Channel.POSTAL:
        raise _refuse(_("Số hiệu bưu gửi chỉ ghi cho hồ sơ nhận qua bưu chính."))
    if len(postal_item_number) > 40:
        raise _refuse(_("Số hiệu bưu gửi dài quá 40 ký tự."))
    if channel == Channel.ONLINE:
        raise _refuse(_("Hồ sơ trực tuyến được tiếp nhận bằng chức năng “Tiếp nhận” hồ sơ đã nộp."))
    _check_result_channel(result_channel)
    result_address_check(result_channel, applicant)
    now = _now()
    _require_receivable(procedure_version, receiving_unit, local_date(now))

    parts = list(parts)

    def prepare(dossier: Dossier) -> None:
        parts_check(dossier, parts, at_counter=True)
        dossier.received_at = now
        _start_clock(dossier, now)
        dossier.printed_due_at = dossier.due_at
        if payment_first(dossier):
            # Issue 17: received, the work waits for the fee with the clock stopped.
            dossier.status = Status.AWAITING_PAYMENT
        dossier.current_unit = receiving_unit
        _step_begin(dossier, _counter_step(dossier, receiving_unit), now)
        dossier.delivery_channel = result_channel
        dossier.postal_item_number = postal_item_number

    with numbers_given_back(), atomic_with_files(), save_listeners_batched():
        dossier = _new_dossier(
            procedure_version=procedure_version,
            applicant=applicant,
            channel=channel,
            status=Status.PROCESSING,
            at=now,
            receiving_unit=receiving_unit,
            owner=owner,
            external=external,
            prepare=prepare,
        )
        created_listeners_run(dossier)
        added = _add_parts(dossier, parts, actor=actor, origin=Origin.SCAN, at_counter=True)
        event = _event(
            dossier,
            type=EventType.RECEIVED,
            actor=actor,
            at=now,
            data={
                "due_at": _iso(dossier.due_at),
                "channel": channel,
                **({"result_channel": result_channel} if result_channel else {}),
                **({"postal_item_number": postal_item_number} if postal_item_number else {}),
                **({"parts": _parts_record(added)} if added else {}),
            },
        )
        dossier_notice(dossier, EventType.RECEIVED)
        events = [event]
        if dossier.status == Status.AWAITING_PAYMENT:
            events.append(_payment_requested(dossier, actor, now))
        # All that the new dossier has, kept on it (``dossiers.held``): whoever shows it next
        # (the API's 201) need not read it back.
        dossier_hold(
            dossier,
            parts=added,
            events=events,
            handovers=[],
            documents=[d for part in added for d in part.documents.all()],
        )
        relation_hold(dossier, "payments", [])  # a new dossier has paid nothing yet
    return dossier


def dossier_reject_at_counter(
    *,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    actor: Actor,
    receiving_unit: Agency,
    reason: str,
    channel: str = Channel.DIRECT,
    external: ExternalRef | None = None,
) -> Dossier:
    """Refuse a dossier at intake (form 03): it is recorded (for the form and the register)
    with its code but never received, so it counts in no period figure."""
    reason = _require_text(reason, _("lý do từ chối"))
    now = _now()
    _require_receivable(procedure_version, receiving_unit, local_date(now))
    with numbers_given_back(), transaction.atomic(), save_listeners_batched():
        dossier = _new_dossier(
            procedure_version=procedure_version,
            applicant=applicant,
            channel=channel,
            status=Status.REJECTED,
            at=now,
            receiving_unit=receiving_unit,
            owner=None,
            external=external,
        )
        dossier.end_reason = reason
        dossier.save(update_fields=["end_reason"])
        _event(dossier, type=EventType.REJECTED, actor=actor, at=now, data={"reason": reason})
        dossier_notice(dossier, EventType.REJECTED, reason=reason)
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


def guidance_sheet_issue(
    *,
    unit: Agency,
    actor: Actor,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    items: Sequence[str],
    reason: str,
    contact_phone: str,
) -> Guidance:
    """Guide a visitor whose dossier is incomplete instead of receiving it (form 02 at the
    counter): record the guidance contact with its sheet, numbered per unit and year, and
    what the sheet prints (the missing parts, the reason, whom to call), so that the PDF
    (``forms_docs.render_guidance_sheet``) can be printed and reprinted as it was given.

    The one-stop rules (ND 118/2025; ND 61/2018 before 1/7/2025, TT 01/2018 mẫu 02): an
    incomplete dossier is not received; the officer says in writing, once and completely,
    what must be supplied."""
    item_list = [i.strip() for i in items if i and i.strip()]
    if not item_list:
        raise _refuse(_("Phải nhập ít nhất một nội dung cần bổ sung, hoàn thiện."))
    reason = _require_text(reason, _("lý do hướng dẫn bổ sung"))
    contact_phone = _require_text(contact_phone, _("số điện thoại liên hệ"))
    name = _require_text(applicant.name, _("tên người nộp hồ sơ"))
    now = _now()
    year = local_date(now).year
    with transaction.atomic(), save_listeners_batched():
        # One number per unit and year: the unit's row serialises two counters printing at
        # once (the unique constraint is the backstop).
        Agency.objects.select_for_update().filter(pk=unit.pk).first()
        last = (
            Guidance.objects.filter(unit=unit, sheet_year=year)
            .order_by("-sheet_number")
            .values_list("sheet_number", flat=True)
            .first()
        )
        guidance = Guidance.objects.create(
            at=now,
            kind=GuidanceKind.DIRECT,
            unit=unit,
            procedure_code=procedure_version.procedure.code,
            procedure_version=procedure_version,
            note="; ".join(item_list),
            actor=_user(actor),
            sheet_year=year,
            sheet_number=(last or 0) + 1,
            applicant_kind=applicant.kind,
            applicant_name=name,
            applicant_phone=applicant.phone.strip(),
            applicant_email=applicant.email.strip(),
            applicant_address=applicant.address.strip(),
            items=item_list,
            reason=reason,
            contact_phone=contact_phone,
        )
        audit_log(
            actor=actor,
            action="guidance",
            object_type="guidance",
            object_id=guidance.pk,
            data={
                "kind": guidance.kind,
                "unit": unit.code,
                "procedure": guidance.procedure_code,
                "sheet": f"{guidance.sheet_number}/{year}",
            },
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
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.ACCEPT)
        before = locked.status
        fields = ["status", "received_at", "due_at", "due_explanation", "printed_due_at"]
        locked.status = Status.PROCESSING
        locked.received_at = now
        _start_clock(locked, now)
        locked.printed_due_at = locked.due_at
        step = locked.current_step
        if receiving_unit is not None:
            locked.receiving_unit = receiving_unit
            locked.current_unit, locked.current_unit_label = receiving_unit, ""
            step = _counter_step(locked, receiving_unit)
            fields += ["receiving_unit", "current_unit", "current_unit_label"]
        fields += _step_begin(locked, step, now)
        if payment_first(locked):
            # Issue 17: accepted, the work waits for the fee with the clock stopped.
            locked.status = Status.AWAITING_PAYMENT
        late = locked.accept_by is not None and now > locked.accept_by
        if late and _add_flag(locked, Flag.ACCEPTANCE_LATE):
            fields.append("flags")
        # No longer waiting: ACCEPTANCE_LATE above is the record of a late acceptance.
        if _deadline_flags_refresh(locked, now) and "flags" not in fields:
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
        dossier_notice(locked, EventType.RECEIVED)
        if locked.status == Status.AWAITING_PAYMENT:
            _payment_requested(locked, actor, now)
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
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.REQUEST_COMPLETION)
        before = locked.status
        locked.status = Status.NEEDS_COMPLETION
        fields = ["status"]
        # The acceptance wait starts again when the dossier is completed.
        if _deadline_flags_refresh(locked, now):
            fields.append("flags")
        _save(locked, dossier, fields)
        _event(
            locked,
            type=EventType.COMPLETION_REQUESTED,
            actor=actor,
            at=now,
            from_status=before,
            data={"items": items, "reason": reason},
        )
        dossier_notice(locked, EventType.COMPLETION_REQUESTED, items=items, reason=reason)
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
    with atomic_with_files(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.COMPLETE)
        before = locked.status
        locked.status = Status.SUBMITTED
        locked.accept_by = clock.add_working_hours(now, ACCEPTANCE_HOURS, calendar=_calendar())
        fields = ["status", "accept_by"]
        if _deadline_flags_refresh(locked, now):
            fields.append("flags")
        _save(locked, dossier, fields)
        added = _add_parts(locked, parts, actor=actor, origin=Origin.ONLINE)
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
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.REJECT)
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
        dossier_notice(locked, EventType.REJECTED, reason=reason)
    return locked
