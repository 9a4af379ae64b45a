from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from motcua.core.models import AuditEvent

from .conftest import PASSWORD, World

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1") -> int:
    response = client.post(
        "/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )
    return response.status_code


def test_login_page_has_csrf_and_enforces_it(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/dang-nhap/")
    assert page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in page.content
    # Without the token the post is refused before any password is checked.
    response = client.post("/dang-nhap/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 403


def test_login_lands_a_counter_clerk_on_the_counter(world: World) -> None:
    client = Client()
    response = client.post("/dang-nhap/", {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/can-bo/quay/"
    assert client.get(response["Location"]).status_code == 200
    assert AuditEvent.objects.filter(action="login", actor=world.clerk).exists()


def test_login_lands_other_staff_in_the_inbox(world: World) -> None:
    response = Client().post("/dang-nhap/", {"username": "specialist", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/can-bo/"


def test_login_ignores_an_offsite_next(world: World) -> None:
    response = Client().post(
        "/dang-nhap/?next=https://evil.example/",
        {"username": "clerk", "password": PASSWORD},
    )
    assert response["Location"] == "/can-bo/quay/"  # the clerk's landing, not the offsite next


def test_five_failures_lock_the_username_and_address_for_fifteen_minutes(world: World) -> None:
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(4):
            assert attempt(client, "clerk", "wrong") == 200
        assert attempt(client, "clerk", "wrong") == 429
        # Locked: even the right password is refused, and the page says so.
        assert attempt(client, "clerk", PASSWORD) == 429
        # Another address, or another username, is not locked.
        assert attempt(client, "clerk", PASSWORD, ip="10.0.0.2") == 302
        assert attempt(Client(), "leader", PASSWORD) == 302
        clock.shift(dt.timedelta(minutes=14))
        assert attempt(client, "clerk", PASSWORD) == 429
        clock.shift(dt.timedelta(minutes=1, seconds=1))
        assert attempt(client, "clerk", PASSWORD) == 302
    assert AuditEvent.objects.filter(action="login.locked", object_id="clerk").count() == 1


def test_failures_spread_over_more_than_the_window_do_not_lock(world: World) -> None:
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(4):
            assert attempt(client, "clerk", "wrong") == 200
        clock.shift(dt.timedelta(minutes=16))
        assert attempt(client, "clerk", "wrong") == 200
        assert attempt(client, "clerk", PASSWORD) == 302


def test_a_success_resets_the_count(world: World) -> None:
    client = Client()
    with time_machine.travel(T0, tick=False):
        for _ in range(4):
            attempt(client, "clerk", "wrong")
        assert attempt(client, "clerk", PASSWORD) == 302
        for _ in range(4):
            assert attempt(Client(), "clerk", "wrong") == 200


def test_logout_needs_post(world: World) -> None:
    client = Client()
    client.force_login(world.clerk)
    assert client.get("/dang-xuat/").status_code == 405
    assert client.post("/dang-xuat/").status_code == 302


def test_pages_speak_vietnamese_by_default_and_english_on_request(world: World) -> None:
    # The browser's language does not switch the interface: Vietnamese is the default.
    browser_in_english = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Tên đăng nhập" in browser_in_english.get("/dang-nhap/").content.decode()
    # The language switch: a POST to Django's set_language stores the choice in a cookie.
    english = Client(HTTP_ACCEPT_LANGUAGE="vi")
    english.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})
    assert "Username" in english.get("/dang-nhap/").content.decode()
    english.force_login(world.leader)
    assert "Dossiers to handle" in english.get("/can-bo/").content.decode()
    english.post("/i18n/setlang/", {"language": "vi", "next": "/dang-nhap/"})
    assert "Tên đăng nhập" in english.get("/dang-nhap/").content.decode()
