"""Results by post through the postal service, against a fake postal server on loopback:
pickup orders from the outbox, tracking callbacks, the postal item number at intake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from motcua.api.tokens import api_token_create
from motcua.dossiers.models import DeliveryChannel, Dossier, EventType, Status
from motcua.dossiers.services import dossier_deliver, dossier_finish, dossier_receive
from motcua.notify.models import Channel, Message, MessageStatus
from motcua.notify.worker import outbox_drain
from tests.api.conftest import Api, clerk_api, token_for  # noqa: F401
from tests.dossiers.conftest import citizen_applicant, to_signing
from tests.integrations.fake_postal import FakePostal, fake_postal_server
from tests.world import MONDAY, World, local, staff_create, world  # noqa: F401


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(local(MONDAY, 9), tick=False) as traveller:
        yield traveller


@pytest.fixture
def postal(settings: Settings) -> Iterator[FakePostal]:
    with fake_postal_server() as fake:
        settings.MOTCUA = {
            **settings.MOTCUA,
            "POSTAL_ADAPTER": "http",
            "POSTAL_URL": fake.url,
            "POSTAL_TOKEN": fake.token,
            "POSTAL_TIMEOUT": "5",
        }
        yield fake


def by_post(world: World, **kwargs: Any) -> Dossier:  # noqa: F811
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        result_channel=DeliveryChannel.POSTAL,
        **kwargs,
    )


def finished(world: World, dossier: Dossier) -> Dossier:  # noqa: F811
    dossier_finish(dossier=to_signing(world, dossier), actor=world.leader)
    dossier.refresh_from_db()
    return dossier


def pickups(dossier: Dossier) -> Any:
    return Message.objects.filter(kind="postal_pickup", reference=f"dossier:{dossier.code}")


@pytest.fixture
def postal_api(world: World) -> Api:  # noqa: F811
    """The postal service's own account and token (it sees what the centre received)."""
    user = staff_create("buudien", "Bưu điện tỉnh", world.center, "counter_clerk")
    return Api(postal_token(user))


def postal_token(user: User) -> str:
    return api_token_create(user=user, name="Bưu điện tỉnh", actor="test", scopes=["postal"])[1]


# --- pickup orders ------------------------------------------------------------------------------


def test_finishing_a_by_post_dossier_sends_one_pickup_order_and_stores_the_tracking_number(
    world: World,  # noqa: F811
    traveller: time_machine.Traveller,
    postal: FakePostal,
) -> None:
    dossier = finished(world, by_post(world))
    assert pickups(dossier).count() == 1
    assert postal.orders == []  # queued with the change, sent by the worker

    outbox_drain()
    outbox_drain()  # nothing left to send: still one order

    dossier.refresh_from_db()
    assert len(postal.orders) == 1
    order = postal.orders[0]
    assert order["receiver"] == {
        "name": "Hoàng Văn Bình",
        "address": "Gia Nghĩa, Đắk Nông",
        "phone": "0912345678",
    }
    assert order["sender"]["name"] == world.center.name
    assert dossier.postal_tracking == postal.tracking[order["order_ref"]]
    assert dossier.status == Status.RESULT_READY  # ordered, not delivered yet
    event = dossier.events.get(type=EventType.POSTAL_ORDERED)
    assert event.data["tracking"] == dossier.postal_tracking
    assert pickups(dossier).get().status == MessageStatus.SENT


def test_a_result_for_the_counter_orders_nothing(
    world: World,  # noqa: F811
    traveller: time_machine.Traveller,
    postal: FakePostal,
) -> None:
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        result_channel=DeliveryChannel.COUNTER,
    )
    finished(world, dossier)
    outbox_drain()
    assert not Message.objects.filter(channel=Channel.POSTAL).exists()
    assert postal.calls == 0


def test_without_the_setting_no_order_is_queued(
    world: World,  # noqa: F811
    traveller: time_machine.Traveller,
) -> None:
    dossier = finished(world, by_post(world))
    assert not pickups(dossier).exists()


def test_postal_service_down_the_order_is_retried_then_sent(
    world: World,  # noqa: F811
    traveller: time_machine.Traveller,
    postal: FakePostal,
) -> None:
    postal.down = True
    dossier = finished(world, by_post(world))
    outbox_drain()
    message = pickups(dossier).get()
    assert message.status == MessageStatus.PENDING
    assert message.attempts == 1
    assert "503" in message.last_error
    dossier.refresh_from_db()
    assert dossier.postal_tracking == ""

    postal.down = False
    outbox_drain()  # not due yet: the back-off holds it
    assert postal.orders == []
    traveller.shift(dt.timedelta(minutes=2))
    outbox_drain()

    message.refresh_from_db()
    dossier.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert len(postal.orders) == 1
    assert dossier.postal_tracking.startswith("EB")


