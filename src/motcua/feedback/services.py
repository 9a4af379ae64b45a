"""The one write path for ratings and complaints and petitions (PAKN).

Each service runs in a transaction, appends an event (PAKN) and a row to the audit trail.
Ratings follow the rubric in force at the dossier's receipt date (``feedback.rubric``).
PAKN deadlines are those of the regulation in force at its receipt (``feedback.deadlines``),
counted with the legal clock in working days from the (deemed) receipt day: refuse within 2,
ask for more information within 5, forward within 5 when the matter is not within the
receiving agency's competence, answer within 15. A forwarded PAKN starts a new answer period
at the agency it was forwarded to (it is a new receipt for that agency), and so does a
reopening after the person marked the answer unsatisfactory (the agency must handle it again).
A step taken after its deadline is done and flagged (``*_late``), never refused: refusing it
would only delay the person further.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.core.audit import Actor, actor_label, audit_log
from motcua.dossiers.classify import local_date
from motcua.dossiers.models import (
    Channel,
    DeliveryChannel,
    Dossier,
    EndKind,
    EventType,
    Status,
)
from motcua.feedback import deadlines as pakn_deadlines
from motcua.feedback.models import (
    CLOSED_STATUSES,
    Feedback,
    FeedbackEvent,
    FeedbackKind,
    FeedbackSequence,
    FeedbackStatus,
    FeedbackSubject,
    KioskDevice,
    KioskRating,
    Rating,
    RatingChannel,
    Score,
)
from motcua.feedback.rubric import AnswerError, DossierFacts, Rubric, rating_score, rubric_on
from motcua.notify.services import InvalidRecipient, notification_enqueue
from motcua.workdays import clock
from motcua.workdays.calendar import get_calendar

SECRET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # as the dossier secret: read aloud, typed back
SECRET_LENGTH = 8


class FeedbackError(Exception):
    """A refused change, with a message for the person (Vietnamese)."""


class RatingAnswerError(FeedbackError):
    """An answer the rubric refuses; ``item`` is the content it is about (for the form)."""

    def __init__(self, message: str, item: str | None = None) -> None:
        super().__init__(message)
        self.item = item


def _now() -> dt.datetime:
    return timezone.now()


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def deadline(start: dt.datetime, days: int) -> dt.datetime:
    """17:00 of the ``days``-th working day after the deemed receipt day of ``start``."""
    return pakn_deadlines.deadline(start, days, calendar=get_calendar(), rules=clock.get_rules())


def deadlines_for(received_at: dt.datetime) -> pakn_deadlines.PaknDeadlines:
    """The PAKN deadlines in force at ``received_at``, with the province's settings."""
    overrides = pakn_deadlines.parse_overrides(str(settings.MOTCUA.get("PAKN_DEADLINES", "")))
    return pakn_deadlines.deadlines_on(local_date(received_at), overrides)


def secret_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of a secret typed or carried in a link."""
    return hmac.compare_digest(given.strip().upper().encode(), expected.upper().encode())


# --- ratings --------------------------------------------------------------------------------


def rating_allowed(dossier: Dossier) -> bool:
    """A dossier is rated after its result (ended by a result, or delivered)."""
    return dossier.status == Status.DELIVERED or (
        dossier.ended_at is not None and dossier.end_kind == EndKind.RESULT
    )


def _delivering_clerk(dossier: Dossier) -> User | None:
    """Who handed the result back: the actor of the last delivery event, else none."""
    if dossier.delivery_channel not in ("", DeliveryChannel.COUNTER):
        return None
    event = (
        dossier.events.filter(type=EventType.RESULT_DELIVERED, actor__isnull=False)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    return event.actor if event is not None else None


def rating_rubric(dossier: Dossier) -> Rubric:
    """The rubric in force at the dossier's receipt date."""
    return rubric_on(local_date(dossier.received_at or _now()))


def rating_facts(dossier: Dossier) -> DossierFacts:
    """The facts that decide which contents apply: filed online, a PAKN about it."""
    return DossierFacts(
        online=dossier.channel == Channel.ONLINE,
        complained=Feedback.objects.filter(dossier=dossier).exists(),
    )


