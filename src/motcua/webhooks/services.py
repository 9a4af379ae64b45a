"""Webhook subscriptions and deliveries: the one write path for both.

``webhook_deliveries_queue`` is called by the dossier services where an event is written
(``dossiers.services.base._event``), in the same transaction: a rolled-back change queues
nothing. Sending is ``webhooks.sender``'s, run by ``motcua worker``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.agencies.queries import agency_ancestor_ids
from motcua.core.access import request_memo, request_memo_forget
from motcua.core.audit import Actor, audit_log
from motcua.core.config_cache import config_cached
from motcua.dossiers.models import DossierEvent, EventType
from motcua.dossiers.queries import event_item
from motcua.notify.services import outbox_wakeup
from motcua.webhooks.addresses import webhook_address_check
from motcua.webhooks.models import ALL_KINDS, Delivery, DeliveryStatus, Subscription
from motcua.webhooks.sender import deliveries_of_inactive_fail

SECRET_PREFIX = "whsec_"


def kinds_clean(kinds: Iterable[str]) -> list[str]:
    """The event kinds of a subscription: ``EventType`` values, or ``["all"]``."""
    cleaned = sorted({k.strip() for k in kinds if k.strip()})
    if not cleaned:
        raise ValueError("chọn ít nhất một loại sự kiện (hoặc “all”)")
    unknown = set(cleaned) - {*EventType.values, ALL_KINDS}
    if unknown:
        raise ValueError(f"loại sự kiện không có: {', '.join(sorted(unknown))}")
    return [ALL_KINDS] if ALL_KINDS in cleaned else cleaned


def _url_clean(url: str) -> str:
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValueError(f"địa chỉ nhận không hợp lệ: {url!r}") from exc
    webhook_address_check(url)
    return url


def webhook_subscription_create(
    *,
    name: str,
    url: str,
    kinds: Iterable[str],
    actor: Actor,
    agencies: Sequence[Agency] = (),
) -> tuple[Subscription, str]:
    """A new subscription; returns it and its signing secret, to be shown once (it is
    stored, as signing needs it, but no page or log shows it again)."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        sub = Subscription.objects.create(
            name=name.strip() or url,
            url=_url_clean(url),
            secret=secret,
            kinds=kinds_clean(kinds),
        )
        sub.agencies.set(agencies)
        request_memo_forget(_ACTIVE)
        audit_log(
            actor=actor,
            action="webhook.create",
            object_type="webhook",
            object_id=sub.pk,
            data=_audit_data(sub),
        )
    return sub, secret


def webhook_subscription_update(
    *,
    subscription: Subscription,
    actor: Actor,
    name: str,
    url: str,
    kinds: Iterable[str],
    active: bool,
    agencies: Sequence[Agency] = (),
) -> Subscription:
    """Change what a subscription receives and where (the secret stays)."""
    with transaction.atomic():
        subscription.name = name.strip() or url
        subscription.url = _url_clean(url)
        subscription.kinds = kinds_clean(kinds)
        subscription.active = active
        subscription.save(update_fields=["name", "url", "kinds", "active"])
        subscription.agencies.set(agencies)
        request_memo_forget(_ACTIVE)
        # Switched off: its queue is not sent (the worker checks too, for other writers).
        dropped = 0 if active else deliveries_of_inactive_fail()
        audit_log(
            actor=actor,
            action="webhook.update",
            object_type="webhook",
            object_id=subscription.pk,
            data={**_audit_data(subscription), **({"dropped": dropped} if dropped else {})},
        )
    return subscription


def _audit_data(sub: Subscription) -> dict[str, object]:
    # Never the secret.
    return {
        "name": sub.name,
        "url": sub.url,
        "kinds": sub.kinds,
        "agencies": sorted(a.code for a in sub.agencies.all()),
        "active": sub.active,
    }


_ACTIVE = "webhooks.active"


def _active_subscriptions() -> list[Subscription]:
    """The active subscriptions with their agencies, read once per request: a request that
    records several events (a receipt waiting for its fee records two) reads them once. The
    services that change subscriptions drop it (``request_memo_forget``)."""
    return request_memo(
        _ACTIVE,
        0,
        # Kept per process too while the subscriptions are unchanged (core.config_cache).
        lambda: config_cached(
            "webhooks.active",
            lambda: list(Subscription.objects.filter(active=True).prefetch_related("agencies")),
        ),
    )


def subscriptions_for(event: DossierEvent) -> list[Subscription]:
    """The active subscriptions that want ``event``: its kind, and no agency filter or the
    dossier's competent agency or receiving unit within (the subtree of) one of the
    subscription's agencies, as an API token's agency limit reaches its sub-agencies."""
    dossier = event.dossier
    units: set[int] | None = None  # the units and their ancestors, read when first needed
    matching = []
    for sub in _active_subscriptions():
        if not sub.wants(event.type):
            continue
        agency_ids = {a.pk for a in sub.agencies.all()}
        if agency_ids:
            if units is None:
                units = agency_ancestor_ids(
                    {dossier.agency_id, dossier.receiving_unit_id} - {None}  # type: ignore[arg-type]
                )
            if not agency_ids & units:
                continue
        matching.append(sub)
    return matching


def webhook_deliveries_queue(event: DossierEvent) -> list[Delivery]:
    """One pending delivery per subscription that wants ``event``, in the caller's
    transaction (which must be the one that wrote the event)."""
    subs = subscriptions_for(event)
    if not subs:
        return []
    payload = _json_ready(event_item(event))
    now = timezone.now()
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(
                subscription=s, event=event, payload=payload, created_at=now, next_attempt_at=now
            )
            for s in subs
        ]
    )
    transaction.on_commit(outbox_wakeup.set)
    return deliveries


def _json_ready(item: dict[str, object]) -> dict[str, object]:
    at = item["at"]
    return {**item, "at": at.isoformat() if hasattr(at, "isoformat") else at}


def webhook_deliveries_replay(
    *, deliveries: QuerySet[Delivery] | Sequence[Delivery], actor: Actor
) -> int:
    """Send deliveries again at once with a fresh set of attempts, whatever their status
    (a receiver that lost what it was sent asks for it again). Returns how many."""
    if isinstance(deliveries, QuerySet):
        qs = deliveries
    else:
        qs = Delivery.objects.filter(pk__in=[d.pk for d in deliveries])
    with transaction.atomic():
        ids = sorted(qs.values_list("pk", flat=True))
        count = Delivery.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=timezone.now(),
            claimed_by="",
        )
        for pk in ids:
            audit_log(
                actor=actor,
                action="webhook.replay",
                object_type="webhook_delivery",
                object_id=pk,
                data={},
            )
    if count:
        transaction.on_commit(outbox_wakeup.set)
    return count
