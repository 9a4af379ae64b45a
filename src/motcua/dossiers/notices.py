"""What the applicant is told about their dossier, and how: the dossiers' notifications.

The dossier services call ``dossier_notice(dossier, event, ...)`` after recording an event,
inside their transaction; this module decides whether the event is told (``NOTICES``), to
whom (``notice_recipients``, the one recipient rule), with what (the templates under
``dossiers/notices/`` and ``notice_context``), and queues the messages in the generic
outbox (``notify.services``), which knows nothing of dossiers.

The recipient rule (one rule for every event that notifies):

- **E-mail** to the applicant's e-mail address, when there is one and it is well formed.
  Only the applicant gives an e-mail address.
- **One SMS** to the first mobile number among the applicant's phone and then the phone of
  the person who filed for them (``representative_phone``, "người nộp thay"). The applicant
  is the party to the procedure and comes first; the representative is told only when the
  applicant has no number an SMS can reach: none, or a landline (an organisation's office
  number, typically, while the employee who filed it carries a mobile). The representative
  filed the dossier and holds its receipt and secret already (form 01, "Liên 2: giao người
  nộp"), so telling them discloses nothing new (domain.md §12); both numbers are never sent
  the same message.
- **An unusable contact is skipped, never fatal.** A malformed e-mail address or a number
  that is not a Vietnamese mobile is left out (logged with the dossier's code, not the
  address); the change the message announces still happens, and with no usable contact at
  all nothing is queued. Staff see the contacts as they were written.

Before issue 11 there were two rules: the services' (SMS to the applicant's phone, else the
representative's, but a landline applicant phone silenced the representative's mobile) and
``notify.dossier_recipients`` (never the representative). This one keeps what each got right.

Links: the lookup link carries the code and the lookup secret, and the result's rating link
the secret, as the receipt's QR code does (``forms_docs.context.lookup_url``). The public
lookup answers only to the code and the secret together (domain.md §4, §12) and the rating
page takes the secret from its address (ND 118/2025 Điều 33; ``feedback.views.rate``): a
link with the code alone would open a "not found" page. The message goes only to the
contacts given for this dossier, who hold the receipt; the server's access log leaves the
secret out (``core.server.AccessLogger``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.formatting import vn_date, vn_money
from motcua.dossiers.classify import supplement_last_day
from motcua.dossiers.models import Channel, Dossier, EventType, Status
from motcua.dossiers.queries import dossier_pay_by
from motcua.notify.models import Channel as NotifyChannel
from motcua.notify.models import Message
from motcua.notify.services import (
    InvalidRecipient,
    Recipient,
    notification_enqueue,
    recipient_clean,
)

logger = logging.getLogger(__name__)

REFERENCE_PREFIX = "dossier:"
TEMPLATES = "dossiers/notices/"


def _always(dossier: Dossier) -> bool:
    return True


def _online(dossier: Dossier) -> bool:
    # A dossier refused at the counter is refused in front of the applicant, with form 03
    # in hand (or posted back with the papers); one refused online is not seen by anyone.
    return dossier.channel == Channel.ONLINE


@dataclass(frozen=True)
class Notice:
    """How one event is told: its template, for the end notices (one template for several
    ends) the title and the opening sentence, and whether this dossier's event is told."""

    template: str
    title: Promise | str = ""
    lead: Promise | str = ""
    told: Callable[[Dossier], bool] = _always


# The events the applicant is told about; the outbox ``kind`` of each message is the event's
# type. Not told: what the applicant did themselves (the online submission, whose code and
# secret the portal shows at once; the completion they sent; their withdrawal), the hand-overs
# between units, and the delivery of the result (in front of the applicant, or the post
# brings it; the result's readiness was told).
NOTICES: dict[str, Notice] = {
    # A dossier received to wait for its fee is told once, by the payment request (what to
    # pay, by when), and its appointment when paid: a due date before that would be wrong.
    EventType.RECEIVED: Notice("received", told=lambda d: d.status != Status.AWAITING_PAYMENT),
    EventType.PAYMENT_REQUESTED: Notice("payment_requested"),
    EventType.PAYMENT_SETTLED: Notice("payment_settled"),
    # ND 118/2025 Điều 19.5: the clock restarts from zero, so the applicant gets a new
    # appointment; told as the restart it is, not as a second receipt.
    EventType.SUPPLEMENT_RECEIVED: Notice("supplement_received"),
    EventType.COMPLETION_REQUESTED: Notice("supplement_requested"),
    EventType.SUPPLEMENT_REQUESTED: Notice("supplement_requested"),
    # Unlike the completion they send before intake (accepted or not within 8 working
    # hours), a supplement waits for the agency with the clock stopped: the applicant is
    # told it arrived and that the clock restarts only when the agency receives it.
    EventType.SUPPLEMENT_SUBMITTED: Notice("supplement_submitted"),
    EventType.EXTENSION: Notice("extension"),
    EventType.RESULT_READY: Notice("result_ready"),
    EventType.REJECTED: Notice(
        "ended",
        _("Từ chối tiếp nhận hồ sơ"),
        _("Hồ sơ %(code)s (%(procedure)s) nộp trực tuyến không được tiếp nhận."),
        told=_online,
    ),
    EventType.REFUSED: Notice(
        "ended",
        _("Trả lại hồ sơ"),
        _(
            "Hồ sơ %(code)s (%(procedure)s) không đủ điều kiện giải quyết và được trả lại. "
            "Ông/Bà vui lòng liên hệ Bộ phận Một cửa để nhận lại hồ sơ."
        ),
    ),
    EventType.STOPPED: Notice(
        "ended",
        _("Thông báo dừng giải quyết hồ sơ"),
        _("Hồ sơ %(code)s (%(procedure)s) đã được dừng giải quyết."),
    ),
}


