"""Writing to the outbox. Sending is the worker's job (``notify.worker``)."""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from motcua.core.formatting import vn_date
from motcua.notify.models import Channel, Kind, Message, MessageStatus
from motcua.notify.transports import InvalidPhone, phone_normalise

if TYPE_CHECKING:
    import datetime as dt

    from motcua.dossiers.models import Dossier

logger = logging.getLogger(__name__)

# Set after a commit that queued messages, so that a worker running in this process (the
# one `motcua worker` runs periodic jobs in, for instance) sends them without waiting for
# its next poll. Workers in other processes find them at their next poll.
outbox_wakeup = threading.Event()


class Recipient(NamedTuple):
    channel: str  # a ``Channel`` value
    address: str  # an e-mail address or a Vietnamese mobile number


class InvalidRecipient(ValueError):
    pass


def _recipient_clean(recipient: Recipient | tuple[str, str]) -> Recipient:
    channel, address = recipient
    if channel == Channel.EMAIL:
        try:
            validate_email(address)
        except ValidationError as exc:
            raise InvalidRecipient(f"địa chỉ thư điện tử không hợp lệ: {address!r}") from exc
        return Recipient(Channel.EMAIL, address.strip())
    if channel == Channel.SMS:
        try:
            return Recipient(Channel.SMS, phone_normalise(address))
        except InvalidPhone as exc:
            raise InvalidRecipient(str(exc)) from exc
    raise InvalidRecipient(f"kênh gửi không hỗ trợ: {channel!r}")


def _local(moment: dt.datetime | None) -> tuple[str, str]:
    """('5/9/2022', '17:00') in the installation's time zone; ('', '') for no moment."""
    if moment is None:
        return "", ""
    local = timezone.localtime(moment)
    return vn_date(local.date()), f"{local:%H:%M}"


def dossier_links(dossier: Dossier) -> dict[str, str]:
    """The public follow link and the rating link of a dossier (both need the secret)."""
    base = str(settings.MOTCUA["PUBLIC_URL"]).rstrip("/")
    follow = urlencode({"ma": dossier.code, "bi-mat": dossier.secret})
    rating = urlencode({"bi-mat": dossier.secret})
    return {
        "follow_url": f"{base}/tra-cuu/?{follow}",
        "rating_url": f"{base}/danh-gia/{quote(dossier.code)}/?{rating}",
    }


def _dossier_context(dossier: Dossier) -> dict[str, Any]:
    due_date, due_time = _local(dossier.due_at)
    # The applicant is told the new appointment once there is one (ND 118 Điều 19.6).
    appointment_date, appointment_time = _local(dossier.extended_due_at or dossier.due_at)
    received_date, received_time = _local(dossier.received_at)
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
        **dossier_links(dossier),
    }


def _unaccented(text: str) -> str:
    """Vietnamese without diacritics, case kept: an SMS with diacritics needs UCS-2 and
    costs two or three times as many segments, so SMS are sent unaccented, as is usual."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def message_render(kind: str, channel: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) of a message from ``notify/<kind>.subject`` and ``notify/<kind>.txt``
    (an SMS uses ``notify/<kind>.sms`` when it exists), rendered in Vietnamese."""
    ctx = dict(context)
    with translation.override("vi"):
        subject = " ".join(render_to_string(f"notify/{kind}.subject", ctx).split())
        if channel == Channel.SMS:
            try:
                body = render_to_string(f"notify/{kind}.sms", ctx)
            except TemplateDoesNotExist:
                body = render_to_string(f"notify/{kind}.txt", ctx)
            return "", _unaccented(" ".join(body.split()))
        body = render_to_string(f"notify/{kind}.txt", ctx)
    return subject[:255], body.strip() + "\n"


def notification_enqueue(
    *,
    kind: str,
    dossier: Dossier | None = None,
    recipients: Iterable[Recipient | tuple[str, str]],
    context: Mapping[str, Any] | None = None,
) -> list[Message]:
    """Write one pending message per recipient to the outbox, in the caller's transaction.

    The bodies are rendered now, so that the message says what was true when the change
    happened; a rollback of the caller's transaction drops the messages with the change.
    ``context`` adds to (or, for ``generic``, provides: ``subject`` and ``body``) the
    dossier's code, procedure, dates and links. Raises ``InvalidRecipient`` for a bad
    address or channel.
    """
    if kind not in Kind.values:
        raise ValueError(f"loại thông báo không hỗ trợ: {kind!r}")
    cleaned = [_recipient_clean(r) for r in recipients]
    ctx: dict[str, Any] = _dossier_context(dossier) if dossier is not None else {}
    ctx.update(context or {})
    now = timezone.now()
    rows = []
    for recipient in dict.fromkeys(cleaned):  # the same address twice gets one message
        subject, body = message_render(kind, recipient.channel, ctx)
        rows.append(
            Message(
                kind=kind,
                channel=recipient.channel,
                recipient=recipient.address,
                subject=subject,
                body=body,
                dossier=dossier,
                created_at=now,
                next_attempt_at=now,
            )
        )
    messages = Message.objects.bulk_create(rows)
    if messages:
        transaction.on_commit(outbox_wakeup.set)
    return messages


def dossier_recipients(dossier: Dossier) -> list[Recipient]:
    """The applicant's e-mail and mobile phone, each when present and valid."""
    recipients = []
    if dossier.applicant_email:
        try:
            recipients.append(_recipient_clean((Channel.EMAIL, dossier.applicant_email)))
        except InvalidRecipient:
            logger.warning("dossier %s: e-mail not usable for notifications", dossier.code)
    if dossier.applicant_phone:
        try:
            recipients.append(_recipient_clean((Channel.SMS, dossier.applicant_phone)))
        except InvalidRecipient:
            # A landline or a typo: the applicant still gets e-mail, and staff see the
            # dossier's phone as it was written.
            logger.info("dossier %s: phone is not a mobile number, no SMS", dossier.code)
    return recipients


def dossier_notify(
    dossier: Dossier, kind: str, *, context: Mapping[str, Any] | None = None
) -> list[Message]:
    """Queue the ``kind`` notification of ``dossier`` to its applicant, by e-mail and SMS
    when each is available. Call it inside the dossier service's transaction."""
    return notification_enqueue(
        kind=kind, dossier=dossier, recipients=dossier_recipients(dossier), context=context
    )


def messages_retry(*, messages: QuerySet[Message] | Sequence[Message]) -> int:
    """Queue failed (or waiting) messages to be sent at once with a fresh set of attempts;
    sent messages are left alone. Returns how many were queued."""
    if isinstance(messages, QuerySet):
        qs = messages
    else:
        qs = Message.objects.filter(pk__in=[m.pk for m in messages])
    count = qs.exclude(status=MessageStatus.SENT).update(
        status=MessageStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_by=""
    )
    if count:
        transaction.on_commit(outbox_wakeup.set)
    return count
