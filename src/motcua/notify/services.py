"""Writing to the outbox. Sending is the worker's job (``notify.worker``).

A generic outbox: an app hands over recipients, a template (or a subject and a body for
the generic one), its context and a reference to what the message is about. Who is told
about what, and with which links, is the business of the app that owns the data (the
dossiers' notifications are ``dossiers.notices``); nothing here knows a domain app.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from motcua.core.prepared import rows_insert
from motcua.notify.models import Channel, Message, MessageStatus
from motcua.notify.transports import InvalidPhone, phone_normalise

# Set after a commit that queued messages, so that a worker running in this process (the
# one `motcua worker` runs periodic jobs in, for instance) sends them without waiting for
# its next poll. Workers in other processes find them at their next poll.
outbox_wakeup = threading.Event()

# ``subject`` and ``body`` from the context, nothing else: for messages without a template
# of their own.
GENERIC_TEMPLATE = "notify/generic"


class Recipient(NamedTuple):
    channel: str  # a ``Channel`` value
    address: str  # an e-mail address or a Vietnamese mobile number


class InvalidRecipient(ValueError):
    pass


def recipient_clean(recipient: Recipient | tuple[str, str]) -> Recipient:
    """The recipient with its address in the form the transport sends to (a mobile number
    in its national form), or ``InvalidRecipient``: a malformed e-mail address, a number
    that is not a Vietnamese mobile (a landline cannot take an SMS), an unknown channel."""
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


def unaccented(text: str) -> str:
    """Vietnamese without diacritics, case kept: an SMS with diacritics needs UCS-2 and
    costs two or three times as many segments, so SMS are sent unaccented, as is usual."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def message_render(template: str, channel: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, body) of a message from ``<template>.subject`` and ``<template>.txt`` (an
    SMS uses ``<template>.sms`` when it exists, has no subject and is one unaccented line),
    rendered in Vietnamese."""
    ctx = dict(context)
    with translation.override("vi"):
        if channel == Channel.SMS:
            try:
                body = render_to_string(f"{template}.sms", ctx)
            except TemplateDoesNotExist:
                body = render_to_string(f"{template}.txt", ctx)
            return "", unaccented(" ".join(body.split()))
        subject = " ".join(render_to_string(f"{template}.subject", ctx).split())
        body = render_to_string(f"{template}.txt", ctx)
    return subject[:255], body.strip() + "\n"


def notification_enqueue(
    *,
    kind: str,
    recipients: Iterable[Recipient | tuple[str, str]],
    context: Mapping[str, Any] | None = None,
    template: str = GENERIC_TEMPLATE,
    reference: str = "",
) -> list[Message]:
    """Write one pending message per recipient to the outbox, in the caller's transaction.

    The bodies are rendered now from ``template`` (``GENERIC_TEMPLATE``: ``subject`` and
    ``body`` in ``context``), so that the message says what was true when the change
    happened; a rollback of the caller's transaction drops the messages with the change.
    ``kind`` says what the message announces and ``reference`` what it is about
    (``"<type>:<id>"``), both for the admin's filters and the callers' own queries. The same
    address twice gets one message. Raises ``InvalidRecipient`` for a bad address or
    channel (and writes nothing): choosing among a person's contacts is the caller's rule.
    """
    kind = kind.strip()
    if not kind or len(kind) > 32:
        raise ValueError(f"loại thông báo không hợp lệ: {kind!r}")
    if len(reference) > 100:
        raise ValueError(f"tham chiếu quá dài: {reference!r}")
    cleaned = [recipient_clean(r) for r in recipients]
    ctx = dict(context or {})
    now = timezone.now()
    rows = []
    for recipient in dict.fromkeys(cleaned):
        subject, body = message_render(template, recipient.channel, ctx)
        rows.append(
            Message(
                kind=kind,
                channel=recipient.channel,
                recipient=recipient.address,
                subject=subject,
                body=body,
                reference=reference,
                created_at=now,
                next_attempt_at=now,
            )
        )
    messages = rows_insert(rows)
    if messages:
        transaction.on_commit(outbox_wakeup.set)
    return messages


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


def order_enqueue(*, kind: str, channel: str, recipient: str, body: str, reference: str) -> Message:
    """Write one pending machine order (a ``body`` the channel's registered handler reads,
    ``worker.register_channel``) to the outbox, in the caller's transaction: a rollback
    drops it with the change, a commit has the worker send it with the usual retries."""
    if not kind.strip() or len(kind) > 32 or len(reference) > 100:
        raise ValueError(f"loại hoặc tham chiếu không hợp lệ: {kind!r}, {reference!r}")
    now = timezone.now()
    message = Message.objects.create(
        kind=kind,
        channel=channel,
        recipient=recipient[:254],
        body=body,
        reference=reference,
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(outbox_wakeup.set)
    return message