def test_a_refused_order_fails_at_once_and_a_manual_resend_books_it(
    world: World,  # noqa: F811
    traveller: time_machine.Traveller,
    postal: FakePostal,
    clerk_api: Api,  # noqa: F811
) -> None:
    postal.refuse = True
    dossier = finished(world, by_post(world))
    outbox_drain()
    assert pickups(dossier).get().status == MessageStatus.FAILED

    postal.refuse = False
    dossier.refresh_from_db()
    response = clerk_api.post(
        f"/dossiers/{dossier.code}/postal-order", {"expected_version": dossier.version}
    )
    assert response.status_code == 200, response.json()
    outbox_drain()
    dossier.refresh_from_db()
    assert pickups(dossier).get().status == MessageStatus.SENT  # the same order, retried
    assert dossier.postal_tracking.startswith("EB")
    assert len(postal.orders) == 1


def test_resend_refused_for_a_dossier_whose_result_is_collected_at_the_counter(
    world: World,  # noqa: F811
    traveller: time_machine.Traveller,
    postal: FakePostal,
    clerk_api: Api,  # noqa: F811
) -> None:
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    finished(world, dossier)
    response = clerk_api.post(
        f"/dossiers/{dossier.code}/postal-order", {"expected_version": dossier.version}
    )
    assert response.status_code == 422
    assert "bưu chính" in response.json()["detail"]


# --- tracking callbacks -------------------------------------------------------------------------


@pytest.fixture
def posted(world: World, traveller: time_machine.Traveller, postal: FakePostal) -> Dossier:  # noqa: F811
    """A by-post result whose pickup order the postal service accepted."""
    dossier = finished(world, by_post(world))
    outbox_drain()
    dossier.refresh_from_db()
    assert dossier.postal_tracking
    return dossier


def report(dossier: Dossier, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "tracking_number": dossier.postal_tracking,
        "status": status,
        "at": "2026-10-09T10:15:00+07:00",
        **extra,
    }


def test_callback_delivered_records_the_delivery_once(posted: Dossier, postal_api: Api) -> None:
    first = postal_api.post("/postal/tracking", report(posted, "delivered", receiver_name="Bình"))
    assert first.status_code == 200, first.json()
    assert first.json() == {"dossier": posted.code, "status": "delivered", "changed": True}
    posted.refresh_from_db()
    assert posted.status == Status.DELIVERED
    assert posted.delivery_channel == DeliveryChannel.POSTAL
    delivered_at, version = posted.delivered_at, posted.version
    event = posted.events.get(type=EventType.RESULT_DELIVERED)
    assert event.data["reference"] == posted.postal_tracking
    assert event.data["receiver_name"] == "Bình"
    assert "Bưu chính" in event.actor_label

    again = postal_api.post("/postal/tracking", report(posted, "delivered", receiver_name="Bình"))
    assert again.status_code == 200
    assert again.json()["changed"] is False
    posted.refresh_from_db()
    assert (posted.delivered_at, posted.version) == (delivered_at, version)
    assert posted.events.filter(type=EventType.RESULT_DELIVERED).count() == 1


def test_callback_returned_records_a_delivery_failure(posted: Dossier, postal_api: Api) -> None:
    response = postal_api.post(
        "/postal/tracking", report(posted, "returned", note="Không có người nhận")
    )
    assert response.status_code == 200, response.json()
    assert response.json()["changed"] is True
    posted.refresh_from_db()
    # The envelope is back at the one-stop unit: the result waits there, not delivered.
    assert posted.status == Status.RESULT_READY
    assert posted.delivered_at is None
    failure = posted.events.get(type=EventType.DELIVERY_FAILED)
    assert failure.data["note"] == "Không có người nhận"
    assert failure.data["tracking"] == posted.postal_tracking

    again = postal_api.post("/postal/tracking", report(posted, "returned"))
    assert again.json()["changed"] is False
    assert posted.events.filter(type=EventType.DELIVERY_FAILED).count() == 1


def test_callback_in_transit_is_logged_only(posted: Dossier, postal_api: Api) -> None:
    version = posted.version
    response = postal_api.post("/postal/tracking", report(posted, "in_transit"))
    assert response.status_code == 200
    assert response.json()["changed"] is False
    posted.refresh_from_db()
    assert posted.version == version
    from motcua.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="postal.tracking", object_id=posted.code).exists()


