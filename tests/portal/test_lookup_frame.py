"""The public lookup's frame comes from a per-language cache for visitors not signed in
(motcua.portal.frame): the page must be the one the templates give, in the visitor's
language, with the visitor's own CSRF token, and nothing of one visitor may reach another."""

from __future__ import annotations

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import Client, RequestFactory
from django.utils import translation

from motcua.core.people import person_name
from motcua.dossiers.models import Dossier
from motcua.portal.frame import frame_build, render_public
from tests.portal.conftest import Portal
from tests.portal.test_lookup import received

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(?:name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([A-Za-z0-9]+)')


def tokens(html: str) -> set[str]:
    return set(TOKEN.findall(html))


def ordinary(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every page rendered by the templates alone, as for a signed-in person."""
    monkeypatch.setattr("motcua.portal.frame._personal", lambda request: True)


def page(client: Client, query: dict[str, str]) -> str:
    """The page with its CSRF token blanked, and its headers but the cookies' values."""
    response = client.get("/tra-cuu/", query)
    assert response.status_code == 200
    # ``Expires`` is the time of the response (never_cache), to the second: two renderings
    # a second apart differ there and nowhere else, so only its presence is compared.
    headers = sorted(
        (k, "<now>" if k == "Expires" else v)
        for k, v in response.headers.items()
        if k != "Set-Cookie"
    )
    cookies = sorted(response.cookies)
    return str(TOKEN.sub("TOKEN", response.content.decode())) + repr((headers, cookies))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_page_is_the_one_the_templates_give(
    portal: Portal, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    dossier = received(portal)
    client = Client()
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    queries = [
        {},
        {"ma": dossier.code, "bi-mat": "WRONG123"},
        {"ma": dossier.code, "bi-mat": dossier.secret, "kenh": "qr"},
    ]
    cached = [page(client, q) for q in queries]
    ordinary(monkeypatch)
    assert cached == [page(client, q) for q in queries]
    assert f'<html lang="{language}">' in cached[2]
    assert ("Diễn biến" if language == "vi" else "Timeline") in cached[2]


def test_english_once_chosen_and_vietnamese_for_the_next_visitor(portal: Portal) -> None:
    dossier = received(portal)
    query = {"ma": dossier.code, "bi-mat": dossier.secret}
    vietnamese = Client()
    english = Client()
    english.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for _round in range(2):  # the second round is served from the cache
        vi, en = page(vietnamese, query), page(english, query)
        assert '<html lang="vi">' in vi and "Tra cứu hồ sơ" in vi and "Track a dossier" not in vi
        assert '<html lang="en">' in en and "Track a dossier" in en
        assert "Tra cứu hồ sơ" not in en


def test_each_visitor_gets_their_own_working_csrf_token(portal: Portal) -> None:
    dossier = received(portal)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    query = {"ma": dossier.code, "bi-mat": dossier.secret}
    first_tokens = tokens(first.get("/tra-cuu/", query).content.decode())
    second_tokens = tokens(second.get("/tra-cuu/", query).content.decode())
    # One token per page, used by the language form and the HTMX header alike.
    assert len(first_tokens) == len(second_tokens) == 1
    assert first_tokens != second_tokens
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    # The language switch on the page works with the visitor's own token...
    switched = first.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/tra-cuu/", "csrfmiddlewaretoken": first_tokens.pop()},
    )
    assert switched.status_code == 302
    assert first.cookies["django_language"].value == "en"
    # ... and a token from another visitor's page is refused.
    refused = second.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/tra-cuu/", "csrfmiddlewaretoken": "x" * 64},
    )
    assert refused.status_code == 403


def test_nothing_of_one_visitor_reaches_another(portal: Portal) -> None:
    dossier = received(portal)
    holder = Client()
    found = holder.get("/tra-cuu/", {"ma": dossier.code, "bi-mat": dossier.secret})
    assert dossier.secret in found.content.decode()  # the language switch's return address
    signed_in = portal.client(portal.citizen)
    own = signed_in.get("/tra-cuu/").content.decode()
    assert person_name(portal.citizen) in own and "/ca-nhan/ho-so/" in own
    other = Client().get("/tra-cuu/").content.decode()
    for private in (
        dossier.code,
        dossier.secret,
        person_name(portal.citizen),
        *tokens(found.content.decode()),
        *tokens(own),
    ):
        assert private not in other
    assert "/ca-nhan/dang-nhap/" in other and "/ca-nhan/ho-so/" not in other


def test_the_result_is_never_cached(portal: Portal) -> None:
    dossier = received(portal)
    client = Client()
    query = {"ma": dossier.code, "bi-mat": dossier.secret}
    before = client.get("/tra-cuu/", query)
    assert "no-store" in before["Cache-Control"]
    Dossier.objects.filter(pk=dossier.pk).update(
        current_unit=None, current_unit_label="Phòng Quản lý đô thị"
    )
    after = client.get("/tra-cuu/", query).content.decode()
    assert "Phòng Quản lý đô thị" in after


def test_waiting_messages_are_shown(portal: Portal) -> None:
    request = RequestFactory().get("/tra-cuu/")
    request.user = AnonymousUser()
    request.session = SessionStore()
    # What MessageMiddleware sets, which the stubs do not declare on HttpRequest.
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    messages.info(request, "Thông báo chờ hiển thị")
    with translation.override("vi"):
        response = render_public(
            request,
            "portal/lookup.html",
            "portal/lookup_content.html",
            {"title": "Tra cứu hồ sơ", "nav": "lookup"},
        )
    assert "Thông báo chờ hiển thị" in response.content.decode()


def test_a_layout_without_a_slot_is_refused() -> None:
    with pytest.raises(ValueError, match="slots"):
        frame_build("500.html", "lookup")  # self-contained: no content block, no title
