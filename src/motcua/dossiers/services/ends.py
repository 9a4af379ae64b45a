"""How a dossier ends (domain.md §6) and its result reaches the applicant."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.archive.files import atomic_with_files
from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.archive.signing import agency_signer, pdf_sign
from motcua.core.audit import Actor
from motcua.dossiers.classify import classify, local_date
from motcua.dossiers.listeners import save_listeners_batched
from motcua.dossiers.models import (
    DeliveryChannel,
    Dossier,
    DossierClass,
    DossierEvent,
    EndKind,
    EventType,
    Handover,
    Status,
    StepResult,
    status_after_delivery,
)
from motcua.dossiers.notices import dossier_notice
from motcua.dossiers.postal_orders import postal_order_queue
from motcua.dossiers.rules import Action, require_action
from motcua.dossiers.services.base import (
    _close_handover,
    _event,
    _lock,
    _now,
    _open_handover,
    _person,
    _refuse,
    _require_text,
    _save,
    _step_begin,
    _user,
)
from motcua.dossiers.uploads import result_content_type, result_file_check, signature_refusals

# --- ends -----------------------------------------------------------------------------------


def _end(locked: Dossier, kind: EndKind, at: dt.datetime) -> list[str]:
    """The first ending event sets ``ended_at`` and ``end_kind`` (domain.md §6)."""
    locked.ended_at = at
    locked.end_kind = kind
    return ["ended_at", "end_kind"]


def _late_steps(locked: Dossier) -> list[str]:
    # The counter's own first step has no row: the first hand-over judged it (its event).
    counter = (
        DossierEvent.objects.filter(
            dossier=locked, type=EventType.HANDOVER, data__counter_step_result=StepResult.LATE.value
        )
        .values_list("data__counter_step", flat=True)
        .first()
    )
    rows = Handover.objects.filter(dossier=locked, result=StepResult.LATE).order_by("position")
    rows = rows.select_related("to_unit")
    return ([str(counter)] if counter else []) + [row.step_name or row.to_unit_name for row in rows]


def result_document_code(dossier: Dossier) -> str:
    """ND 118/2025 Điều 22.4: an electronic result's code is the holder's identifier and
    the result-type code; none without an identifier. The result-type code is the
    procedure's national code: the catalogue interchange (catalog.schema.json, a shared spec
    closed to other fields) has no result-type code of its own."""
    holder = dossier.applicant_id_number.strip()
    if not holder:
        return ""
    return f"{holder}.{dossier.procedure_version.procedure.code}"


def validity_end(issued_on: dt.date, months: int | None) -> dt.date | None:
    """The last day a result issued on ``issued_on`` is valid, ``months`` months later (None:
    no limit). Bộ luật Dân sự 2015 Điều 147–148: the day of issue is not counted, and a
    period in months ends on the same day of the last month, or on that month's last day
    when it has no such day (issued 31/8, one month: valid to 30/9)."""
    if months is None:
        return None
    month = issued_on.month - 1 + months
    year, month = issued_on.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(issued_on.day, last))


def _result_signed(locked: Dossier, upload: File, now: dt.datetime) -> File:
    """The result PDF signed with the deciding agency's certificate (PAdES; ND 118/2025
    Điều 22), or as uploaded when the agency has no certificate configured. A certificate
    past its validity, or a PDF that cannot be read, refuses the result."""
    signer = agency_signer(locked.agency.code)
    if signer is None:
        return upload
    upload.seek(0)
    signed = pdf_sign(
        upload.read(),
        signer,
        # Written into the official document: Vietnamese whatever the signer's language.
        reason=f"Ký số kết quả giải quyết hồ sơ {locked.code}",
        location=locked.agency.name,
        at=now,
    )
    return ContentFile(signed, name=f"{locked.code}.pdf")


@signature_refusals  # an expired certificate, a corrupt or broken PDF: an UploadRefused
def _store_result(locked: Dossier, upload: File, actor: Actor, now: dt.datetime) -> Document:
    """The result file as a document of the archive, in the holder's store when the
    dossier has a citizen account. A PDF is signed by the deciding agency when it has a
    certificate: the stored bytes are the signed ones, and the document records the
    signature as verified (``archive.services.document_store``)."""
    result_file_check(upload)  # whatever the channel (dossiers.uploads)
    content_type = result_content_type(upload)
    if content_type == "application/pdf":
        upload = _result_signed(locked, upload, now)
    version = locked.procedure_version
    document = document_store(
        content=upload,
        content_type=content_type,
        meta=DocumentMeta(
            name=version.result_type or version.name,
            kind=DocumentKind.RESULT,
            origin=Origin.ISSUED,
            summary=version.name,
            type_code=version.procedure.code,
            code=result_document_code(locked),
            holder_id_number=locked.applicant_id_number,
            holder_name=locked.applicant_name,
            issuer=locked.agency.name,
            issuer_agency_id=locked.agency_id,
            issued_on=local_date(now),
            valid_from=local_date(now),
            valid_until=validity_end(local_date(now), version.result_validity_months),
        ),
        actor=_user(actor),
        owner=locked.owner,
        in_store=locked.owner_id is not None,
        dossier=locked,
    )
    locked.result_sha256 = document.sha256
    return document


def dossier_finish(
    *,
    dossier: Dossier,
    actor: Actor,
    late_reason: str = "",
    note: str = "",
    result_file: File | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The result is ready: the dossier ends and is classed early / on time / late.

    Closes the open control-slip row (the unit that produced the result). A late dossier keeps
    the steps that overran and a reason (given, or written from those steps). An electronic
    or scanned result (``result_file``) is stored with its SHA-256."""
    now = _now()
    with atomic_with_files(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.FINISH)
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
        signature: dict[str, str] = {}
        if result_file is not None:
            document = _store_result(locked, result_file, actor, now)
            fields.append("result_sha256")
            signature = {
                "result_signer": document.signer,
                "result_signature_status": document.signature_status,
            }
        _save(locked, dossier, fields)
        _event(
            locked,
            type=EventType.RESULT_READY,
            actor=actor,
            at=now,
            from_status=before,
            data={
                "class": locked.dossier_class,
                "late_reason": locked.late_reason,
                "note": note,
                "result_sha256": locked.result_sha256,
                **signature,
            },
        )
        dossier_notice(locked, EventType.RESULT_READY)
        if locked.delivery_channel == DeliveryChannel.POSTAL and locked.delivered_at is None:
            # The applicant asked for the result by post: the pickup order goes with the end.
            postal_order_queue(locked, actor=actor)
    return locked


