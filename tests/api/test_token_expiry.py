"""API tokens expire: after ``expires_at`` a token gets a 401 that says so; the default life is
configurable; expiry shows where tokens are created and listed; revocation still works."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django import Settings

from motcua.api.models import ApiToken
from motcua.api.tokens import api_token_create, token_hash
from motcua.dossiers.models import Dossier
from tests.api.conftest import Api
from tests.world import MONDAY, World, local

NOW = local(MONDAY, 9)


def test_token_lives_ninety_days_by_default_then_gets_a_clear_401(
    world: World, received: Dossier
) -> None:
    with time_machine.travel(NOW, tick=False):
        token, raw = api_token_create(user=world.clerk, name="Bưu điện tỉnh", actor="test")
    assert token.expires_at == NOW + dt.timedelta(days=90)
    api = Api(raw)
    with time_machine.travel(token.expires_at - dt.timedelta(seconds=1), tick=False):
        assert api.get(f"/dossiers/{received.code}").status_code == 200
    with time_machine.travel(token.expires_at, tick=False):
        response = api.get(f"/dossiers/{received.code}")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "token_expired"
    assert "hết hạn" in body["detail"] and "3/1/2027" in body["detail"]
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    token.refresh_from_db()
    assert token.last_used_at == NOW + dt.timedelta(days=90) - dt.timedelta(seconds=1)


def test_default_life_is_configurable(world: World, settings: Settings) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "API_TOKEN_DAYS": "30"}
    with time_machine.travel(NOW, tick=False):
        token, _raw = api_token_create(user=world.clerk, name="Cổng DVC", actor="test")
        longer, _raw = api_token_create(user=world.clerk, name="Cổng DVC", actor="test", days=365)
    assert token.expires_at == NOW + dt.timedelta(days=30)
    assert longer.expires_at == NOW + dt.timedelta(days=365)
    with pytest.raises(ValueError):
        api_token_create(user=world.clerk, name="x", actor="test", days=0)


def test_revoking_a_live_token_still_refuses_it(world: World, received: Dossier) -> None:
    out = io.StringIO()
    call_command("api_token", "create", "--user", "tiepnhan", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    prefix = ApiToken.objects.get(key_hash=token_hash(raw)).prefix
    call_command("api_token", "revoke", prefix, stdout=io.StringIO())
    response = Api(raw).get("/dossiers")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_command_sets_and_shows_the_expiry(world: World) -> None:
    err = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command(
            "api_token",
            "create",
            "--user",
            "tiepnhan",
            "--days",
            "10",
            stdout=io.StringIO(),
            stderr=err,
        )
        old, _raw = api_token_create(user=world.clerk, name="Cũ", actor="test", days=1)
    assert "expires 2026-10-15" in err.getvalue()
    with pytest.raises(CommandError, match="--days"):
        call_command(
            "api_token", "create", "--user", "tiepnhan", "--days", "0", stdout=io.StringIO()
        )
    out = io.StringIO()
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        call_command("api_token", "list", stdout=out)
    lines = {line.split("\t")[0]: line for line in out.getvalue().splitlines()}
    fresh = ApiToken.objects.exclude(pk=old.pk).get()
    assert "expires 2026-10-15" in lines[fresh.prefix] and "active" in lines[fresh.prefix]
    assert "expired 2026-10-06" in lines[old.prefix]


def test_admin_shows_and_sets_the_expiry(world: World) -> None:
    client = Client()
    client.force_login(world.admin)
    with time_machine.travel(NOW, tick=False):
        form = client.get("/quan-tri/api/apitoken/add/")
        assert 'name="expires_at' in form.content.decode()
        client.post(
            "/quan-tri/api/apitoken/add/",
            {
                "name": "Bưu điện tỉnh",
                "user": world.clerk.pk,
                "expires_at_0": "2026-12-31",
                "expires_at_1": "17:00:00",
                "scopes": ["read"],
            },
            follow=True,
        )
    token = ApiToken.objects.get()
    assert token.expires_at == local(dt.date(2026, 12, 31), 17)
    listing = client.get("/quan-tri/api/apitoken/").content.decode()
    assert "hết hạn" in listing.lower()
