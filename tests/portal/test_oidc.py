"""Citizen sign-in with OpenID Connect (VNeID) against a real local provider
(tests/oidc_provider.py): the whole redirect dance through Django's test client, with the
provider's token, JWKS and userinfo endpoints reached over HTTP by the application."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from motcua.core.models import AuditEvent
from motcua.portal.accounts import citizen_register
from motcua.portal.models import CitizenIdentity
from tests.oidc_provider import Provider, oidc_provider, provider_settings

pytestmark = pytest.mark.django_db

ID_NUMBER = "001203004567"


@pytest.fixture
def provider(settings: Settings) -> Iterator[Provider]:
    with oidc_provider() as p:
        p.auto_approve = True
        p.person = {
            "sub": "vneid-abc",
            "id_number": ID_NUMBER,
            "name": "Trần Thị Bình",
            "email": "binh@example.vn",
        }
        settings.MOTCUA = {**settings.MOTCUA, "OIDC": provider_settings(p)}
        yield p


def _start(client: Client, query: str = "") -> str:
    """Begin at our start view; return the provider's authorize URL."""
    response = client.get("/ca-nhan/vneid/" + query)
    assert response.status_code == 302
    return str(response["Location"])


def _provider_answer(authorize_url: str) -> str:
    """What the provider sends the browser back to (our callback, path and query)."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def _sign_in(client: Client) -> Any:
    return client.get(_provider_answer(_start(client)))


def test_login_page_shows_the_button_only_when_configured(settings: Settings, db: None) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "OIDC": {"DISCOVERY_URL": "", "CLIENT_ID": ""}}
    page = Client().get("/ca-nhan/dang-nhap/")
    assert "Đăng nhập bằng VNeID" not in page.content.decode()
    assert Client().get("/ca-nhan/vneid/").status_code == 404


def test_authorize_request_carries_pkce_state_and_nonce(provider: Provider) -> None:
    client = Client()
    assert "Đăng nhập bằng VNeID" in client.get("/ca-nhan/dang-nhap/").content.decode()
    query = parse_qs(urlsplit(_start(client)).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0] and query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://testserver/ca-nhan/vneid/ve/"]


def test_first_login_creates_an_account_with_the_verified_id_number(provider: Provider) -> None:
    client = Client()
    response = _sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/ca-nhan/ho-so/"
    identity = CitizenIdentity.objects.get(provider="vneid", subject="vneid-abc")
    assert identity.id_number == ID_NUMBER
    assert identity.user.first_name == "Trần Thị Bình"
    assert not identity.user.has_usable_password()
    assert client.get("/ca-nhan/ho-so/").status_code == 200
    assert AuditEvent.objects.filter(action="citizen.register", object_id=identity.user.pk).exists()
    # Signing in again finds the same account: nothing new.
    again = Client()
    _sign_in(again)
    assert User.objects.filter(citizen_identities__provider="vneid").count() == 1
    page = again.get("/ca-nhan/tai-khoan/").content.decode()
    assert ID_NUMBER in page


def test_login_with_a_known_verified_id_number_signs_in_to_that_account(
    provider: Provider,
) -> None:
    owner = User.objects.create_user("vneid:other-sub")
    CitizenIdentity.objects.create(
        user=owner, provider="vneid", subject="other-sub", id_number=ID_NUMBER
    )
    client = Client()
    assert _sign_in(client).status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
    assert CitizenIdentity.objects.get(subject="vneid-abc").user == owner
    assert AuditEvent.objects.filter(action="citizen.identity_linked", object_id=owner.pk).exists()


def test_never_links_on_email_alone(provider: Provider) -> None:
    local = citizen_register(
        identifier="binh@example.vn", password="Mat-khau-cong-dan-2026", full_name="Bình"
    )
    assert local is not None
    client = Client()
    _sign_in(client)
    new_owner = CitizenIdentity.objects.get(provider="vneid").user
    assert new_owner != local
    assert client.session["_auth_user_id"] == str(new_owner.pk)


def test_state_mismatch_is_refused(provider: Provider) -> None:
    client = Client()
    back = _provider_answer(_start(client))
    forged = back.replace("state=", "state=x")
    response = client.get(forged)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert not CitizenIdentity.objects.filter(provider="vneid").exists()
    assert provider.token_requests == 0
    assert AuditEvent.objects.filter(action="login.oidc_refused").exists()


def test_a_callback_from_another_browser_is_refused(provider: Provider) -> None:
    back = _provider_answer(_start(Client()))
    intruder = Client()
    assert intruder.get(back).status_code == 400
    assert "_auth_user_id" not in intruder.session


def test_nonce_mismatch_is_refused(provider: Provider) -> None:
    provider.id_token_override = {"nonce": "replayed-nonce"}
    client = Client()
    response = _sign_in(client)
    assert response.status_code == 400
    assert provider.token_requests == 1
    assert "_auth_user_id" not in client.session
    assert not CitizenIdentity.objects.filter(provider="vneid").exists()


def test_wrong_audience_is_refused(provider: Provider) -> None:
    provider.id_token_override = {"aud": "another-client"}
    client = Client()
    assert _sign_in(client).status_code == 400
    assert "_auth_user_id" not in client.session
    assert not CitizenIdentity.objects.filter(provider="vneid").exists()


def test_wrong_issuer_is_refused(provider: Provider) -> None:
    provider.id_token_override = {"iss": "http://127.0.0.1:1"}
    client = Client()
    assert _sign_in(client).status_code == 400
    assert "_auth_user_id" not in client.session


def test_no_id_number_no_account(provider: Provider) -> None:
    provider.person = {"sub": "vneid-abc", "name": "Bình"}
    client = Client()
    response = _sign_in(client)
    assert response.status_code == 400
    assert "số định danh cá nhân" in response.content.decode()
    assert not User.objects.filter(username="vneid:vneid-abc").exists()


def test_logged_in_citizen_links_vneid_from_the_account_page(provider: Provider) -> None:
    local = citizen_register(
        identifier="an.nguyen@example.vn", password="Mat-khau-cong-dan-2026", full_name="An"
    )
    assert local is not None
    client = Client()
    client.force_login(local)
    page = client.get("/ca-nhan/tai-khoan/").content.decode()
    assert "Liên kết với VNeID" in page
    back = _provider_answer(_start(client, "?lien-ket=1"))
    response = client.get(back)
    assert response["Location"] == "/ca-nhan/tai-khoan/"
    identity = CitizenIdentity.objects.get(provider="vneid")
    assert (identity.user, identity.id_number) == (local, ID_NUMBER)
    assert AuditEvent.objects.filter(action="citizen.identity_linked", object_id=local.pk).exists()
    # From now on VNeID signs in to that same account.
    fresh = Client()
    _sign_in(fresh)
    assert fresh.session["_auth_user_id"] == str(local.pk)


def test_linking_an_id_number_another_account_holds_is_refused(provider: Provider) -> None:
    owner = User.objects.create_user("vneid:other-sub")
    CitizenIdentity.objects.create(
        user=owner, provider="vneid", subject="other-sub", id_number=ID_NUMBER
    )
    local = citizen_register(
        identifier="0912345678", password="Mat-khau-cong-dan-2026", full_name="An"
    )
    assert local is not None
    client = Client()
    client.force_login(local)
    response = client.get(_provider_answer(_start(client, "?lien-ket=1")), follow=True)
    assert "đã được liên kết với một tài khoản khác" in response.content.decode()
    assert not CitizenIdentity.objects.filter(user=local, provider="vneid").exists()
