"""Events out: deliveries queued with the event, signed, retried, replayed, filtered."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.test import Client

from motcua.agencies.models import Agency
from motcua.catalog.models import ProcedureVersion
from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Dossier, DossierEvent, EventType
from motcua.dossiers.services import dossier_handover, dossier_receive
from motcua.notify.worker import worker_run
from motcua.webhooks.models import Delivery, DeliveryStatus, Subscription
from motcua.webhooks.sender import BACKOFF, MAX_ATTEMPTS, deliveries_claim
from motcua.webhooks.services import (
    webhook_deliveries_replay,
    webhook_subscription_create,
    webhook_subscription_update,
)
from tests.webhooks.conftest import Receiver, docs_verify, free_port
from tests.world import World, procedure_create

pytestmark = pytest.mark.usefixtures("traveller")


def applicant() -> Applicant:
    return Applicant(
        kind="citizen",
        name="Hoàng Văn Bình",
        id_number="066090001234",
        phone="0912345678",
        address="Gia Nghĩa, Đắk Nông",
    )


def receive(world: World, version: ProcedureVersion | None = None) -> Dossier:
    return dossier_receive(
        procedure_version=version or world.procedure,
        applicant=applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )


def subscribe(
    url: str, kinds: tuple[str, ...] = ("all",), agencies: Sequence[Agency] = ()
) -> tuple[Subscription, str]:
    return webhook_subscription_create(
        name="Cổng DVC quốc gia", url=url, kinds=kinds, agencies=agencies, actor="test"
    )


def test_a_delivery_is_signed_and_verified_by_the_documented_snippet(
    world: World, receiver: Receiver
) -> None:
    sub, secret = subscribe(receiver.url)
    dossier = receive(world)
    event = DossierEvent.objects.get(dossier=dossier, type=EventType.RECEIVED)

    worker_run(once=True)

    [got] = receiver.received
    verify = docs_verify()
    assert verify(secret, got.headers, got.body)
    assert not verify("whsec_other", got.headers, got.body)
    assert not verify(secret, got.headers, got.body + b" ")
    body = json.loads(got.body)
    assert body["id"] == event.pk
    assert body["type"] == "received"
    assert body["dossier"] == dossier.code
    assert body["to_status"] == dossier.status
    assert dt.datetime.fromisoformat(body["at"]) == event.at
    assert got.headers["X-Motcua-Event"] == "received"
    delivery = Delivery.objects.get(subscription=sub)
    assert got.headers["X-Motcua-Delivery"] == str(delivery.pk)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 204
    assert delivery.last_duration_ms is not None


def test_the_snippet_rejects_a_delivery_older_than_five_minutes(
    world: World, receiver: Receiver, traveller: time_machine.Traveller
) -> None:
    _sub, secret = subscribe(receiver.url)
    receive(world)
    worker_run(once=True)
    [got] = receiver.received
    verify = docs_verify()
    assert verify(secret, got.headers, got.body)
    traveller.shift(dt.timedelta(minutes=6))
    assert not verify(secret, got.headers, got.body)


def test_a_receiver_that_is_down_is_retried_with_back_off_then_delivered(
    world: World, traveller: time_machine.Traveller
) -> None:
    port = free_port()
    receiver = Receiver(port=port)
    subscribe(receiver.url)
    receive(world)

    worker_run(once=True)  # connection refused
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert "Connection refused" in delivery.last_error or "URLError" in delivery.last_error
    assert delivery.next_attempt_at == dt.datetime.now(dt.UTC) + BACKOFF[0]

    receiver.start()  # back, but failing
    receiver.status = 500
    try:
        worker_run(once=True)  # not due yet: nothing sent
        assert receiver.received == []
        traveller.shift(BACKOFF[0])
        worker_run(once=True)
        delivery.refresh_from_db()
        assert len(receiver.received) == 1
        assert delivery.attempts == 2
        assert delivery.last_status_code == 500
        assert delivery.status == DeliveryStatus.PENDING
        assert delivery.next_attempt_at == dt.datetime.now(dt.UTC) + BACKOFF[1]

        receiver.status = 200
        traveller.shift(BACKOFF[1])
        worker_run(once=True)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.DELIVERED
        assert delivery.attempts == 3
        assert delivery.last_status_code == 200
        assert delivery.last_error == ""
        assert len(receiver.received) == 2
    finally:
        receiver.stop()


def test_a_delivery_fails_for_good_and_a_replay_delivers_it(
    world: World, receiver: Receiver, traveller: time_machine.Traveller
) -> None:
    receiver.status = 503
    subscribe(receiver.url)
    receive(world)
    for wait in (dt.timedelta(0), *BACKOFF):
        traveller.shift(wait)
        worker_run(once=True)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == MAX_ATTEMPTS == 6
    assert len(receiver.received) == MAX_ATTEMPTS
    traveller.shift(dt.timedelta(days=2))
    worker_run(once=True)
    assert len(receiver.received) == MAX_ATTEMPTS  # failed: not tried again by itself

    receiver.status = 200
    assert main(["webhooks", "replay", str(delivery.pk)]) == 0
    worker_run(once=True)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert AuditEvent.objects.filter(action="webhook.replay", object_id=str(delivery.pk)).exists()


def test_one_delivery_in_flight_per_subscription_in_event_order(
    world: World, receiver: Receiver
) -> None:
    sub, _secret = subscribe(receiver.url)
    other, _ = subscribe(receiver.url)
    dossier = receive(world)
    dossier_handover(dossier=dossier, actor=world.clerk)
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("id"))
    assert len(events) == 2

    claimed = deliveries_claim()
    # One per subscription, each its oldest; a second claim (another worker) gets nothing.
    assert sorted((d.subscription_id, d.event_id) for d in claimed) == sorted(
        [(sub.pk, events[0].pk), (other.pk, events[0].pk)]
    )
    assert deliveries_claim() == []

    # The claims handed back (as a worker stopped mid-batch does), then a worker round.
    Delivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
        claimed_by="", attempts=0, next_attempt_at=dt.datetime.now(dt.UTC)
    )
    worker_run(once=True)
    ids = [json.loads(r.body)["id"] for r in receiver.received]
    assert ids == [events[0].pk, events[0].pk, events[1].pk, events[1].pk]
    assert Delivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == 4


def test_kind_filter(world: World, receiver: Receiver) -> None:
    handovers, _ = subscribe(receiver.url, kinds=("handover",))
    everything, _ = subscribe(receiver.url)
    dossier = receive(world)
    dossier_handover(dossier=dossier, actor=world.clerk)
    assert list(
        Delivery.objects.filter(subscription=handovers).values_list("event__type", flat=True)
    ) == ["handover"]
    assert sorted(
        Delivery.objects.filter(subscription=everything).values_list("event__type", flat=True)
    ) == ["handover", "received"]


def test_a_subscription_limited_to_an_agency_never_gets_another_agencys_events(
    world: World, receiver: Receiver
) -> None:
    transport_version = procedure_create(
        code="1.002000",
        name="Cấp giấy phép lái xe",
        agency=world.transport,
        field=world.field,
        duration=Decimal(5),
        unit="working_days",
    )
    justice_only, _ = subscribe(receiver.url, agencies=[world.justice])
    transport_only, _ = subscribe(receiver.url, agencies=[world.transport])
    center, _ = subscribe(receiver.url, agencies=[world.center])  # the receiving unit
    ours = receive(world)
    theirs = receive(world, transport_version)

    def codes(sub: Subscription) -> set[str]:
        return set(
            Delivery.objects.filter(subscription=sub).values_list("event__dossier__code", flat=True)
        )

    assert codes(justice_only) == {ours.code}
    assert codes(transport_only) == {theirs.code}
    assert codes(center) == {ours.code, theirs.code}
    worker_run(once=True)
    bodies = [json.loads(r.body)["dossier"] for r in receiver.received]
    assert bodies.count(theirs.code) == 2 and bodies.count(ours.code) == 2


def test_a_rolled_back_change_queues_nothing(world: World, receiver: Receiver) -> None:
    subscribe(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        receive(world)
        assert Delivery.objects.count() == 1
        raise RuntimeError("the caller gives up")
    assert Delivery.objects.count() == 0
    assert Dossier.objects.count() == 0
    worker_run(once=True)
    assert receiver.received == []


def test_an_inactive_subscription_gets_nothing(world: World, receiver: Receiver) -> None:
    sub, _ = subscribe(receiver.url)
    Subscription.objects.filter(pk=sub.pk).update(active=False)
    receive(world)
    assert Delivery.objects.count() == 0


def test_a_subscription_switched_off_is_not_sent_what_it_had_queued(
    world: World, receiver: Receiver
) -> None:
    sub, _ = subscribe(receiver.url)
    receive(world)
    # Switched off by a writer other than the service (e.g. a data fix): the worker checks.
    Subscription.objects.filter(pk=sub.pk).update(active=False)

    worker_run(once=True)

    assert receiver.received == []
    delivery = Delivery.objects.get(subscription=sub)
    assert delivery.status == DeliveryStatus.FAILED
    assert "inactive" in delivery.last_error and delivery.attempts == 0
    # Switched on again, a replay sends it.
    Subscription.objects.filter(pk=sub.pk).update(active=True)
    webhook_deliveries_replay(deliveries=[delivery], actor="test")
    worker_run(once=True)
    assert len(receiver.received) == 1


def test_switching_a_subscription_off_drops_its_queue_at_once_and_audits_it(
    world: World, receiver: Receiver
) -> None:
    sub, _ = subscribe(receiver.url)
    other, _ = subscribe(receiver.url)
    receive(world)

    webhook_subscription_update(
        subscription=sub, actor="test", name=sub.name, url=sub.url, kinds=sub.kinds, active=False
    )

    assert Delivery.objects.get(subscription=sub).status == DeliveryStatus.FAILED
    assert Delivery.objects.get(subscription=other).status == DeliveryStatus.PENDING
    audit = AuditEvent.objects.filter(action="webhook.update").latest("id")
    assert audit.data["dropped"] == 1 and audit.data["active"] is False
    worker_run(once=True)
    assert len(receiver.received) == 1  # the other subscription's


def test_a_subscription_limited_to_a_parent_agency_gets_its_sub_agencies_events(
    world: World, receiver: Receiver
) -> None:
    province, _ = subscribe(receiver.url, agencies=[world.province])
    justice, _ = subscribe(receiver.url, agencies=[world.justice])
    ours = receive(world)  # Sở Tư pháp's dossier, received at the centre: both under the province

    assert Delivery.objects.filter(subscription=province, event__dossier=ours).count() == 1
    assert Delivery.objects.filter(subscription=justice, event__dossier=ours).count() == 1
    # Without kept paths (an agency saved by a fixture) the walk up ``parent`` gives the same.
    Agency.objects.update(path="")
    receive(world)
    assert Delivery.objects.filter(subscription=province).count() == 2


def test_unknown_kinds_and_bad_urls_are_refused(world: World) -> None:
    with pytest.raises(ValueError, match="loại sự kiện"):
        subscribe("https://example.vn/hook", kinds=("recieved",))
    with pytest.raises(ValueError, match="địa chỉ"):
        subscribe("ftp://example.vn/hook")
    assert Subscription.objects.count() == 0


def test_cli_add_prints_the_secret_once_and_list_does_not(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "webhooks",
                "add",
                "Bưu điện",
                "https://buudien.example.vn/hook",
                "--kinds",
                "result_ready,result_delivered",
                "--agencies",
                world.justice.code,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    sub = Subscription.objects.get()
    assert sub.secret in out
    assert sub.kinds == ["result_delivered", "result_ready"]
    assert list(sub.agencies.all()) == [world.justice]
    assert main(["webhooks", "list"]) == 0
    listed = capsys.readouterr().out
    assert "buudien.example.vn" in listed and sub.secret not in listed
    assert main(["webhooks", "add", "X", "https://x.example.vn", "--agencies", "nope"]) == 2


def test_admin_shows_the_secret_once_and_replays_deliveries(
    world: World, receiver: Receiver
) -> None:
    client = Client()
    client.force_login(world.admin)
    response = client.post(
        "/quan-tri/webhooks/subscription/add/",
        {"name": "Hệ thống tỉnh", "url": receiver.url, "kinds": ["received"], "active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    sub = Subscription.objects.get()
    assert sub.secret in response.content.decode()
    assert AuditEvent.objects.filter(action="webhook.create").exists()
    page = client.get(f"/quan-tri/webhooks/subscription/{sub.pk}/change/")
    assert sub.secret not in page.content.decode()

    receive(world)
    worker_run(once=True)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    log = client.get("/quan-tri/webhooks/delivery/")
    assert log.status_code == 200
    response = client.post(
        "/quan-tri/webhooks/delivery/",
        {"action": "replay", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    worker_run(once=True)
    assert len(receiver.received) == 2


def test_replay_service_resets_attempts(world: World, receiver: Receiver) -> None:
    subscribe(receiver.url)
    receive(world)
    worker_run(once=True)
    assert webhook_deliveries_replay(deliveries=Delivery.objects.all(), actor="test") == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
