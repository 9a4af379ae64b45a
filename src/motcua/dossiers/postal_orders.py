"""Pickup orders to the postal service: the dossiers' outbox glue for results by post (as
``notices`` is for notifications). ``postal_order_queue`` writes an order to the outbox in the
caller's transaction; ``postal_order_send`` is the worker's handler of channel "postal"
(registered in ``dossiers.jobs``); ``postal_orders_retry`` queues again the orders that did
not go. The rules about the dossier are ``dossiers.services.postal``'s."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict

from django.utils.translation import gettext as _

from motcua.core.audit import Actor, audit_log
from motcua.dossiers.models import DeliveryChannel, Dossier, Status
from motcua.dossiers.postal_adapter import (
    Address,
    PickupOrder,
    PostalRefused,
    postal_adapter,
    postal_enabled,
)
from motcua.notify.models import Channel, Message, MessageStatus
from motcua.notify.services import messages_retry, order_enqueue
from motcua.notify.transports import PermanentError

logger = logging.getLogger(__name__)

POSTAL_KIND = "postal_pickup"


def postal_actor(account: str = "") -> str:
    """The actor label of the postal service (with the API account it called with)."""
    label = str(_("Bưu chính công ích"))
    return f"{label} ({account})" if account else label


def _reference(dossier: Dossier) -> str:
    return f"dossier:{dossier.code}"


def _order(dossier: Dossier, number: int) -> PickupOrder:
    unit = dossier.receiving_unit or dossier.agency
    return PickupOrder(
        order_ref=f"{dossier.code}-{number}",
        sender=Address(name=unit.name, address=""),
        receiver=Address(
            name=dossier.applicant_name,
            address=dossier.applicant_address,
            phone=dossier.applicant_phone,
        ),
        content=_("Kết quả giải quyết hồ sơ %(code)s") % {"code": dossier.code},
    )


def postal_order_queue(locked: Dossier, *, actor: Actor) -> Message | None:
    """Queue a pickup order for ``locked``'s result, in the caller's transaction; None when
    the postal integration is off (the counter posts results by hand, as before)."""
    if not postal_enabled():
        return None
    number = Message.objects.filter(kind=POSTAL_KIND, reference=_reference(locked)).count() + 1
    order = _order(locked, number)
    message = order_enqueue(
        kind=POSTAL_KIND,
        channel=Channel.POSTAL,
        recipient="postal",
        body=json.dumps(asdict(order), ensure_ascii=False),
        reference=_reference(locked),
    )
    audit_log(
        actor=actor,
        action="postal.order_queued",
        object_type="dossier",
        object_id=locked.code,
        data={"order_ref": order.order_ref, "message": message.pk},
    )
    return message


def postal_order_send(message: Message) -> None:
    """The outbox handler of channel "postal": book the order, record its tracking number.
    A refused order fails at once; anything else (the service down, a 5xx) is retried."""
    data = json.loads(message.body)
    code = message.reference.removeprefix("dossier:")
    dossier = Dossier.objects.get(code=code)
    if dossier.status != Status.RESULT_READY or dossier.delivery_channel != DeliveryChannel.POSTAL:
        # Handed over at the counter (or the choice changed) while the order waited for a
        # retry: no courier is booked for a result that is no longer there.
        raise PermanentError(
            f"dossier {code} no longer waits for the post (status {dossier.status}): not booked"
        )
    order = PickupOrder(
        order_ref=data["order_ref"],
        sender=Address(**data["sender"]),
        receiver=Address(**data["receiver"]),
        content=data["content"],
    )
    adapter = postal_adapter()
    if adapter is None:
        raise PermanentError("MOTCUA_POSTAL_ADAPTER is not set: the postal integration is off")
    try:
        tracking = adapter.pickup_order(order)
    except PostalRefused as exc:
        raise PermanentError(str(exc)) from exc
    # A ``PostalError`` propagates: the worker retries it with back-off.
    from motcua.dossiers.services.postal import dossier_postal_accept  # it imports this

    dossier_postal_accept(
        dossier=dossier, tracking=tracking, order_ref=order.order_ref, actor=postal_actor()
    )
    logger.info("postal order %s accepted: %s", order.order_ref, tracking)


def postal_orders_retry(dossier: Dossier) -> list[int]:
    """Queue again at once the dossier's orders not sent (failed, or waiting for a retry);
    the ids of those queued (none: nothing was waiting)."""
    waiting = Message.objects.filter(kind=POSTAL_KIND, reference=_reference(dossier)).exclude(
        status=MessageStatus.SENT
    )
    ids = list(waiting.values_list("pk", flat=True))
    if ids:
        messages_retry(messages=Message.objects.filter(pk__in=ids))
    return ids
