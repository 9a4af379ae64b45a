"""The postal item number (số hiệu bưu gửi) of a dossier received by post, at the counter:
kept on the dossier and shown on its page; refused for a dossier handed in at the counter."""

from __future__ import annotations

from django.test import Client

from motcua.dossiers.models import Channel, Dossier

from .conftest import World, login, paper_parts
from .test_counter_rules import RECEIVE
from .test_views import text


def test_counter_records_and_shows_the_postal_item_number(world: World) -> None:
    client = login(Client(), world.clerk)
    response = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/",
        {
            **RECEIVE,
            **paper_parts(world),
            "channel": "postal",
            "postal_item_number": " RR123456789VN ",
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.channel == Channel.POSTAL
    assert dossier.postal_item_number == "RR123456789VN"
    page = text(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "RR123456789VN" in page
    assert dossier.events.get(type="received").data["postal_item_number"] == "RR123456789VN"


def test_counter_refuses_a_postal_item_number_for_a_dossier_handed_in(world: World) -> None:
    client = login(Client(), world.clerk)
    response = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/",
        {**RECEIVE, **paper_parts(world), "channel": "direct", "postal_item_number": "RR1VN"},
    )
    assert response.status_code == 200
    assert "Số hiệu bưu gửi chỉ ghi cho hồ sơ nhận qua bưu chính" in text(response)
    assert not Dossier.objects.exists()
