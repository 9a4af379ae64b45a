"""Staff sessions slide with activity, end at the day's cap, and a form sent after the end is
filled in again once the same person signs in (issue 12, item 7)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from pytest_django import Settings

from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier, Handover
from tests.responses import ClientResponse

from .conftest import PASSWORD, World, paper_parts

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 10, 5, 7, 30, tzinfo=dt.UTC)
COUNTER = "/can-bo/quay/thu-tuc/{}/"
TYPED = {
    "outcome": "receive",
    "applicant_kind": "citizen",
    "applicant_name": "Hoàng Thị Mai",
    "applicant_phone": "0987654321",
    "applicant_id_number": "066190001234",
    "applicant_address": "Tổ 5, phường Nghĩa Tân",
    "channel": "direct",
    "delivery": "counter",
}


@pytest.fixture(autouse=True)
def limits(settings: Settings) -> None:
    settings.STAFF_SESSION_IDLE_MINUTES = 30
    settings.STAFF_SESSION_MAX_HOURS = 10


def sign_in(client: Client, username: str, next_url: str = "") -> ClientResponse:
    """Through the login page, as a person does (not ``force_login``): the kept form must
    survive Django's session key rotation at login."""
    return client.post(
        "/dang-nhap/", {"username": username, "password": PASSWORD, "next": next_url}
    )


def signed_in(client: Client) -> bool:
    response = client.get("/can-bo/")
    return response.status_code == 200


def resume_block(html: str) -> dict[str, Any] | None:
    found = re.search(r'<script id="motcua-resume" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1)) if found else None


def test_activity_renews_the_session_and_idleness_ends_it(world: World, client: Client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        assert sign_in(client, "clerk").status_code == 302
        # Activity every 25 minutes keeps the clerk signed in well past 30 minutes.
        for _ in range(6):
            clock.shift(dt.timedelta(minutes=25))
            assert signed_in(client)
        # 31 minutes without a request: signed out, sent to the login page.
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/can-bo/")
        assert response.status_code == 302
        assert response["Location"].startswith("/dang-nhap/?next=/can-bo/")
        assert "_auth_user_id" not in client.session
        ended = AuditEvent.objects.get(action="session.expired")
        assert ended.actor == world.clerk and ended.data == {"reason": "idle"}


def test_the_session_ends_at_the_cap_whatever_the_activity(world: World, client: Client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "clerk")
        for _ in range(39):  # every 15 minutes up to 9 h 45 min
            clock.shift(dt.timedelta(minutes=15))
            assert signed_in(client)
        state = client.get("/phien/").json()
        assert state == {"expires_in": 15 * 60, "capped": True}
        clock.shift(dt.timedelta(minutes=16))
        assert not signed_in(client)
        assert AuditEvent.objects.get(action="session.expired").data == {"reason": "cap"}
        # Signing in again starts a new day's allowance.
        sign_in(client, "clerk")
        clock.shift(dt.timedelta(minutes=20))
        assert signed_in(client)


def test_the_state_endpoint_reads_and_the_keep_alive_renews(world: World, client: Client) -> None:
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "clerk")
        page = client.get("/can-bo/").content.decode()
        assert 'data-session-expires-in="1800"' in page
        assert 'data-session-warn-before="180"' in page
        assert "/static/motcua/session.js" in page
        clock.shift(dt.timedelta(minutes=28))
        # Reading the state is not activity: the warning may ask as often as it likes.
        assert client.get("/phien/").json()["expires_in"] == 120
        assert client.get("/phien/").json()["expires_in"] == 120
        # "Stay signed in" is.
        assert client.post("/phien/").json() == {"expires_in": 1800, "capped": False}
        clock.shift(dt.timedelta(minutes=28))
        assert signed_in(client)
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/phien/")
        assert response.status_code == 401 and response.json() == {"expires_in": 0}


def test_citizens_pages_carry_no_staff_session_data(world: World, client: Client) -> None:
    client.post("/dang-nhap/", {"username": "citizen", "password": PASSWORD})
    page = client.get("/").content.decode()
    assert "data-session-expires-in" not in page and "session.js" not in page
    assert client.get("/phien/").status_code == 401


def test_a_counter_form_sent_after_expiry_comes_back_filled_after_signing_in(
    world: World, client: Client
) -> None:
    url = COUNTER.format(world.version.pk)
    parts = [str(p.pk) for p in world.version.parts.all()]
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "clerk")
        assert client.get(url).status_code == 200
        # The clerk types the applicant, is called away, and sends the form 40 minutes later.
        clock.shift(dt.timedelta(minutes=40))
        sent = client.post(
            url,
            {**TYPED, "parts": parts, "password": "not kept", "csrfmiddlewaretoken": "x"},
            HTTP_REFERER=f"http://testserver{url}",
        )
        assert sent.status_code == 302
        assert sent["Location"] == f"/dang-nhap/?next={url}"
        assert not Dossier.objects.exists()  # not received while signed out
        login_page = client.get(sent["Location"]).content.decode()
        assert "Dữ liệu bạn vừa nhập đã được giữ lại" in login_page
        assert "Hoàng Thị Mai" not in login_page  # nothing typed shows before signing in

        signed = sign_in(client, "clerk", next_url=url)
        assert signed["Location"] == url
        page = client.get(url).content.decode()
        draft = resume_block(page)
        assert draft is not None
        assert draft["action"] == url
        fields = draft["fields"]
        for name in ("applicant_name", "applicant_phone", "applicant_id_number", "outcome"):
            assert fields[name] == [TYPED[name]]
        assert fields["parts"] == parts
        assert "password" not in fields and "csrfmiddlewaretoken" not in fields
        # Shown once, and not submitted on the clerk's behalf.
        assert not Dossier.objects.exists()
        assert resume_block(client.get(url).content.decode()) is None


