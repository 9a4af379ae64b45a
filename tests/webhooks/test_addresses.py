"""Webhooks go to public addresses only (SSRF): refused when subscribed and when sent."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.notify.worker import worker_run
from motcua.webhooks.models import Delivery, DeliveryStatus, Subscription
from tests.webhooks.conftest import Receiver
from tests.webhooks.test_webhooks import receive, subscribe
from tests.world import World

pytestmark = pytest.mark.usefixtures("traveller")


@pytest.fixture
def public_only(settings: Any) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "WEBHOOK_ALLOW_PRIVATE": False}


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "https://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fe80::1]/hook",
        "http://100.64.0.1/hook",
        "http://224.0.0.1/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_a_private_address_is_refused_when_subscribed(
    world: World, public_only: None, url: str
) -> None:
    with pytest.raises(ValueError, match="công cộng"):
        subscribe(url)
    assert not Subscription.objects.exists()


def test_a_public_address_is_accepted(world: World, public_only: None) -> None:
    sub, _secret = subscribe("https://93.184.216.34/hook")
    assert sub.url == "https://93.184.216.34/hook"


def test_an_address_that_turned_private_is_not_sent_to(
    world: World, receiver: Receiver, settings: Any
) -> None:
    # Subscribed while allowed (or while its name resolved to a public address): the check at
    # send time still refuses it, and the receiver gets nothing.
    sub, _secret = subscribe(receiver.url)
    settings.MOTCUA = {**settings.MOTCUA, "WEBHOOK_ALLOW_PRIVATE": False}
    receive(world)
    worker_run(once=True)
    assert receiver.received == []
    delivery = Delivery.objects.get(subscription=sub)
    assert delivery.status == DeliveryStatus.PENDING
    assert "công cộng" in delivery.last_error