def test_callback_for_an_unknown_tracking_number_is_a_json_404(
    posted: Dossier, postal_api: Api
) -> None:
    response = postal_api.post(
        "/postal/tracking",
        {"tracking_number": "EB999999999VN", "status": "delivered", "at": "2026-10-09T10:00:00Z"},
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_token_without_the_postal_scope_is_refused(posted: Dossier, world: World) -> None:  # noqa: F811
    reader = Api(api_token_create(user=world.clerk, name="Đọc", actor="test", scopes=["read"])[1])
    response = reader.post("/postal/tracking", report(posted, "delivered"))
    assert response.status_code == 403
    posted.refresh_from_db()
    assert posted.delivered_at is None


def test_callback_outside_the_accounts_scope_is_a_404(posted: Dossier, world: World) -> None:  # noqa: F811
    outsider = Api(postal_token(world.outsider))
    response = outsider.post("/postal/tracking", report(posted, "delivered"))
    assert response.status_code == 404
    posted.refresh_from_db()
    assert posted.delivered_at is None


def test_callback_needs_a_bearer_token(posted: Dossier) -> None:
    response = Client().post(
        "/api/postal/tracking", report(posted, "delivered"), content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_callback_with_an_unknown_status_is_a_422(posted: Dossier, postal_api: Api) -> None:
    response = postal_api.post("/postal/tracking", report(posted, "lost"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][-1] == "status"


def test_returned_after_delivery_is_refused(posted: Dossier, postal_api: Api) -> None:
    postal_api.post("/postal/tracking", report(posted, "delivered"))
    response = postal_api.post("/postal/tracking", report(posted, "returned"))
    assert response.status_code == 422
    posted.refresh_from_db()
    assert posted.status == Status.DELIVERED


# --- postal item number at intake ---------------------------------------------------------------


def test_api_intake_by_post_records_the_postal_item_number(
    world: World,  # noqa: F811
    traveller: time_machine.Traveller,
    clerk_api: Api,  # noqa: F811
) -> None:
    body = {
        "procedure": world.procedure.procedure.code,
        "applicant": {"name": "Hoàng Văn Bình", "address": "Gia Nghĩa"},
        "channel": "postal",
        "postal_item_number": "RR123456789VN",
        "result_channel": "postal",
    }
    response = clerk_api.post("/dossiers", body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["postal_item_number"] == "RR123456789VN"
    assert data["delivery_channel"] == "postal"
    assert clerk_api.get(f"/dossiers/{data['code']}").json()["postal_item_number"] == (
        "RR123456789VN"
    )


def test_api_postal_item_number_refused_for_a_dossier_received_at_the_counter(
    world: World,  # noqa: F811
    traveller: time_machine.Traveller,
    clerk_api: Api,  # noqa: F811
) -> None:
    body = {
        "procedure": world.procedure.procedure.code,
        "applicant": {"name": "Hoàng Văn Bình"},
        "channel": "direct",
        "postal_item_number": "RR123456789VN",
    }
    response = clerk_api.post("/dossiers", body)
    assert response.status_code == 422
    assert not Dossier.objects.exists()


def test_round_trip_the_fake_postal_service_calls_back_over_http(
    live_server: LiveServer,
    world: World,  # noqa: F811
    traveller: time_machine.Traveller,
    postal: FakePostal,
) -> None:
    dossier = finished(world, by_post(world))
    outbox_drain()
    dossier.refresh_from_db()
    account = staff_create("buudien", "Bưu điện tỉnh", world.center, "counter_clerk")
    status, body = postal.call_back(
        live_server.url,
        postal_token(account),
        tracking_number=dossier.postal_tracking,
        status="delivered",
        at="2026-10-09T10:15:00+07:00",
        receiver_name="Hoàng Văn Bình",
    )
    assert (status, body["changed"]) == (200, True)
    dossier.refresh_from_db()
    assert dossier.status == Status.DELIVERED
    assert dossier.delivery_channel == DeliveryChannel.POSTAL


def test_a_result_handed_over_at_the_counter_while_the_order_waits_books_no_courier(
    world: World,  # noqa: F811
    traveller: time_machine.Traveller,
    postal: FakePostal,
) -> None:
    postal.down = True
    dossier = finished(world, by_post(world))
    outbox_drain()
    assert pickups(dossier).get().status == MessageStatus.PENDING
    # The applicant comes to the counter instead; the post is back later.
    dossier_deliver(dossier=dossier, actor=world.clerk, channel=DeliveryChannel.COUNTER)
    postal.down = False
    traveller.shift(dt.timedelta(minutes=2))
    outbox_drain()
    message = pickups(dossier).get()
    assert message.status == MessageStatus.FAILED
    assert "no longer waits for the post" in message.last_error
    assert postal.orders == []
    dossier.refresh_from_db()
    assert dossier.postal_tracking == ""
    assert not dossier.events.filter(type="postal_ordered").exists()