def _end_service(
    *,
    dossier: Dossier,
    actor: Actor,
    reason: str,
    action: Action,
    status: Status,
    kind: EndKind,
    event: EventType,
    expected_version: int | None,
    ends_if_received: bool = True,
) -> Dossier:
    now = _now()
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, action)
        before = locked.status
        locked.status = status
        locked.end_reason = reason
        fields = ["status", "end_reason"]
        # Only a received dossier has a legal end (reports count it); an online one withdrawn
        # before acceptance was never received.
        if ends_if_received and locked.received_at is not None and locked.ended_at is None:
            fields += _end(locked, kind, now)
        if before == Status.AWAITING_PAYMENT and locked.due_at is not None:
            # Its clock never started (it runs from the payment): the provisional date printed
            # at receipt (kept in ``printed_due_at``) is no legal due date, and left standing it
            # would count the dossier overdue in every past period it waited through.
            locked.due_at = None
            fields.append("due_at")
        row = _open_handover(locked)
        if row is not None:
            _close_handover(row, now)
        _save(locked, dossier, fields)
        _event(locked, type=event, actor=actor, at=now, from_status=before, data={"reason": reason})
        dossier_notice(locked, event, reason=reason)
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
        action=Action.REFUSE,
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
        action=Action.WITHDRAW,
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
        action=Action.STOP,
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
    data: Mapping[str, Any] | None = None,
) -> Dossier:
    """Return the result to the applicant: at the counter, by post (with the postal reference)
    or online. A later event than the end; its channel is reported (postal returns). A
    refused or withdrawn dossier's notice and papers are handed back the same way, once;
    they are not a result returned (``models.DELIVERABLE_ENDS``). ``data``: more to write in
    the event (the postal service's report of the delivery)."""
    if channel not in DeliveryChannel.values:
        raise _refuse(_("Hình thức trả kết quả không hợp lệ: %(value)s.") % {"value": channel})
    if channel == DeliveryChannel.POSTAL and not reference.strip():
        raise _refuse(_("Phải nhập số hiệu bưu gửi khi trả kết quả qua bưu chính."))
    now = _now()
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.DELIVER)
        before = locked.status
        row = _open_handover(locked)
        if row is not None:
            _close_handover(row, now)
        fields = ["status", "delivered_at", "delivery_channel"]
        # The control slip's last row is the result handed back to the one-stop unit (form
        # 06; domain.md §6). When nobody recorded it, the delivery does: the counter has the
        # result in hand, so it came back by now; the row says it was written at delivery.
        handback = False
        receiving = locked.receiving_unit
        if receiving is not None and locked.current_unit_id != receiving.pk:
            last = Handover.objects.filter(dossier=locked).order_by("-position").first()
            # From the unit holding it: the current one, else where the slip last went, else
            # the competent agency.
            if locked.current_unit_id is not None or locked.current_unit_label:
                origin = (locked.current_unit, locked.current_unit_label)
            elif last is not None:
                origin = (last.to_unit, last.to_unit_label)
            else:
                origin = (locked.agency, "")
            back = Handover.objects.create(
                dossier=locked,
                position=(last.position + 1) if last else 1,
                from_unit=origin[0],
                from_unit_label=origin[1],
                to_unit=receiving,
                at=now,
                receiver=_person(actor),
                note=str(_("Kết quả chuyển về Bộ phận Một cửa (ghi nhận khi trả kết quả)")),
            )
            _close_handover(back, now)
            locked.current_unit, locked.current_unit_label = receiving, ""
            fields += [
                "current_unit",
                "current_unit_label",
                *_step_begin(locked, None, locked.current_step_since),
            ]
            handback = True
        # After a refusal or a withdrawal the end stays the status: papers handed back are
        # not a result returned (``models.status_after_delivery``, domain.md §6).
        locked.status = status_after_delivery(locked.end_kind, locked.status)
        locked.delivered_at = now
        locked.delivery_channel = channel
        _save(locked, dossier, fields)
        _event(
            locked,
            type=EventType.RESULT_DELIVERED,
            actor=actor,
            at=now,
            from_status=before,
            data={
                "channel": channel,
                "reference": reference.strip(),
                **({"handback_recorded": True} if handback else {}),
                **(data or {}),
            },
        )
    return locked
