"""Login limits beyond one username on one address: password spraying from one address,
guessing one account from many, and why a colleague cannot be locked out for good."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.contrib.auth.models import User
from django.test import Client

from motcua.core.accounts import login_unlock
from motcua.core.models import AuditEvent

from .conftest import PASSWORD, World
from .test_login import T0, attempt


def test_spraying_many_usernames_from_one_address_locks_the_address(world: World) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        statuses = [
            attempt(Client(), f"nguoi{i}", "Matkhau@2026", ip="10.9.9.9") for i in range(20)
        ]
        assert statuses[:19] == [200] * 19 and statuses[19] == 429
        # Even a real account with its right password waits, from that address only.
        response = Client().post(
            "/dang-nhap/", {"username": "clerk", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
        )
        assert response.status_code == 429
        assert "từ địa chỉ mạng này" in response.content.decode()
        assert attempt(Client(), "clerk", PASSWORD, ip="10.0.0.1") == 302
        clock.shift(dt.timedelta(minutes=15, seconds=1))
        assert attempt(Client(), "clerk", PASSWORD, ip="10.9.9.9") == 302


def test_guessing_one_account_from_many_addresses_locks_it_with_backoff(world: World) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        # The owner logged in from the office before.
        assert attempt(Client(), "leader", PASSWORD, ip="10.1.1.1") == 302
        statuses = [attempt(Client(), "leader", "sai", ip=f"172.16.0.{i}") for i in range(10)]
        assert statuses[:9] == [200] * 9 and statuses[9] == 429
        response = Client().post(
            "/dang-nhap/", {"username": "leader", "password": PASSWORD}, REMOTE_ADDR="172.16.1.1"
        )
        assert response.status_code == 429
        assert "quản trị hệ thống để mở khóa" in response.content.decode()
        # The attacker cannot keep the owner out of their own office computer.
        assert attempt(Client(), "leader", PASSWORD, ip="10.1.1.1") == 302
        # That success lifted the lock...
        assert attempt(Client(), "leader", PASSWORD, ip="172.16.1.2") == 302
        # ...and a second lock within a day lasts twice as long (30 minutes).
        for i in range(10):
            attempt(Client(), "leader", "sai", ip=f"172.16.2.{i}")
        clock.shift(dt.timedelta(minutes=16))
        assert attempt(Client(), "leader", PASSWORD, ip="172.16.3.1") == 429
        clock.shift(dt.timedelta(minutes=15))
        assert attempt(Client(), "leader", PASSWORD, ip="172.16.3.1") == 302
    scopes = [e.data["scope"] for e in AuditEvent.objects.filter(action="login.locked")]
    assert scopes == ["account", "account"]


def test_an_administrator_lifts_a_lock(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        for i in range(10):
            attempt(Client(), "clerk", "sai", ip=f"172.16.0.{i}")
        assert attempt(Client(), "clerk", PASSWORD, ip="172.16.9.9") == 429
        assert login_unlock(actor=world.auditor, username="clerk") == 1
        assert attempt(Client(), "clerk", PASSWORD, ip="172.16.9.9") == 302
    assert AuditEvent.objects.filter(action="login.unlocked", object_id="clerk").exists()


def _citizen_attempt(identifier: str, ip: str) -> int:
    response = Client().post(
        "/ca-nhan/dang-nhap/", {"identifier": identifier, "password": "sai"}, REMOTE_ADDR=ip
    )
    return response.status_code


def test_failed_citizen_logins_do_not_lock_the_staff_login(world: World) -> None:
    with time_machine.travel(T0, tick=False):
        # 20 failed citizen logins from the office's (NAT) address lock the portal there...
        statuses = [_citizen_attempt(f"09120000{i:02d}", "10.5.5.5") for i in range(20)]
        assert statuses[-1] == 429
        assert _citizen_attempt("0912999999", "10.5.5.5") == 429
        # ...and not the leader's staff login, even one never used from there.
        assert attempt(Client(), "leader", PASSWORD, ip="10.5.5.5") == 302


def test_a_staff_account_keeps_its_known_address_when_the_address_is_locked(
    world: World,
) -> None:
    with time_machine.travel(T0, tick=False):
        assert attempt(Client(), "leader", PASSWORD, ip="10.6.6.6") == 302
        statuses = [attempt(Client(), f"nguoi{i}", "sai", ip="10.6.6.6") for i in range(20)]
        assert statuses[-1] == 429
        # Another colleague, who never signed in from there, waits...
        assert attempt(Client(), "clerk", PASSWORD, ip="10.6.6.6") == 429
        # ...the leader, who did, does not.
        assert attempt(Client(), "leader", PASSWORD, ip="10.6.6.6") == 302


def test_the_admin_lists_locks_with_their_login(world: World) -> None:
    for _ in range(5):
        _citizen_attempt("0912000001", "10.5.5.6")
    root = User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(root)
    page = client.get("/quan-tri/core/loginfailure/?realm=citizen").content.decode()
    assert "0912000001" in page
    assert (
        "0912000001" not in client.get("/quan-tri/core/loginfailure/?realm=staff").content.decode()
    )