def test_a_kept_form_is_not_shown_to_another_person(world: World, client: Client) -> None:
    url = COUNTER.format(world.version.pk)
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "clerk")
        clock.shift(dt.timedelta(minutes=40))
        client.post(url, TYPED)
        sign_in(client, "manager", next_url=url)
        page = client.get(url).content.decode()
        assert resume_block(page) is None and "Hoàng Thị Mai" not in page


def test_a_kept_form_goes_stale(world: World, client: Client) -> None:
    url = COUNTER.format(world.version.pk)
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "clerk")
        clock.shift(dt.timedelta(minutes=40))
        client.post(url, TYPED)
        clock.shift(dt.timedelta(minutes=31))
        sign_in(client, "clerk", next_url=url)
        assert resume_block(client.get(url).content.decode()) is None


def test_an_action_form_comes_back_on_the_dossier_page(world: World, client: Client) -> None:
    """A dossier's action form posts to its own address but lives on the dossier's page: the
    clerk goes back to that page, where the script fills the form that posts there."""
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "clerk")
        response = client.post(
            COUNTER.format(world.version.pk),
            {**TYPED, **paper_parts(world)},
        )
        page = response["Location"]
        dossier = Dossier.objects.get()
        action = f"/can-bo/ho-so/{dossier.code}/chuyen-xu-ly/"
        assert action in client.get(page).content.decode()
        clock.shift(dt.timedelta(minutes=45))
        sent = client.post(
            action,
            {"version": dossier.version, "to_unit": world.construction_unit.name},
            HTTP_REFERER=f"http://testserver{page}",
        )
        assert sent["Location"].startswith("/dang-nhap/?next=")
        sign_in(client, "clerk", next_url=page)
        draft = resume_block(client.get(page).content.decode())
        assert draft == {
            "action": action,
            "fields": {
                "version": [str(dossier.version)],
                "to_unit": [world.construction_unit.name],
            },
        }
        assert not Handover.objects.exists()  # not handed over on the clerk's behalf


def test_an_htmx_request_after_expiry_sends_the_browser_to_the_login(
    world: World, client: Client
) -> None:
    url = COUNTER.format(world.version.pk)
    with time_machine.travel(START, tick=False) as clock:
        sign_in(client, "clerk")
        clock.shift(dt.timedelta(minutes=40))
        response = client.post(url, TYPED, HTTP_HX_REQUEST="true")
        assert response.status_code == 204
        assert response["HX-Redirect"].startswith("/dang-nhap/?next=")