def notice_recipients(dossier: Dossier) -> list[Recipient]:
    """Whom a dossier's notifications go to: the recipient rule of the module docstring."""
    recipients = []
    if dossier.applicant_email:
        try:
            recipients.append(recipient_clean((NotifyChannel.EMAIL, dossier.applicant_email)))
        except InvalidRecipient:
            logger.warning("dossier %s: e-mail not usable for notifications", dossier.code)
    for whose, phone in (
        ("applicant", dossier.applicant_phone),
        ("representative", dossier.representative_phone),
    ):
        if not phone:
            continue
        try:
            recipients.append(recipient_clean((NotifyChannel.SMS, phone)))
        except InvalidRecipient:
            # A landline or a typo: try the next number; staff see it as it was written.
            logger.info("dossier %s: %s phone is not a mobile number", dossier.code, whose)
            continue
        break
    return recipients


def dossier_reference(dossier: Dossier | str) -> str:
    """The outbox reference of a dossier (or of its code): ``dossier:<code>``."""
    code = dossier if isinstance(dossier, str) else dossier.code
    return f"{REFERENCE_PREFIX}{code}"


def dossier_messages(dossier: Dossier | str) -> QuerySet[Message]:
    """The outbox messages about a dossier, newest first."""
    return Message.objects.filter(reference=dossier_reference(dossier))


def dossier_links(dossier: Dossier) -> dict[str, str]:
    """The public lookup link and the rating link of a dossier, both with the secret (the
    module docstring says why)."""
    base = str(settings.MOTCUA["PUBLIC_URL"]).rstrip("/")
    follow = urlencode({"ma": dossier.code, "bi-mat": dossier.secret})
    rating = urlencode({"bi-mat": dossier.secret})
    links = {
        "follow_url": f"{base}/tra-cuu/?{follow}",
        "rating_url": f"{base}/danh-gia/{quote(dossier.code)}/?{rating}",
    }
    # A dossier filed from a portal account is acted on from the account's page (the
    # supplement is uploaded there); the page asks for the login, the link carries no secret.
    links["dossier_url"] = (
        f"{base}/ca-nhan/ho-so/{quote(dossier.code)}/" if dossier.owner_id else ""
    )
    return links


def _local(moment: dt.datetime | None) -> tuple[str, str]:
    """('5/9/2022', '17:00') in the installation's time zone; ('', '') for no moment."""
    if moment is None:
        return "", ""
    local = timezone.localtime(moment)
    return vn_date(local.date()), f"{local:%H:%M}"


def notice_context(dossier: Dossier) -> dict[str, Any]:
    """What every dossier template may use: code, names, local dates and the links."""
    due_date, due_time = _local(dossier.due_at)
    # The applicant is told the new appointment once there is one (ND 118 Điều 19.6).
    appointment_date, appointment_time = _local(dossier.extended_due_at or dossier.due_at)
    received_date, received_time = _local(dossier.received_at)
    wait_until = ""
    if dossier.status == Status.SUPPLEMENT_REQUESTED and dossier.supplement_requested_at:
        wait_until = vn_date(supplement_last_day(dossier.supplement_requested_at))
    if dossier.status == Status.AWAITING_PAYMENT and dossier.received_at:
        pay_by = dossier_pay_by(dossier)  # the day told at receipt
        wait_until = vn_date(pay_by) if pay_by else ""
    version = dossier.procedure_version
    return {
        "dossier": dossier,
        "code": dossier.code,
        "applicant": dossier.applicant_name,
        "procedure": version.name,
        "procedure_code": version.procedure.code,
        "agency": dossier.agency.name,
        "received_date": received_date,
        "received_time": received_time,
        "due_date": due_date,
        "due_time": due_time,
        "appointment_date": appointment_date,
        "appointment_time": appointment_time,
        "wait_until": wait_until,
        "fee_total": vn_money(dossier.fee_total or 0),
        **dossier_links(dossier),
    }


def dossier_notice(dossier: Dossier, event: str, **extra: Any) -> list[Message]:
    """Queue what the applicant is told about ``event`` (a ``EventType`` value) of
    ``dossier``; nothing for an event that is not told (``NOTICES``). Every service that
    records an event calls it, and this decides.

    Call it in the service's transaction, after the change: the messages are rendered from
    the dossier as it now is and are dropped with a rolled-back change. ``extra`` adds to
    the template's context (``reason``, ``items``)."""
    notice = NOTICES.get(event)
    if notice is None or not notice.told(dossier):
        return []
    recipients = notice_recipients(dossier)
    if not recipients:
        return []
    context = notice_context(dossier)
    if event == EventType.RECEIVED:
        # An online dossier accepted after the applicant completed it on request: the
        # applicant is waiting to hear that what they sent arrived, so the message opens
        # with that ("Đã nhận hồ sơ bổ sung …"), not as if it were a new dossier.
        # (Only an online dossier is ever completed on request: a counter receipt asks not.)
        context["after_completion"] = (
            dossier.channel == Channel.ONLINE
            and dossier.events.filter(type=EventType.COMPLETED).exists()
        )
    context.update(extra)
    # The message is in Vietnamese whatever the language of the page that caused it.
    with translation.override("vi"):
        values: Mapping[str, str] = {"code": dossier.code, "procedure": context["procedure"]}
        context["title"] = str(notice.title)
        context["lead"] = str(notice.lead) % values if notice.lead else ""
    return notification_enqueue(
        kind=str(event),
        recipients=recipients,
        context=context,
        template=TEMPLATES + notice.template,
        reference=dossier_reference(dossier),
    )
