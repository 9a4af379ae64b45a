"""Results by post through the postal service (``dossiers.postal_adapter``).

- When a result is ready and the applicant asked for it by post (``delivery_channel`` is
  "postal" until the delivery records the channel used; ``dossier_receive``'s
  ``result_channel``), ``dossier_finish`` queues a pickup order in its own transaction: an
  outbox row (kind ``postal_pickup``, channel "postal"), sent by the worker with the outbox's
  retries and back-off (``postal_order_send``, registered in ``dossiers.jobs``). The message
  row is the order's log (attempts, last error, sent at).
- Accepted, the order's tracking number is written on the dossier (``postal_tracking``) with
  a ``postal_ordered`` event.
- The postal service reports the item's fate (``dossier_postal_report``, called by
  ``POST /api/postal/tracking``): delivered is the dossier's delivery, recorded by
  ``dossier_deliver`` (channel post, the same rule as at the counter); returned is a
  ``delivery_failed`` event: the envelope is back at the one-stop unit and the dossier stays
  "result ready" (``Status.RESULT_READY``), to be collected at the counter or posted again
  (``dossier_postal_resend``); in transit is written to the audit trail only. Reporting the
  same fate twice changes nothing the second time.

The orders themselves (building, queueing, sending) are ``dossiers.postal_orders``: the
services reach the outbox only through such modules (as notifications through ``notices``).

The postal service acts as a system, not as a person at a desk: its actor is a label naming
it and the calling account (``postal_actor``), so the rules' status conditions apply to it
(delivered once, only a result) and the desk conditions, which are about people, do not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core.audit import Actor, audit_log
from motcua.dossiers.errors import TransitionError
from motcua.dossiers.listeners import save_listeners_batched
from motcua.dossiers.models import DeliveryChannel, Dossier, DossierEvent, EndKind, EventType
from motcua.dossiers.postal_adapter import postal_enabled
from motcua.dossiers.postal_orders import postal_order_queue, postal_orders_retry
from motcua.dossiers.rules import Action, require_action
from motcua.dossiers.services.base import _event, _lock, _now, _refuse, _save


def dossier_postal_accept(*, dossier: Dossier, tracking: str, order_ref: str, actor: Actor) -> bool:
    """The postal service accepted a pickup order: its tracking number goes on the dossier.
    Not a change of state (the status stays), so no rule guards it: the order was booked
    whatever happened since. The same answer twice (a retried send) records it once."""
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, None)
        if locked.postal_tracking == tracking:
            return False
        locked.postal_tracking = tracking
        _save(locked, dossier, ["postal_tracking"])
        _event(
            locked,
            type=EventType.POSTAL_ORDERED,
            actor=actor,
            at=_now(),
            from_status=locked.status,
            data={"tracking": tracking, "order_ref": order_ref},
        )
    return True


def dossier_postal_resend(
    *, dossier: Dossier, actor: Actor, expected_version: int | None = None
) -> Dossier:
    """Post the result again (staff, manually): the order that failed is retried, or, when
    none is waiting (it was accepted, then the item came back; or the integration was off
    when the result was ready), a new order is queued. Whoever may deliver may do it."""
    if not postal_enabled():
        raise _refuse(_("Chưa cấu hình kết nối bưu chính (MOTCUA_POSTAL_ADAPTER)."))
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, expected_version)
        require_action(actor, locked, Action.DELIVER)
        if locked.end_kind != EndKind.RESULT or locked.delivery_channel != DeliveryChannel.POSTAL:
            raise _refuse(
                _("Hồ sơ %(code)s không đăng ký nhận kết quả qua bưu chính.")
                % {"code": locked.code}
            )
        retried = postal_orders_retry(locked)
        if retried:
            audit_log(
                actor=actor,
                action="postal.order_queued",
                object_type="dossier",
                object_id=locked.code,
                data={"retried": retried},
            )
        else:
            postal_order_queue(locked, actor=actor)
    return locked


@dataclass(frozen=True)
class TrackingReport:
    status: str  # delivered | returned | in_transit
    at: dt.datetime
    tracking: str = ""
    receiver_name: str = ""
    note: str = ""


def dossier_postal_report(*, dossier: Dossier, actor: Actor, report: TrackingReport) -> bool:
    """What the postal service says became of the result it carries; True when the dossier
    changed. Delivered: the delivery (``dossier_deliver``, channel post); returned: a
    ``delivery_failed`` event, the dossier staying "result ready"; in transit: audited only.
    The same report twice changes nothing the second time."""
    from motcua.dossiers.services.ends import dossier_deliver  # ends imports this module

    detail = {
        "postal_status": report.status,
        "postal_at": report.at.isoformat(),
        "receiver_name": report.receiver_name,
        "note": report.note,
    }
    tracking = report.tracking or dossier.postal_tracking
    if report.status == "in_transit":
        audit_log(
            actor=actor,
            action="postal.tracking",
            object_type="dossier",
            object_id=dossier.code,
            data={"tracking": tracking, **detail},
        )
        return False
    with transaction.atomic(), save_listeners_batched():
        locked = _lock(dossier, None)
        if report.status == "delivered":
            if locked.delivered_at is not None:
                return False  # already recorded (this report's twin, or at the counter)
            dossier_deliver(
                dossier=locked,
                actor=actor,
                channel=DeliveryChannel.POSTAL,
                reference=tracking,
                data=detail,
            )
        elif report.status == "returned":
            seen = DossierEvent.objects.filter(
                dossier=locked, type=EventType.DELIVERY_FAILED, data__tracking=tracking
            )
            if seen.exists():
                return False
            # Only an undelivered result can come back (the delivery's own rule).
            require_action(actor, locked, Action.DELIVER)
            _save(locked, dossier, [])
            _event(
                locked,
                type=EventType.DELIVERY_FAILED,
                actor=actor,
                at=_now(),
                from_status=locked.status,
                data={"tracking": tracking, **detail},
            )
        else:
            raise TransitionError(
                _("Trạng thái bưu gửi không hợp lệ: %(s)s.") % {"s": report.status}
            )
    dossier.refresh_from_db()
    return True
