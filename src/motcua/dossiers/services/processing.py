"""While a dossier is processed: the control slip, supplements, the extension (forms 02, 04, 06)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import PurePath

from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.agencies.units import UnitRef, unit_resolve
from motcua.archive.files import atomic_with_files, file_store
from motcua.archive.models import Origin
from motcua.catalog.models import WorkflowStep
from motcua.core.audit import Actor
from motcua.core.models import StaffProfile
from motcua.core.people import person_name
from motcua.dossiers.classify import clock_start, local_date, step_result
from motcua.dossiers.errors import ActorNotAllowed
from motcua.dossiers.listeners import save_listeners_batched
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    EventType,
    Flag,
    Handover,
    Status,
)
from motcua.dossiers.notices import dossier_notice
from motcua.dossiers.rules import Action, PaymentAction, require_action, require_payment_action
from motcua.dossiers.services.base import (
    SUPPLEMENT_REQUEST_DAYS,
    PartInput,
    _add_flag,
    _add_parts,
    _calendar,
    _close_handover,
    _deadline_flags_refresh,
    _event,
    _iso,
    _lock,
    _now,
    _open_handover,
    _person,
    _refuse,
    _require_text,
    _save,
    _setting,
    _start_clock,
    _step_begin,
)
from motcua.dossiers.services.holder import (
    _is_leading,
    handover_route,
    next_step,
)
from motcua.dossiers.uploads import result_file_check
from motcua.workdays import clock

# The longest wait one apology may announce, counted from the later of the current appointment
# and today. The law sets no limit; six weeks of working days is longer than most procedures'
# whole legal time, so it never stops a genuine delay, and it catches a mistyped year.
EXTENSION_MAX_WORKING_DAYS = 30

# --- processing -------------------------------------------------------------------------------


def _is_step_unit(unit: UnitRef, step: WorkflowStep) -> bool:
    """Whether ``unit`` is the unit performing ``step`` (the same agency, or the same label
    for a unit outside the register)."""
    if unit.agency is not None:
        return unit.agency.pk == step.unit_id
    return step.unit_id is None and unit.label == step.unit_label


def _judge_counter_step(dossier: Dossier, at: dt.datetime) -> dict[str, str]:
    """The counter's own first step, ended by the first hand-over at ``at``: working hours
    since it began (receipt, or the supplement's arrival) and the result against its budget."""
    step = dossier.current_step
    assert step is not None and dossier.current_step_since is not None
    calendar = _calendar()
    since = dossier.current_step_since
    used = Decimal(str(clock.working_hours_between(since, at, calendar=calendar)))
    used = used.quantize(Decimal("0.01"))
    due = clock.add_working_hours(since, step.hours, calendar=calendar)
    result = step_result(finished_at=at, step_due_at=due)
    hours = f"{used.normalize():f}".replace(".", ",")
    budget = f"{step.hours.normalize():f}".replace(".", ",")
    note = _("%(step)s: %(used)s/%(budget)s giờ, %(result)s") % {
        "step": step.name,
        "used": hours,
        "budget": budget,
        "result": str(result.label).lower(),
    }
    return {"step": step.name, "result": str(result.value), "hours": str(used), "note": note}


def dossier_handover(
    *,
    dossier: Dossier,
    actor: Actor,
    to_unit: Agency | str = "",
    step: WorkflowStep | None = None,
    receiver_name: str = "",
    assignee: User | None = None,
    note: str = "",
    draft: File | None = None,
    expected_version: int | None = None,
) -> Handover:
    """Hand the dossier to the next unit: one control-slip row (form 06).

    ``note`` and ``draft`` are the proposal that travels with the dossier: what the giver
    tells the next holder and the draft (a result to sign, a report) they attach; both are on
    the row, shown on the dossier page and printed on form 06.

    Closes the open row (its used working hours and its result against its budget) and opens
    the next. By default the next step of the pinned workflow, in order; after the last step
    (or once the result is ready) rows carry no step: the result going back to the one-stop
    unit. The first row is the one-stop unit handing to the competent agency (forms.md,
    form 06).

    When the receiving counter performs the workflow's first step, the dossier is in that step
    from receipt (``dossier_receive``/``dossier_accept``), so the first hand-over goes to
    step 2. A row records the step its *receiving* unit performs, so the counter's own step
    has no row of its own: the first hand-over judges it (working hours from receipt, result
    against the step's budget, as ``_close_handover`` does for any row) and writes that in
    the first row's note and in the hand-over event (``counter_step_result``, which
    ``dossier_finish`` reads for the steps that overran).

    ``to_unit``: the receiving unit, an agency, or text: the code or exact name of an agency
    of the register, else a label for a unit outside it (``agencies.units.unit_resolve``, the
    one place a unit given as text by the staff page or the API is resolved). By default the
    unit of the step.

    ``assignee``: the person of the receiving unit (or of a unit under it) the dossier goes to;
    it is then on their desk (``Dossier.assignee``), and the row names them as receiver.
    Without one, the dossier is on the desk of the whole receiving unit."""
    now = _now()
    with atomic_with_files(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        # Only the unit holding the current step passes it on (form 06 must stay true).
        require_action(actor, locked, Action.HANDOVER)
        if step is not None and step.version_id != locked.procedure_version_id:
            raise _refuse(_("Bước xử lý không thuộc quy trình của thủ tục này."))
        target = unit_resolve(to_unit)
        following = next_step(locked)
        route = "next"
        if step is None:
            # Walk the workflow in order; a hand-over to some other unit (named by the user)
            # is a row without a step and a budget: leaving the workflow before its end is a
            # leader's decision, as a skip is.
            if following is not None and (target == UnitRef() or _is_step_unit(target, following)):
                step = following
            elif following is not None:
                route = "outside"
        else:
            route = handover_route(locked, step)
        skipped: list[str] = []
        if route == "back" and locked.status != Status.PROCESSING:
            raise _refuse(_("Hồ sơ đã có kết quả: không chuyển lại bước xử lý trước."))
        if route in ("skip", "outside") and not _is_leading(actor):
            raise ActorNotAllowed(
                _(
                    "Hồ sơ phải chuyển sang bước tiếp theo của quy trình (%(step)s); chỉ "
                    "lãnh đạo mới được chuyển vượt bước hoặc ra ngoài quy trình."
                )
                % {"step": following.name if following else ""}
            )
        if route == "skip" and step is not None and following is not None:
            skipped = list(
                WorkflowStep.objects.filter(
                    version_id=locked.procedure_version_id,
                    position__gte=following.position,
                    position__lt=step.position,
                )
                .order_by("position")
                .values_list("name", flat=True)
            )
        if target == UnitRef() and step is not None:
            target = UnitRef(step.unit, step.unit_label)
        if not target.name:
            raise _refuse(_("Phải chọn đơn vị nhận hồ sơ."))
        if assignee is not None:
            if target.agency is None or not _works_in(assignee, target.agency):
                raise _refuse(
                    _("%(person)s không thuộc đơn vị nhận hồ sơ (%(unit)s).")
                    % {"person": person_name(assignee), "unit": target.name}
                )
            receiver_name = person_name(assignee)
        # The slip says why a row does not follow the workflow in order.
        if route == "back" and step is not None:
            note = "; ".join(
                n
                for n in (str(_("Chuyển lại để xử lý lại: %(step)s") % {"step": step.name}), note)
                if n.strip()
            )
        elif route == "skip":
            note = "; ".join(
                n
                for n in (
                    str(_("Lãnh đạo cho vượt bước: %(steps)s") % {"steps": ", ".join(skipped)}),
                    note,
                )
                if n.strip()
            )
        elif route == "outside":
            note = "; ".join(
                n
                for n in (
                    str(
                        _("Lãnh đạo chuyển ngoài quy trình (bước tiếp theo: %(step)s)")
                        % {"step": following.name if following else ""}
                    ),
                    note,
                )
                if n.strip()
            )
        previous = _open_handover(locked)
        if previous is not None:
            _close_handover(previous, now)
        last = Handover.objects.filter(dossier=locked).order_by("-position").first()
        counter: dict[str, str] = {}
        if last is None and locked.current_step is not None:
            counter = _judge_counter_step(locked, now)
            note = "; ".join(n for n in (counter["note"], note.strip()) if n)
        if last is not None:
            origin = UnitRef(last.to_unit, last.to_unit_label)
        elif locked.receiving_unit is not None:
            origin = UnitRef(locked.receiving_unit)
        elif locked.current_unit is not None or locked.current_unit_label:
            origin = UnitRef(locked.current_unit, locked.current_unit_label)
        else:
            origin = UnitRef(label=str(_("Bộ phận Một cửa")))
        row = Handover.objects.create(
            dossier=locked,
            position=(last.position + 1) if last else 1,
            from_unit=origin.agency,
            from_unit_label=origin.label,
            to_unit=target.agency,
            to_unit_label=target.label,
            at=now,
            giver=_person(actor),
            receiver=receiver_name.strip(),
            step=step,
            step_name=step.name if step else "",
            budget_hours=step.hours if step else None,
            note=note.strip(),
        )
        if draft is not None:
            _store_draft(row, locked, draft)
        locked.current_unit, locked.current_unit_label = target.agency, target.label
        locked.assignee = assignee
        fields = ["current_unit", "current_unit_label", "assignee"]
        _save(locked, dossier, [*fields, *_step_begin(locked, step, now)])
        _event(
            locked,
            type=EventType.HANDOVER,
            actor=actor,
            at=now,
            from_status=locked.status,
            data={
                "position": row.position,
                "from": origin.name,
                "to": target.name,
                "step": row.step_name,
                "previous_result": previous.result if previous else "",
                **({"route": route, "skipped": skipped} if route != "next" else {}),
                **(
                    {
                        "counter_step": counter["step"],
                        "counter_step_result": counter["result"],
                        "counter_step_hours": counter["hours"],
                    }
                    if counter
                    else {}
                ),
            },
        )
    return row


def _store_draft(row: Handover, dossier: Dossier, upload: File) -> None:
    result_file_check(upload)  # a draft is a result to be: the same rule (dossiers.uploads)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    suffix = PurePath(upload.name or "").suffix.lower()[:10]
    # Written before the row names it; the service runs in ``atomic_with_files``.
    file_store(row.draft_file, f"{dossier.code}-du-thao-{row.position}{suffix}", upload)
    row.draft_sha256 = digest.hexdigest()
    row.save(update_fields=["draft_file", "draft_sha256"])


def dossier_send_back(
    *,
    dossier: Dossier,
    actor: Actor,
    reason: str,
    expected_version: int | None = None,
) -> Handover:
    """A leader at a signing step does not sign: the dossier goes back to the step before,
    to the person who proposed it, with the reason (a control-slip row like any hand-over,
    its note saying why)."""
    reason = _require_text(reason, _("lý do trả lại để xử lý lại"))
    with atomic_with_files(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.SEND_BACK)
        current = locked.current_step
        assert current is not None  # the rule: at a signing step
        previous = (
            WorkflowStep.objects.filter(
                version_id=locked.procedure_version_id, position__lt=current.position
            )
            .order_by("-position")
            .first()
        )
        assert previous is not None  # the rule: an earlier step exists
        proposer = _proposer(locked)
        return dossier_handover(
            dossier=locked,
            actor=actor,
            step=previous,
            assignee=proposer
            if proposer is not None
            and previous.unit is not None
            and _works_in(proposer, previous.unit)
            else None,
            note=str(_("Trả lại để xử lý lại: %(reason)s") % {"reason": reason}),
        )


def _proposer(dossier: Dossier) -> User | None:
    """Who handed the dossier to the step it is in (the person whose proposal is returned)."""
    event = (
        DossierEvent.objects.filter(dossier=dossier, type=EventType.HANDOVER, actor__isnull=False)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    return event.actor if event is not None else None


def _works_in(person: User, unit: Agency) -> bool:
    """Whether ``person`` is staff of ``unit`` or of an agency under it."""
    profile = StaffProfile.objects.select_related("agency").filter(user=person).first()
    if profile is None:
        return False
    own = profile.agency.path
    return unit.pk == profile.agency_id or bool(unit.path and own.startswith(unit.path))


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
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.REQUEST_SUPPLEMENT)
        before = locked.status
        fields = ["status", "supplement_count", "supplement_requested_at"]
        late = now > _supplement_deadline(locked)
        if late and _add_flag(locked, Flag.SUPPLEMENT_LATE):
            fields.append("flags")
        if locked.supplement_count >= 1 and _add_flag(locked, Flag.SUPPLEMENT_REPEATED):
            fields.append("flags")
        # The step stops with the clock: the unit is judged on the time until its request,
        # and gets its whole budget again when the supplement comes back.
        row = _open_handover(locked)
        if row is not None:
            _close_handover(row, now, note=str(_("Yêu cầu bổ sung hồ sơ")))
        locked.status = Status.SUPPLEMENT_REQUESTED
        locked.supplement_count += 1
        locked.supplement_requested_at = now
        # The clock stands still while the supplement is awaited (counted within due date,
        # domain.md §7): an overdue flag set on the old due date no longer applies.
        if _deadline_flags_refresh(locked, now):
            fields.append("flags")
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
        dossier_notice(locked, EventType.SUPPLEMENT_REQUESTED, items=items, reason=reason)
    return locked


def dossier_supplement_submit(
    *,
    dossier: Dossier,
    actor: Actor,
    parts: Iterable[PartInput] = (),
    note: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The applicant sends the requested supplement online (the portal).

    The files become documents of new parts (origin online). The dossier stays "waiting for
    a supplement" and the clock stays stopped: it restarts from zero only when the agency
    receives the supplement as complete (``dossier_receive_supplement``, ND 118/2025 Điều
    19.5), as for one brought on paper. The applicant may send more while it waits; a
    supplement sent within the wait keeps the dossier from being stopped
    (``dossiers_stop_expired_supplements``)."""
    parts = list(parts)
    note = (note or "").strip()
    if not parts and not note:
        raise _refuse(_("Phải gửi ít nhất một tệp hoặc một ghi chú."))
    now = _now()
    with atomic_with_files(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.SUBMIT_SUPPLEMENT)
        _save(locked, dossier, [])
        added = _add_parts(locked, parts, actor=actor, origin=Origin.ONLINE)
        _event(
            locked,
            type=EventType.SUPPLEMENT_SUBMITTED,
            actor=actor,
            at=now,
            from_status=locked.status,
            data={
                "parts": [p.name for p in added],
                "part_ids": [p.pk for p in added],
                "note": note,
            },
        )
        dossier_notice(locked, EventType.SUPPLEMENT_SUBMITTED)
    return locked


def dossier_receive_supplement(
    *,
    dossier: Dossier,
    actor: Actor,
    parts: Iterable[PartInput] = (),
    note: str = "",
    files_origin: str = Origin.SCAN,
    expected_version: int | None = None,
) -> Dossier:
    """The complete supplement arrived: the clock restarts from zero (ND 118/2025 Điều 19.5).

    The new due date is computed from the procedure as for a new receipt now; the receipt
    date of the dossier (``received_at``, what reports count) does not change."""
    now = _now()
    with atomic_with_files(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.RECEIVE_SUPPLEMENT)
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
        last = Handover.objects.filter(dossier=locked).order_by("-position").first()
        if last is not None or locked.current_step is not None:
            # The step starts again with its whole budget: at the counter's own first step,
            # or on the new control-slip row below (the current step's start is its last
            # hand-over: what the at-risk list measures).
            fields += _step_begin(locked, locked.current_step, now)
        # Normally dropped at the request already; also for dossiers flagged before that.
        if _deadline_flags_refresh(locked, now):
            fields.append("flags")
        _save(locked, dossier, fields)
        added = _add_parts(locked, parts, actor=actor, origin=files_origin)
        if last is not None:
            # The supplement goes back to the unit that asked for it, on a new control-slip
            # row with the step's full budget (the clock restarted from zero).
            step = locked.current_step
            origin = (
                UnitRef(locked.receiving_unit)
                if locked.receiving_unit is not None
                else UnitRef(last.to_unit, last.to_unit_label)
            )
            if locked.current_unit is not None or locked.current_unit_label:
                target = UnitRef(locked.current_unit, locked.current_unit_label)
            else:
                target = UnitRef(last.to_unit, last.to_unit_label)
            Handover.objects.create(
                dossier=locked,
                position=last.position + 1,
                from_unit=origin.agency,
                from_unit_label=origin.label,
                to_unit=target.agency,
                to_unit_label=target.label,
                at=now,
                giver=_person(actor),
                step=step,
                step_name=step.name if step else "",
                budget_hours=step.hours if step else None,
                note=str(_("Hồ sơ bổ sung")),
            )
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
        dossier_notice(locked, EventType.SUPPLEMENT_RECEIVED)
    return locked


def extension_is_late(dossier: Dossier, at: dt.datetime | None = None) -> bool:
    """Whether an apology issued at ``at`` (now) comes less than one working day before the
    due date, or after it (ND 118/2025 Điều 19.6)."""
    if dossier.due_at is None:
        return False
    day = local_date(at or _now())
    return clock.add_working_days(day, 1, calendar=_calendar()) > local_date(dossier.due_at)


def dossier_extend(
    *,
    dossier: Dossier,
    actor: Actor,
    reason: str,
    new_due_at: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """Apologise and set one new appointment (form 04; ND 118/2025 Điều 19.6).

    Only once, with a reason; the new appointment a working day after the current one (and
    after today), at most ``EXTENSION_MAX_WORKING_DAYS`` working days later. Issued less than
    one working day before the due date, or once the dossier is late, the letter is still
    issued (the applicant is owed it; indicator 1.4.4 counts it) but flagged
    ``extension_late`` and marked late in its event, as the history import does.
    Classification still uses ``due_at``: an extension does not make
    a late dossier on time."""
    reason = _require_text(reason, _("lý do gia hạn"))
    now = _now()
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.EXTEND)
        assert locked.due_at is not None
        calendar = _calendar()
        today = local_date(now)
        # Điều 19.6: the letter goes out at least one working day before the due date. A
        # later one (or one for a dossier already late) is still the apology the applicant
        # is owed: it is issued, and flagged, as the history import flags it.
        late = extension_is_late(locked, now)
        current = locked.extended_due_at or locked.due_at
        new_day = local_date(new_due_at)
        base = max(local_date(current), today)
        if new_day <= base:
            raise _refuse(
                _("Ngày hẹn trả mới phải sau ngày hẹn trả hiện tại (%(due)s) và sau hôm nay.")
                % {"due": f"{local_date(current):%d/%m/%Y}"}
            )
        if not calendar.is_working_day(new_day):
            raise _refuse(
                _("Ngày hẹn trả mới (%(day)s) không phải ngày làm việc.")
                % {"day": f"{new_day:%d/%m/%Y}"}
            )
        limit_days = int(_setting("EXTENSION_MAX_WORKING_DAYS", EXTENSION_MAX_WORKING_DAYS))
        limit = clock.add_working_days(base, limit_days, calendar=calendar)
        if new_day > limit:
            raise _refuse(
                _(
                    "Ngày hẹn trả mới không được quá %(n)s ngày làm việc sau ngày hẹn hiện tại "
                    "(chậm nhất %(limit)s)."
                )
                % {"n": limit_days, "limit": f"{limit:%d/%m/%Y}"}
            )
        before = locked.status
        fields = ["extended_due_at", "extension_count", "has_apology"]
        if late and _add_flag(locked, Flag.EXTENSION_LATE):
            fields.append("flags")
        locked.extended_due_at = new_due_at
        locked.extension_count += 1
        locked.has_apology = True
        _save(locked, dossier, fields)
        _event(
            locked,
            type=EventType.EXTENSION,
            actor=actor,
            at=now,
            from_status=before,
            data={
                "reason": reason,
                "due_at": _iso(current),
                "new_due_at": _iso(new_due_at),
                "late": late,
            },
        )
        dossier_notice(locked, EventType.EXTENSION, reason=reason)
    return locked


def dossier_payment_settle(
    *, dossier: Dossier, actor: Actor, expected_version: int | None = None
) -> Dossier:
    """The fee owed before processing is paid (issue 17): the work starts and the legal clock
    with it, the due date computed as for a receipt now (``classify.clock_start``; the wait
    was a pause from the receipt, so nothing had run). Called by ``fees`` once nothing is
    left to pay; the applicant is told the appointment."""
    now = _now()
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_payment_action(actor, locked, PaymentAction.SETTLE)
        assert locked.received_at is not None
        before = locked.status
        locked.status = Status.PROCESSING
        _start_clock(
            locked,
            clock_start(locked.received_at, now),
            restart=True,
            reason=str(_("Đã nộp phí, lệ phí: thời hạn giải quyết tính từ lúc nộp")),
        )
        fields = ["status", "due_at", "due_explanation"]
        if locked.current_step is not None:
            # The step's budget starts with the work, not with the wait.
            fields += _step_begin(locked, locked.current_step, now)
        if _deadline_flags_refresh(locked, now):
            fields.append("flags")
        _save(locked, dossier, fields)
        _event(
            locked,
            type=EventType.PAYMENT_SETTLED,
            actor=actor,
            at=now,
            from_status=before,
            data={"due_at": _iso(locked.due_at)},
        )
        dossier_notice(locked, EventType.PAYMENT_SETTLED)
    return locked
