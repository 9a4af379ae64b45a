"""The pages work under the Content-Security-Policy in a real browser: the language switch
and the print buttons (static script, no inline handler), HTMX (no inline style, no eval)
and the API's Swagger page (django-ninja's own static files). Any violation fails the test
(``new_page`` in conftest)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_language_switch_works_without_inline_script(new_page: Any) -> None:
    page = new_page()
    response = page.goto("/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("html").get_attribute("lang") == "vi"
    page.select_option("#lang-select", "en")
    page.wait_for_selector("html[lang=en]", state="attached")


def test_the_print_button_prints_from_the_static_script(new_page: Any, world: Any) -> None:
    page = new_page()
    page.goto(f"/thu-tuc/{world.version.procedure.code}/in/")
    page.evaluate("window.print = () => { window.printed = true }")
    page.click("button[data-print]")
    assert page.evaluate("window.printed === true")


def test_htmx_loads_with_its_config_and_without_its_own_styles(new_page: Any) -> None:
    page = new_page()
    page.goto("/dang-nhap/")  # the staff layout loads HTMX (the portal's does not)
    # (Playwright's wait_for_function would itself be refused: it evaluates a string.)
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.locator("style").count() == 0


def test_the_api_docs_render_from_local_files(new_page: Any) -> None:
    page = new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "motcua API" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock")  # the operations, from /api/openapi.json
    base = page.url.split("/api/docs")[0]
    assert all(url.startswith((base, "data:")) for url in requests), requests


def test_a_secret_address_is_sent_to_no_one_and_its_forms_still_post(
    new_page: Any, world: Any
) -> None:
    dossier = world.dossier(secret="WGHPMVD6")
    page = new_page()
    referers: list[str] = []
    page.on("request", lambda request: referers.append(request.headers.get("referer", "")))
    page.goto(f"/tra-cuu/?ma={dossier.code}&bi-mat={dossier.secret}")
    assert dossier.code in page.inner_text("main")
    # A form posted from the page (here the language switch) passes the CSRF check: the
    # browser sends the page's origin, which "no-referrer" would have made "null".
    page.select_option("#lang-select", "en")
    page.wait_for_selector("html[lang=en]", state="attached")
    assert referers and not any(dossier.secret in referer for referer in referers), referers


def test_the_admin_works_under_the_policy(new_page: Any, live_server: Any) -> None:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    admin = User.objects.create_superuser("quantri-csp", password="matkhau-thu-csp")
    client = Client()
    client.force_login(admin)
    page = new_page()
    page.goto("/quan-tri/login/")
    assert page.locator("#id_username").count() == 1
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    # The change form loads the admin's scripts (jQuery, actions, calendar, prepopulate).
    for address in ("/quan-tri/", "/quan-tri/auth/user/", "/quan-tri/auth/user/add/"):
        response = page.goto(address)
        assert response is not None and response.status < 500, address
