"""Who may call the API: bearer tokens (missing, invalid, revoked → 401), the staff session
with CSRF, the command that issues tokens, and the admin."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.api.models import ApiToken
from motcua.api.tokens import api_token_revoke, token_hash
from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier
from tests.api.conftest import Api, token_for
from tests.responses import ClientResponse
from tests.world import World


def _assert_401(response: ClientResponse) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "not_authenticated"
    assert "mã truy cập" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("token", [None, "mc_wrong", "not-even-a-token", ""])
def test_missing_or_invalid_token_is_401(received: Dossier, token: str | None) -> None:
    api = Api(token)
    _assert_401(api.get(f"/dossiers/{received.code}"))
    _assert_401(api.get("/dossiers"))
    _assert_401(api.post(f"/dossiers/{received.code}/handover", {"expected_version": 1}))


def test_revoked_token_is_401(world: World, received: Dossier) -> None:
    raw = token_for(world.clerk)
    api = Api(raw)
    assert api.get(f"/dossiers/{received.code}").status_code == 200
    token = ApiToken.objects.get(key_hash=token_hash(raw))
    api_token_revoke(token=token, actor="test")
    _assert_401(api.get(f"/dossiers/{received.code}"))


def test_token_of_inactive_user_or_non_staff_is_401(world: World, received: Dossier) -> None:
    citizen_api = Api(token_for(world.citizen))
    _assert_401(citizen_api.get("/dossiers"))
    api = Api(token_for(world.clerk))
    User.objects.filter(pk=world.clerk.pk).update(is_active=False)
    _assert_401(api.get("/dossiers"))


def test_token_stored_hashed_and_last_use_recorded(world: World, received: Dossier) -> None:
    raw = token_for(world.clerk)
    token = ApiToken.objects.get(user=world.clerk)
    assert raw not in (token.key_hash, token.prefix)
    assert token.key_hash == token_hash(raw)
    assert raw.startswith(token.prefix) and len(token.prefix) == 11
    assert token.last_used_at is None
    with time_machine.travel(dt.datetime(2026, 10, 6, 2, 0, tzinfo=dt.UTC), tick=False):
        assert Api(raw).get(f"/dossiers/{received.code}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == dt.datetime(2026, 10, 6, 2, 0, tzinfo=dt.UTC)


def test_token_acts_as_its_user_in_the_trail(world: World, received: Dossier) -> None:
    Api(token_for(world.clerk)).get(f"/dossiers/{received.code}")
    read = AuditEvent.objects.filter(action="read", object_id=received.code).latest("id")
    assert read.actor == world.clerk


def test_staff_session_reads_and_needs_csrf_to_change(world: World, received: Dossier) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.clerk)
    assert client.get(f"/api/dossiers/{received.code}").status_code == 200
    url = f"/api/dossiers/{received.code}/handover"
    body = {"expected_version": received.version}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    received.refresh_from_db()
    assert received.handovers.count() == 0
    # The page's CSRF cookie and header, as the staff application's scripts send them.
    client.get("/can-bo/")
    csrf = client.cookies["csrftoken"].value
    done = client.post(url, body, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert done.status_code == 200, done.content
    first = done.json()["handovers"][0]
    # Form 06, row 1: the one-stop unit hands over to the competent agency (step 2).
    assert (first["from_unit"], first["to_unit"]) == (world.center.name, "Phòng Hành chính tư pháp")


def test_citizen_session_is_401(world: World, received: Dossier) -> None:
    client = Client()
    client.force_login(world.citizen)
    assert client.get("/api/dossiers").status_code == 401


def test_command_creates_lists_and_revokes(world: World) -> None:
    # call_command, not ``motcua manage``: Django's command runner closes the database
    # connections when it ends, which would break the test's transaction on PostgreSQL.
    out = io.StringIO()
    call_command(
        "api_token",
        "create",
        "--user",
        "tiepnhan",
        "--name",
        "VNPost",
        stdout=out,
        stderr=io.StringIO(),
    )
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=world.clerk)
    assert token.name == "VNPost" and token.key_hash == token_hash(raw)
    assert Api(raw).get("/dossiers").status_code == 200
    out = io.StringIO()
    call_command("api_token", "list", stdout=out)
    assert token.prefix in out.getvalue() and "active" in out.getvalue()
    call_command("api_token", "revoke", token.prefix, stdout=io.StringIO())
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Api(raw).get("/dossiers").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_manage_command_is_reachable_from_the_motcua_cli() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["manage", "api_token", "--help"])
    assert exit_info.value.code == 0


def test_command_refuses_unknown_or_non_staff_user(world: World) -> None:
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        call_command("api_token", "create", "--user", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no staff profile"):
        call_command("api_token", "create", "--user", "congdan", stdout=io.StringIO())
    assert not ApiToken.objects.exists()


def test_admin_issues_token_once_and_revokes(world: World) -> None:
    client = Client()
    client.force_login(world.admin)
    response = client.post(
        "/quan-tri/api/apitoken/add/",
        {"name": "Bưu điện tỉnh", "user": world.clerk.pk, "scopes": ["postal", "read"]},
        follow=True,
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.scopes == ["read", "postal"]
    shown = [str(m) for m in response.context["messages"]]
    raw = next(m.split(": ", 1)[1] for m in shown if "chỉ hiển thị một lần" in m)
    assert token.key_hash == token_hash(raw)
    listing = client.get("/quan-tri/api/apitoken/")
    assert token.prefix in listing.content.decode()
    client.post(
        "/quan-tri/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
