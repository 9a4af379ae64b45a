"""Error pages speak Vietnamese, keep the site's layout and say what to do."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from pytest_django import Settings

from tests.responses import ClientResponse

from .conftest import World, login

pytestmark = pytest.mark.django_db


def text(response: ClientResponse) -> str:
    return response.content.decode()


def unmasked(response: ClientResponse) -> str:
    """The page without its CSRF tokens, which are masked afresh on every response, and the
    seconds left in the staff session, which change from one second to the next."""
    page = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", text(response))
    return re.sub(r'data-session-expires-in="\d+"', "", page)


def test_404_under_the_staff_side_is_vietnamese_in_the_staff_layout(world: World) -> None:
    response = login(Client(), world.clerk).get("/can-bo/khong-co-trang-nay/")
    assert response.status_code == 404
    page = text(response)
    assert '<html lang="vi">' in page
    assert "Không tìm thấy trang hoặc hồ sơ" in page
    assert 'href="/can-bo/quay/"' in page  # the staff navigation
    assert "Not Found" not in page


def test_404_on_the_portal_uses_the_portal_layout(world: World) -> None:
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = text(response)
    assert "Không tìm thấy trang hoặc hồ sơ" in page
    assert 'href="/tra-cuu/"' in page  # the portal navigation
    assert 'href="/can-bo/quay/"' not in page


def test_a_forbidden_dossier_and_a_missing_one_give_the_same_page(world: World) -> None:
    dossier = world.dossier()
    client = login(Client(), world.outsider)
    existing = client.get(f"/can-bo/ho-so/{dossier.code}/")
    missing = client.get("/can-bo/ho-so/000.00.15.H18-260105-9999/")
    assert existing.status_code == missing.status_code == 404
    assert unmasked(existing) == unmasked(missing)
    assert dossier.code not in text(existing)


def test_403_is_vietnamese_and_says_whom_to_ask(world: World) -> None:
    response = login(Client(), world.specialist).get("/can-bo/nhat-ky/")
    assert response.status_code == 403
    page = text(response)
    assert "Bạn không có quyền mở trang này" in page
    assert "quản trị hệ thống" in page
    assert "403 Forbidden" not in page


def test_csrf_failure_says_to_reload_and_try_again(world: World) -> None:
    dossier = world.dossier()
    client = login(Client(enforce_csrf_checks=True), world.specialist)
    page_url = f"http://testserver/can-bo/ho-so/{dossier.code}/"
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/tra-lai/", {"reason": "x"}, HTTP_REFERER=page_url
    )
    assert response.status_code == 403
    page = text(response)
    assert "tải lại trang và thực hiện lại" in page
    assert "Dữ liệu bạn vừa gửi chưa được lưu" in page
    assert "CSRF verification failed" not in page
    assert f'href="{page_url}"' in page  # reload the dossier, not the POST-only address
    assert 'href="/can-bo/"' in page


def test_500_is_self_contained_and_vietnamese(world: World, settings: Settings) -> None:
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Hệ thống gặp sự cố" in page
    assert "tải lại trang" in page
    assert "<link" not in page  # no stylesheet or other request needed
