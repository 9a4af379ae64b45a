"""Staff single sign-on with OpenID Connect (optional): only existing staff accounts, matched
by the username claim (or a verified e-mail) at the first sign-in and bound to the provider's
subject from then on, never created, never a superuser; the second factor still asked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django import Settings

from motcua.core.models import AuditEvent, StaffIdentity, StaffProfile
from tests.oidc_provider import Provider, oidc_provider, provider_settings
from tests.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings: Settings) -> Iterator[Provider]:
    with oidc_provider() as p:
        p.auto_approve = True
        settings.MOTCUA = {**settings.MOTCUA, "STAFF_OIDC": provider_settings(p)}
        yield p


def _sso(client: Client) -> Any:
    start = client.get("/dang-nhap/sso/")
    assert start.status_code == 302
    answer = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def test_no_button_and_no_route_when_unset(world: World, settings: Settings) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "STAFF_OIDC": {"DISCOVERY_URL": "", "CLIENT_ID": ""}}
    assert "SSO" not in Client().get("/dang-nhap/").content.decode()
    assert Client().get("/dang-nhap/sso/").status_code == 404


def test_an_existing_clerk_signs_in(world: World, provider: Provider) -> None:
    provider.person = {"sub": "sso-1", "preferred_username": world.clerk.username}
    client = Client()
    assert "SSO" in client.get("/dang-nhap/").content.decode()
    response = _sso(client)
    assert response.status_code == 302
    assert response["Location"].startswith("/can-bo/")
    assert client.session["_auth_user_id"] == str(world.clerk.pk)


def test_unknown_username_creates_nothing(world: World, provider: Provider) -> None:
    provider.person = {"sub": "sso-2", "preferred_username": "nobody", "email": "x@example.vn"}
    before = User.objects.count()
    client = Client()
    assert _sso(client).status_code == 400
    assert User.objects.count() == before
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="login.oidc_refused", object_id="nobody").exists()


def test_a_citizen_account_is_not_staff(world: World, provider: Provider) -> None:
    provider.person = {"sub": "sso-3", "preferred_username": world.citizen.username}
    client = Client()
    assert _sso(client).status_code == 400
    assert "_auth_user_id" not in client.session


def test_match_by_email(world: World, provider: Provider, settings: Settings) -> None:
    world.leader.email = "lanh.dao@example.vn"
    world.leader.save(update_fields=["email"])
    settings.MOTCUA["STAFF_OIDC"]["MATCH"] = "email"
    provider.person = {"sub": "sso-4", "email": "LANH.DAO@example.vn", "email_verified": True}
    client = Client()
    assert _sso(client).status_code == 302
    assert client.session["_auth_user_id"] == str(world.leader.pk)


def test_an_account_with_a_device_still_types_its_code(world: World, provider: Provider) -> None:
    TOTPDevice.objects.create(user=world.specialist, name="phone", confirmed=True)
    provider.person = {"sub": "sso-5", "preferred_username": world.specialist.username}
    client = Client()
    response = _sso(client)
    assert response["Location"] == "/dang-nhap/ma-xac-thuc/"
    assert "_auth_user_id" not in client.session


def _refusal(reason: str) -> AuditEvent | None:
    return (
        AuditEvent.objects.filter(action="login.oidc_refused", data__reason=reason)
        .order_by("-id")
        .first()
    )


def test_the_account_is_bound_to_the_first_subject(world: World, provider: Provider) -> None:
    provider.person = {"sub": "sso-a", "preferred_username": world.clerk.username}
    assert _sso(Client()).status_code == 302
    link = StaffIdentity.objects.get(user=world.clerk)
    assert (link.issuer, link.subject) == (provider.issuer, "sso-a")
    assert AuditEvent.objects.filter(action="login.oidc_linked", object_id=world.clerk.pk).exists()

    # Another provider user who chose the same preferred_username: refused, audited.
    provider.person = {"sub": "sso-b", "preferred_username": world.clerk.username}
    intruder = Client()
    assert _sso(intruder).status_code == 400
    assert "_auth_user_id" not in intruder.session
    refused = _refusal("linked_to_another_subject")
    assert refused is not None and refused.data["subject"] == "sso-b"

    # The bound subject still signs in, even after renaming itself at the provider.
    provider.person = {"sub": "sso-a", "preferred_username": "renamed"}
    client = Client()
    assert _sso(client).status_code == 302
    assert client.session["_auth_user_id"] == str(world.clerk.pk)


def test_a_superuser_never_signs_in_by_sso(world: World, provider: Provider) -> None:
    StaffProfile.objects.create(user=world.admin, agency=world.center, role="administrator")
    provider.person = {"sub": "sso-root", "preferred_username": world.admin.username}
    client = Client()
    assert _sso(client).status_code == 400
    assert "_auth_user_id" not in client.session
    assert not StaffIdentity.objects.exists()
    assert _refusal("not_eligible") is not None


def test_a_bound_account_made_superuser_is_refused(world: World, provider: Provider) -> None:
    provider.person = {"sub": "sso-c", "preferred_username": world.leader.username}
    assert _sso(Client()).status_code == 302
    world.leader.is_superuser = True
    world.leader.save(update_fields=["is_superuser"])
    client = Client()
    assert _sso(client).status_code == 400
    assert "_auth_user_id" not in client.session


def test_is_staff_without_a_profile_is_refused(world: World, provider: Provider) -> None:
    User.objects.create_user("kythuat", is_staff=True)
    provider.person = {"sub": "sso-d", "preferred_username": "kythuat"}
    client = Client()
    assert _sso(client).status_code == 400
    assert "_auth_user_id" not in client.session


def test_an_unverified_email_is_refused(
    world: World, provider: Provider, settings: Settings
) -> None:
    world.leader.email = "lanh.dao@example.vn"
    world.leader.save(update_fields=["email"])
    settings.MOTCUA["STAFF_OIDC"]["MATCH"] = "email"
    for verified in (None, False, "false"):
        provider.person = {"sub": "sso-e", "email": "lanh.dao@example.vn"}
        if verified is not None:
            provider.person["email_verified"] = verified
        client = Client()
        assert _sso(client).status_code == 400
        assert "_auth_user_id" not in client.session
    assert not StaffIdentity.objects.exists()
    assert _refusal("email_unverified") is not None
