"""Security headers on every kind of page (issue 12, items 4 and 5): a strict
Content-Security-Policy, Permissions-Policy, Referrer-Policy; and the addresses that carry
a secret — sent with ``no-store`` and ``strict-origin``, written to the access log without it."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from motcua.core.secret_urls import SECRET_PARAMS, redact
from motcua.dossiers.forms_docs.context import lookup_url
from motcua.dossiers.notices import dossier_links
from motcua.feedback.models import Feedback
from motcua.feedback.services import FeedbackInput, feedback_submit
from tests.feedback.conftest import dossier_make
from tests.responses import ClientResponse
from tests.world import World

pytestmark = pytest.mark.django_db

SECRET = "S3CR3TXY"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # The public pages are rate-limited per address; every test starts with a clean count.
    cache.clear()
    yield
    cache.clear()


def policy(response: ClientResponse) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: sources}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_security_headers(response: ClientResponse) -> None:
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval, no other origin
    assert csp["style-src"][0] == "'self'"
    sources = {source for values in csp.values() for source in values}
    assert not sources & {"'unsafe-inline'", "'unsafe-eval'", "*"}
    assert csp["object-src"] == csp["base-uri"] == csp["frame-ancestors"] == ["'none'"]
    features = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in features
    assert response["Referrer-Policy"] in ("same-origin", "strict-origin")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def pakn(world: World) -> Feedback:
    return feedback_submit(
        data=FeedbackInput(
            subject="general",
            title="Yêu cầu thêm giấy tờ",
            text="Cán bộ quầy 3 yêu cầu nộp thêm giấy tờ không có trong quy định.",
            name="Trần Thị Hoa",
            phone="0911222333",
            email="hoa.tran@example.vn",
            address="12 Lê Lợi, Gia Nghĩa",
            reference="",
        )
    )


def _rating(w: World) -> str:
    dossier = dossier_make(w)
    return f"/danh-gia/{dossier.code}/?bi-mat={dossier.secret}"


def _pakn_follow(w: World) -> str:
    feedback = pakn(w)
    return f"/phan-anh/tra-cuu/?code={feedback.code}&secret={feedback.secret}"


def _dossier_lookup(w: World) -> str:
    dossier = dossier_make(w)
    return f"/tra-cuu/?ma={dossier.code}&bi-mat={dossier.secret}"


# (page kind, who is signed in, address or a function of the world that makes one, status)
PAGES: list[tuple[str, str | None, str | Callable[[World], str], int]] = [
    ("portal home", None, "/", 200),
    ("portal procedures", None, "/thu-tuc/", 200),
    ("portal procedure", None, lambda w: f"/thu-tuc/{w.procedure.procedure.code}/", 200),
    ("portal notice for print", None, lambda w: f"/thu-tuc/{w.procedure.procedure.code}/in/", 200),
    ("lookup form", None, "/tra-cuu/", 200),
    ("lookup result", None, _dossier_lookup, 200),
    ("PAKN list", None, "/phan-anh/", 200),
    ("PAKN form", None, "/phan-anh/gui/", 200),
    ("PAKN follow", None, _pakn_follow, 200),
    ("rating", None, _rating, 200),
    ("citizen's dossiers", "citizen", "/ca-nhan/ho-so/", 200),
    ("staff login", None, "/dang-nhap/", 200),
    ("staff inbox", "clerk", "/can-bo/", 200),
    ("staff counter", "clerk", "/can-bo/quay/", 200),
    ("staff PAKN", "clerk", "/phan-anh/can-bo/", 200),
    ("dashboard", "leader", "/can-bo/lanh-dao/", 200),
    # The admin's login only redirects to the one login (/dang-nhap/).
    ("admin login", None, "/quan-tri/login/", 302),
    ("login", None, "/dang-nhap/", 200),
    # 200, or a redirect to a second-factor step: the headers are what is under test here.
    ("admin", "admin", "/quan-tri/", 0),
    ("API docs", None, "/api/docs", 200),
    ("API schema", None, "/api/openapi.json", 200),
    ("404", None, "/khong-co-trang-nay/", 404),
    ("403", "specialist", "/can-bo/nhat-ky/", 403),
]


@pytest.mark.parametrize(
    ("who", "address", "status"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES]
)
def test_every_page_kind_sends_the_security_headers(
    world: World, who: str | None, address: str | Callable[[World], str], status: int
) -> None:
    client = Client()
    if who:
        client.force_login(getattr(world, who))
    response = client.get(address if isinstance(address, str) else address(world))
    if status:
        assert response.status_code == status
    else:
        assert response.status_code in (200, 302)
    assert_security_headers(response)


def test_the_500_page_keeps_its_inline_style_allowed_by_hash_only(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("motcua.portal.views.procedure_versions_in_force", broken)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert_security_headers(response)
    style = re.search(r"<style>(.*?)</style>", response.content.decode(), re.DOTALL)
    assert style is not None  # self-contained: no stylesheet to fetch when things are broken
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert policy(response)["style-src"] == ["'self'", f"'sha256-{digest}'"]


def test_other_pages_allow_no_inline_style_at_all(world: World) -> None:
    assert policy(Client().get("/"))["style-src"] == ["'self'"]


# --- addresses with a secret --------------------------------------------------------------


def _route(pattern: URLPattern | URLResolver) -> str | None:
    """The route of a path() pattern with every converter filled in; None for a regex."""
    if not isinstance(pattern.pattern, RoutePattern):
        return None
    route = str(pattern.pattern)
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "X", route)


def public_addresses() -> list[str]:
    """Every address of the URL map made of path() routes (the admin's regex patterns are
    staff-only and take no secret)."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = _route(p)
            if route is None:
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            else:
                found.append(prefix + route)

    walk(get_resolver().url_patterns, "/")
    return found


