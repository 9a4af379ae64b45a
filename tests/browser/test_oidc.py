"""Sign in with VNeID in a real browser, on a phone: the portal's login button, the local
OpenID Connect provider's consent page (tests/oidc_provider.py), and back to "Hồ sơ của tôi"
as a new citizen holding the verified ID number."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.portal.models import CitizenIdentity
from tests.oidc_provider import Provider, oidc_provider, provider_settings

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    with oidc_provider() as p:
        p.person = {"sub": "vneid-browser", "id_number": "079301002345", "name": "Lê Văn Cường"}
        settings.MOTCUA = {**settings.MOTCUA, "OIDC": provider_settings(p)}
        yield p


def test_citizen_signs_in_with_vneid_on_a_phone(provider: Provider, new_page: Any) -> None:
    page = new_page(width=360, height=740)
    page.goto("/ca-nhan/dang-nhap/")
    shot(page, "portal-login-vneid-360")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.get_by_role("heading", name="VNeID (thử nghiệm)").wait_for()
    page.get_by_role("button", name="Xác nhận đăng nhập").click()
    page.get_by_role("heading", name="Hồ sơ của tôi").wait_for()
    assert page.url.endswith("/ca-nhan/ho-so/")
    shot(page, "portal-vneid-signed-in-360")
    identity = CitizenIdentity.objects.get(provider="vneid", subject="vneid-browser")
    assert identity.id_number == "079301002345"
    page.get_by_role("link", name="Tài khoản").click()
    page.get_by_text("079301002345").wait_for()
    shot(page, "portal-vneid-account-360")