def rating_submit(
    *,
    dossier: Dossier,
    answers: Mapping[str, str],
    comment: str = "",
    channel: str = RatingChannel.WEB,
    ip: str | None = None,
) -> Rating:
    """Record the applicant's rating under the rubric in force at the dossier's date (ND
    61/2018 Điều 33 before 1/7/2025, ND 118/2025 Điều 33 after); ``answers`` maps a content
    to an option code or "na" (Không áp dụng), see ``feedback.rubric.rating_score``.

    One rating per dossier, final: a second one is refused, so that whoever later holds the
    link cannot change what the applicant said and the indicators count each dossier once.
    Raises ``RatingAnswerError`` (with the content) for an answer the rubric refuses."""
    if not rating_allowed(dossier):
        raise FeedbackError(_("Hồ sơ chưa có kết quả nên chưa thể đánh giá."))
    rubric = rating_rubric(dossier)
    try:
        score = rating_score(rubric, answers, rating_facts(dossier))
    except AnswerError as exc:
        raise RatingAnswerError(str(exc), exc.item) from None
    now = _now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                dossier=dossier,
                rubric=rubric.code,
                answers=score.answers,
                scores=score.scores,
                points=score.points,
                max_points=score.max_points,
                negative=score.negative,
                comment=comment.strip()[:2000],
                channel=channel,
                clerk=_delivering_clerk(dossier),
                created_at=now,
            )
            audit_log(
                actor="citizen",
                action="rating_submit",
                object_type="dossier",
                object_id=dossier.code,
                data={
                    "rubric": rubric.code,
                    "points": rating.points,
                    "max_points": rating.max_points,
                    "channel": channel,
                },
                ip=ip,
            )
    except IntegrityError:
        raise FeedbackError(_("Hồ sơ này đã được đánh giá. Cảm ơn ông/bà.")) from None
    return rating


def kiosk_device_create(*, clerk: User, label: str = "", actor: Actor) -> KioskDevice:
    """A tablet address for ``clerk``'s counter; the token is its only credential."""
    with transaction.atomic():
        device = KioskDevice.objects.create(
            token=secrets.token_urlsafe(24), clerk=clerk, label=label.strip()
        )
        audit_log(
            actor=actor,
            action="kiosk_device_create",
            object_type="kiosk_device",
            object_id=device.pk,
            data={"clerk": clerk.get_username(), "label": device.label},
        )
    return device


def kiosk_rate(*, device: KioskDevice, score: int) -> KioskRating:
    """One tap on a counter tablet, recorded for the device's clerk."""
    if score not in Score.values:
        raise FeedbackError(_("Mức đánh giá không hợp lệ."))
    # No audit row: a tap is anonymous and frequent; the row itself is the record.
    return KioskRating.objects.create(
        clerk_id=device.clerk_id, device=device, score=score, at=_now()
    )


# --- PAKN -----------------------------------------------------------------------------------


def _next_number(day: dt.date) -> int:
    rows = FeedbackSequence.objects.filter(day=day)
    if not rows.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                FeedbackSequence.objects.create(day=day, last=1)
                return 1
        except IntegrityError:
            rows.update(last=F("last") + 1)
    return rows.values_list("last", flat=True).get()


def _event(
    feedback: Feedback, type_: str, at: dt.datetime, actor: Actor, data: dict[str, Any] | None
) -> None:
    FeedbackEvent.objects.create(
        feedback=feedback,
        type=type_,
        at=at,
        actor=_user(actor),
        actor_label=actor_label(actor),
        data=data or {},
    )