def test_the_walk_finds_every_secret_taking_page() -> None:
    addresses = public_addresses()
    for address in ("/tra-cuu/", "/danh-gia/X/", "/danh-gia/quay/X/", "/phan-anh/tra-cuu/"):
        assert address in addresses
    assert len(addresses) > 40


def test_any_address_with_a_secret_is_not_stored_and_sends_no_address_as_referer(
    world: World,
) -> None:
    """Over every public URL pattern: a secret parameter in the address (whichever page it
    reaches, and whatever that page answers) gives ``no-store`` and ``strict-origin``."""
    client = Client(raise_request_exception=False)
    query = "&".join(f"{name}={SECRET}" for name in SECRET_PARAMS)
    for address in public_addresses():
        for param in SECRET_PARAMS:
            response = client.get(f"{address}?{param}={SECRET}")
            assert "no-store" in response.get("Cache-Control", ""), (address, param)
            assert response["Referrer-Policy"] == "strict-origin", (address, param)
        assert SECRET not in redact(f"{address}?{query}")


def test_a_page_without_a_secret_keeps_the_site_wide_referrer_policy(world: World) -> None:
    response = Client().get("/tra-cuu/?ma=000.00.19.H18-261005-0001")
    assert response["Referrer-Policy"] == "same-origin"
    assert Client().get("/thu-tuc/")["Referrer-Policy"] == "same-origin"


def secret_links(w: World) -> list[tuple[str, str]]:
    """The secret-bearing addresses the system hands out, from the code that builds them,
    each with the secret it carries."""
    dossier = dossier_make(w)
    feedback = pakn(w)
    kiosk_token = "T0KENT0KENT0KEN"
    links = dossier_links(dossier)
    return [
        (lookup_url(dossier.code, dossier.secret), dossier.secret),  # the receipt's QR code
        (links["follow_url"], dossier.secret),
        (links["rating_url"] + "&kenh=qr", dossier.secret),
        (f"/phan-anh/tra-cuu/?code={feedback.code}&secret={feedback.secret}", feedback.secret),
        (f"/danh-gia/quay/{kiosk_token}/", kiosk_token),
    ]


def test_every_secret_link_is_redacted_and_answered_with_no_store(world: World) -> None:
    for link, secret in secret_links(world):
        path = re.sub(r"^https?://[^/]+", "", link)
        assert secret in path
        assert secret not in redact(path) and secret not in redact(link), link
        response = Client().get(path)
        assert "no-store" in response["Cache-Control"], link
        assert response["Referrer-Policy"] == "strict-origin", link


def test_the_access_log_writes_no_secret_of_any_link(world: World) -> None:
    from motcua.core.server import AccessLogger
    from tests.core.test_server import _access_line

    for link, secret in secret_links(world):
        path = re.sub(r"^https?://[^/]+", "", link)
        for access_format in (None, '%(h)s "%(r)s" %(U)s %(q)s %({referer}i)s %(f)s'):
            line = _access_line(AccessLogger, path, access_format)
            assert secret not in line, line


def test_the_pakn_pages_that_show_a_secret_are_not_stored(world: World) -> None:
    client = Client()
    submitted = client.post(
        "/phan-anh/gui/",
        {
            "subject": "general",
            "title": "Yêu cầu thêm giấy tờ",
            "text": "Cán bộ quầy 3 yêu cầu nộp thêm giấy tờ không có trong quy định.",
            "name": "Trần Thị Hoa",
            "phone": "0911222333",
        },
    )
    feedback = Feedback.objects.get()
    assert feedback.secret in submitted.content.decode()
    assert "no-store" in submitted["Cache-Control"]
    assert submitted["Referrer-Policy"] == "strict-origin"
    unsatisfied = client.post(
        "/phan-anh/tra-cuu/", {"code": feedback.code, "secret": feedback.secret, "reason": "x"}
    )
    assert "no-store" in unsatisfied["Cache-Control"]
    assert unsatisfied["Referrer-Policy"] == "strict-origin"


def test_a_pdf_is_sent_without_the_policy_that_would_block_chromes_viewer(world: World) -> None:
    client = Client()
    client.force_login(world.clerk)
    response = client.get(
        "/can-bo/quay/so-theo-doi/?date_from=2026-10-01&date_to=2026-10-31&fmt=pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
