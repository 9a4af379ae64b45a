"""The result by post (reviewer's findings on issue 5): the applicant's choice at the counter
is kept, printed on form 01, listed for the counter, and the tracking number shown."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from motcua.dossiers.forms_docs.context import receipt_context, register_context
from motcua.dossiers.models import DeliveryChannel, Dossier, Status

from .conftest import World, login, paper_parts
from .test_counter_rules import RECEIVE
from .test_views import text


def _receive_by_post(world: World, client: Client) -> Dossier:
    login(client, world.clerk)
    response = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/",
        {**RECEIVE, **paper_parts(world), "delivery": "postal", "applicant_address": "Gia Nghĩa"},
    )
    assert response.status_code == 302
    return Dossier.objects.get()


def test_the_choice_of_result_by_post_is_kept_and_printed(world: World) -> None:
    client = Client()
    dossier = _receive_by_post(world, client)
    assert dossier.delivery_channel == DeliveryChannel.POSTAL
    assert receipt_context(dossier).collect_at.startswith("Qua dịch vụ bưu chính công ích")
    assert "Qua bưu chính công ích" in text(client.get(f"/can-bo/ho-so/{dossier.code}/"))


def test_results_by_post_are_listed_and_the_tracking_number_shown(world: World) -> None:
    client = Client()
    dossier = _receive_by_post(world, client)
    at_counter = world.dossier(
        code="X-1", status=Status.RESULT_READY, ended_at=timezone.now(), end_kind="result"
    )
    Dossier.objects.filter(pk=dossier.pk).update(
        status=Status.RESULT_READY, ended_at=timezone.now(), end_kind="result"
    )
    listing = text(client.get("/can-bo/quay/tra-ket-qua/"))
    row = listing.split(f"<td>{dossier.code}</td>", 1)[1].split("</tr>", 1)[0]
    assert "Qua bưu chính" in row and "Gia Nghĩa" in row
    other = listing.split(f"<td>{at_counter.code}</td>", 1)[1].split("</tr>", 1)[0]
    assert "Qua bưu chính" not in other
    dossier.refresh_from_db()
    page = text(
        client.post(
            f"/can-bo/ho-so/{dossier.code}/tra-ket-qua/",
            {"version": dossier.version, "channel": "postal", "reference": "EL123456789VN"},
            follow=True,
        )
    )
    assert "EL123456789VN" in page
    dossier.refresh_from_db()
    assert dossier.status == Status.DELIVERED
    today = timezone.localdate()
    register = register_context(
        unit=world.center,
        dossiers=[dossier],
        date_from=today - dt.timedelta(days=1),
        date_to=today,
    )
    assert "EL123456789VN" in register.rows[0].returned