def _record(
    feedback: Feedback,
    action: str,
    at: dt.datetime,
    actor: Actor,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> None:
    _event(feedback, action, at, actor, data)
    audit_log(
        actor=actor,
        action=f"feedback_{action}",
        object_type="feedback",
        object_id=feedback.code,
        data=data,
        ip=ip,
    )


def _lock(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().get(pk=feedback.pk)


def _save(feedback: Feedback, *fields: str) -> None:
    feedback.version += 1
    feedback.save(update_fields=[*fields, "version"])


@dataclass(frozen=True)
class FeedbackInput:
    subject: str
    title: str
    text: str
    name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    reference: str = ""
    owner: User | None = None  # the signed-in citizen, if any


TITLE_LENGTH = 80


def feedback_title(text: str, limit: int = TITLE_LENGTH) -> str:
    """The title made from the text when none is given: its first ``limit`` characters cut
    at a word boundary, with "…" when cut ("…vẫn chưa được", not "…vẫn chưa đượ")."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:-") + "…"


def _link(data: FeedbackInput) -> tuple[Dossier | None, Procedure | None, Agency | None]:
    """The dossier or procedure the person named, when it exists; its competent agency is
    where the PAKN goes first. An unknown code is kept as typed (the person may have
    mistyped it; staff see it) and tells the person nothing about which codes exist."""
    ref = data.reference.strip()
    if not ref:
        return None, None, None
    if data.subject == FeedbackSubject.DOSSIER:
        dossier = Dossier.objects.filter(code=ref).first()
        return dossier, None, dossier.agency if dossier else None
    if data.subject == FeedbackSubject.PROCEDURE:
        procedure = Procedure.objects.filter(code=ref).first()
        version = (
            ProcedureVersion.objects.filter(procedure=procedure).order_by("-id").first()
            if procedure
            else None
        )
        return None, procedure, version.agency if version else None
    return None, None, None


def feedback_submit(*, data: FeedbackInput, ip: str | None = None) -> Feedback:
    """Receive a PAKN: a tracking code ``PAKN-YYMMDD-NNNN`` and a secret for the person."""
    if data.subject not in FeedbackSubject.values:
        raise FeedbackError(_("Đối tượng phản ánh không hợp lệ."))
    if not data.text.strip() or not data.name.strip():
        raise FeedbackError(_("Vui lòng nhập họ tên và nội dung phản ánh, kiến nghị."))
    if not (data.phone.strip() or data.email.strip() or data.address.strip()):
        raise FeedbackError(_("Vui lòng cho biết ít nhất một cách liên hệ."))
    now = _now()
    dossier, procedure, agency = _link(data)
    due = pakn_deadlines.pakn_due(
        now, deadlines_for(now), calendar=get_calendar(), rules=clock.get_rules()
    )
    with transaction.atomic():
        number = _next_number(local_date(now))
        feedback = Feedback.objects.create(
            code=f"PAKN-{local_date(now):%y%m%d}-{number:04d}",
            secret="".join(secrets.choice(SECRET_ALPHABET) for _i in range(SECRET_LENGTH)),
            subject=data.subject,
            reference=data.reference.strip()[:64],
            dossier=dossier,
            procedure=procedure,
            agency=agency,
            title=data.title.strip()[:255] or feedback_title(data.text),
            owner=data.owner,
            text=data.text.strip(),
            name=data.name.strip(),
            phone=data.phone.strip(),
            email=data.email.strip(),
            address=data.address.strip(),
            status=FeedbackStatus.RECEIVED,
            received_at=now,
            refuse_by=due.refuse_by,
            info_by=due.info_by,
            forward_by=due.forward_by,
            due_at=due.answer_by,
            first_due_at=due.answer_by,
        )
        # The audit trail names the PAKN, not the person (personal data stays in one row).
        _record(feedback, "submitted", now, "citizen", {"subject": data.subject}, ip)
    return feedback


def _require_open(feedback: Feedback) -> None:
    if not feedback.is_open:
        raise FeedbackError(_("Phản ánh, kiến nghị đã được trả lời."))


def feedback_classify(
    *, feedback: Feedback, actor: Actor, kind: str, agency: Agency | None = None
) -> Feedback:
    """Classify a PAKN (phản ánh or kiến nghị) and name the agency that handles it, within
    the receiving agency's competence (outside it, use ``feedback_forward``)."""
    if kind not in FeedbackKind.values:
        raise FeedbackError(_("Phân loại không hợp lệ."))
    now = _now()
    with transaction.atomic():
        locked = _lock(feedback)
        _require_open(locked)
        locked.kind = kind
        if agency is not None:
            locked.agency = agency
        if locked.status == FeedbackStatus.RECEIVED:
            locked.status = FeedbackStatus.CLASSIFIED
        _save(locked, "kind", "agency", "status")
        _record(locked, "classified", now, actor, {"kind": kind, "agency": _code(locked.agency)})
    return locked


def _code(agency: Agency | None) -> str:
    return agency.code if agency is not None else ""


def feedback_forward(
    *, feedback: Feedback, actor: Actor, to_agency: Agency, note: str = ""
) -> Feedback:
    """Forward a PAKN outside the receiving agency's competence to the competent one.

    Due within 5 working days of receipt (domain.md §9); a later forward is done and flagged
    (``forward_late``). The answer deadline restarts: 15 working days from the forward, at the
    new agency."""
    now = _now()
    with transaction.atomic():
        locked = _lock(feedback)
        _require_open(locked)
        if locked.agency_id == to_agency.pk:
            raise FeedbackError(_("Phản ánh đã thuộc cơ quan này."))
        previous = _code(locked.agency)
        locked.agency = to_agency
        locked.forwarded_at = now
        if locked.forward_by is not None and now > locked.forward_by:
            locked.forward_late = True
        locked.status = FeedbackStatus.FORWARDED
        locked.due_at = deadline(now, deadlines_for(locked.received_at).answer)
        _save(locked, "agency", "forwarded_at", "forward_late", "status", "due_at")
        _record(
            locked,
            "forwarded",
            now,
            actor,
            {"from": previous, "to": to_agency.code, "note": note, "late": locked.forward_late},
        )
    return locked


def feedback_refuse(*, feedback: Feedback, actor: Actor, reason: str) -> Feedback:
    """Not receive a PAKN (không tiếp nhận), with the reason told to the person: e.g. not
    about an administrative procedure or regulation, or anonymous. Due within 2 working days
    of receipt (QĐ 766/QĐ-TTg, indicators.md); a later refusal is done and flagged."""
    if not reason.strip():
        raise FeedbackError(_("Vui lòng nêu lý do không tiếp nhận."))
    now = _now()
    with transaction.atomic():
        locked = _lock(feedback)
        _require_open(locked)
        if locked.answered_at is not None or locked.forwarded_at is not None:
            raise FeedbackError(_("Phản ánh, kiến nghị đã được xử lý, không thể từ chối."))
        locked.refused_at = now
        locked.refuse_reason = reason.strip()
        locked.refused_late = locked.refuse_by is not None and now > locked.refuse_by
        locked.status = FeedbackStatus.REFUSED
        _save(locked, "refused_at", "refuse_reason", "refused_late", "status")
        _record(locked, "refused", now, actor, {"late": locked.refused_late})
        _notify(
            locked,
            _("Phản ánh, kiến nghị %(code)s không được tiếp nhận. Lý do: %(reason)s")
            % {"code": locked.code, "reason": locked.refuse_reason},
        )
    return locked


def feedback_request_info(*, feedback: Feedback, actor: Actor, question: str) -> Feedback:
    """Ask the person for more information about a PAKN, within 5 working days of receipt
    (QĐ 766/QĐ-TTg, indicators.md); a later request is sent and flagged (``info_late``).
    The answer deadline is not changed (no rule found that stops it)."""
    if not question.strip():
        raise FeedbackError(_("Vui lòng nêu thông tin cần bổ sung."))
    now = _now()
    with transaction.atomic():
        locked = _lock(feedback)
        _require_open(locked)
        first = locked.info_requested_at is None
        if first:
            locked.info_requested_at = now
            locked.info_late = locked.info_by is not None and now > locked.info_by
            _save(locked, "info_requested_at", "info_late")
        _record(locked, "info_requested", now, actor, {"late": locked.info_late, "first": first})
        _notify(
            locked,
            _("Phản ánh, kiến nghị %(code)s: đề nghị ông/bà bổ sung thông tin: %(question)s")
            % {"code": locked.code, "question": question.strip()},
        )
    return locked


def feedback_answer(*, feedback: Feedback, actor: Actor, answer: str) -> Feedback:
    """Answer a PAKN; an answer after the due date is given and recorded as late."""
    if not answer.strip():
        raise FeedbackError(_("Vui lòng nhập nội dung trả lời."))
    now = _now()
    with transaction.atomic():
        locked = _lock(feedback)
        _require_open(locked)
        locked.answer = answer.strip()
        locked.answered_at = now
        locked.answered_by = _user(actor)
        late = now > locked.due_at
        locked.answered_late = locked.answered_late or late
        locked.status = FeedbackStatus.ANSWERED
        _save(locked, "answer", "answered_at", "answered_by", "answered_late", "status")
        _record(locked, "answered", now, actor, {"late": late})
        _notify_answer(locked)
    return locked


def _lookup_link(feedback: Feedback) -> str:
    base = str(settings.MOTCUA["PUBLIC_URL"]).rstrip("/")
    return (
        f"{base}/phan-anh/tra-cuu/?{urlencode({'code': feedback.code, 'secret': feedback.secret})}"
    )


def _notify_answer(feedback: Feedback) -> None:
    body = _("Phản ánh, kiến nghị %(code)s đã được trả lời. Xem tại: %(link)s") % {
        "code": feedback.code,
        "link": _lookup_link(feedback),
    }
    _notify(feedback, body, kind="feedback_answered", subject=_("Trả lời phản ánh, kiến nghị"))


def _notify(
    feedback: Feedback, body: str, *, kind: str = "feedback_update", subject: str = ""
) -> None:
    """Tell the person (e-mail and SMS, whichever they gave), in the caller's transaction; an
    address the outbox refuses is skipped, not fatal."""
    for channel, address in (("email", feedback.email), ("sms", feedback.phone)):
        if not address:
            continue
        try:
            notification_enqueue(
                kind=kind,
                recipients=[(channel, address)],
                context={"subject": subject or _("Phản ánh, kiến nghị"), "body": body},
                reference=f"feedback:{feedback.code}",
            )
        except InvalidRecipient:
            continue


def feedback_publish(*, feedback: Feedback, actor: Actor, public_text: str = "") -> Feedback:
    """Publish the answer with the question as staff redacted it (no name, phone, e-mail or
    address is ever shown; ``public_text`` lets staff remove personal data from the question
    itself). Publishing again replaces the published question text."""
    now = _now()
    with transaction.atomic():
        locked = _lock(feedback)
        if locked.status != FeedbackStatus.ANSWERED:
            raise FeedbackError(_("Chỉ công khai phản ánh, kiến nghị đã được trả lời."))
        locked.public_text = public_text.strip() or locked.text
        locked.published_at = locked.published_at or now
        _save(locked, "public_text", "published_at")
        _record(locked, "published", now, actor, {"redacted": locked.public_text != locked.text})
    return locked


def feedback_for_secret(code: str, secret: str) -> Feedback | None:
    """The PAKN with this code if the secret matches; None otherwise (the same for both)."""
    feedback = Feedback.objects.filter(code=code.strip().upper()).first()
    if feedback is None or not secret_matches(secret, feedback.secret):
        return None
    return feedback


def feedback_mark_unsatisfied(
    *, feedback: Feedback, secret: str, reason: str = "", ip: str | None = None
) -> Feedback:
    """The person marks the answer unsatisfactory: the PAKN reopens with a new 15 working
    days, and counts as unsatisfied and reopened in the indicators (QĐ 766)."""
    if not secret_matches(secret, feedback.secret):
        raise FeedbackError(_("Mã phản ánh hoặc mã bí mật không đúng."))
    now = _now()
    with transaction.atomic():
        locked = _lock(feedback)
        if locked.status != FeedbackStatus.ANSWERED:
            raise FeedbackError(_("Chỉ có thể đánh giá câu trả lời đã nhận."))
        locked.unsatisfied_at = now
        locked.reopen_count += 1
        locked.status = FeedbackStatus.REOPENED
        locked.due_at = deadline(now, deadlines_for(locked.received_at).answer)
        _save(locked, "unsatisfied_at", "reopen_count", "status", "due_at")
        _record(locked, "unsatisfied", now, "citizen", {"reason": reason.strip()[:2000]}, ip)
    return locked


def feedback_flag_overdue() -> int:
    """Periodic job: record (once per deadline) that an open PAKN passed its due date, so that
    the staff list and the audit trail show the warning. Idempotent."""
    now = _now()
    count = 0
    for feedback in Feedback.objects.exclude(status__in=CLOSED_STATUSES).filter(due_at__lt=now):
        if (
            feedback.overdue_flagged_at is not None
            and feedback.overdue_flagged_at > feedback.due_at
        ):
            continue
        with transaction.atomic():
            feedback.overdue_flagged_at = now
            _save(feedback, "overdue_flagged_at")
            _record(feedback, "overdue", now, "worker", {"due_at": feedback.due_at.isoformat()})
        count += 1
    return count
