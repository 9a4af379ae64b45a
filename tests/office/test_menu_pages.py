"""Every page of every role's staff menu opens for that role, names itself in the browser's
title (a tab, a bookmark, a screen reader's first words), and offers the second factor; each
role lands where its work is."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from motcua.agencies.models import Agency
from motcua.core.models import Role
from tests.office.conftest import World
from tests.world import staff_create

NAV = re.compile(r'<nav[^>]*class="[^"]*site-nav[^"]*"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="(/[^"#?]*)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _agency(world: World, role: str) -> Agency:
    if role in (Role.PROVINCIAL_OFFICE, Role.AUDITOR):
        return world.province
    if role in (Role.SPECIALIST, Role.LEADER):
        return world.justice
    return world.center


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMINISTRATOR])
def test_each_menu_page_opens_and_has_a_title(world: World, role: str) -> None:
    user = staff_create(f"menu-{role}", "Trần Thị Thực Đơn", _agency(world, role), role)
    client = Client()
    assert (
        client.post(
            "/dang-nhap/", {"username": user.username, "password": "matkhau-thu"}
        ).status_code
        == 302
    )
    landing = client.get("/can-bo/", follow=True)
    page = landing.content.decode()
    nav = NAV.search(page)
    assert nav is not None, f"{role}: no staff menu"
    links = sorted(set(LINK.findall(nav.group(1))))
    assert links, f"{role}: an empty menu"
    for path in links:
        response = client.get(path)
        assert response.status_code == 200, f"{role} {path}: {response.status_code}"
        html = response.content.decode()
        title = TITLE.search(html)
        assert title is not None and not title.group(1).strip().startswith("·"), (
            f"{role} {path}: title {title.group(1) if title else None!r}"
        )
        assert f'href="{reverse("otp_setup")}"' in html, f"{role} {path}: no second factor"


def test_the_accountant_lands_on_the_fees_collected(world: World) -> None:
    user = staff_create("ketoan-test", "Lê Thị Kế", world.center, Role.ACCOUNTANT)
    response = Client().post("/dang-nhap/", {"username": user.username, "password": "matkhau-thu"})
    assert response.status_code == 302
    assert response["Location"] == "/can-bo/lanh-dao/phi-le-phi/"


def test_the_accountant_sees_no_dossier(world: World) -> None:
    """Money, not cases: the accountant of the centre that received a dossier cannot open it,
    list it or search for it (404 like a dossier of another agency); the staff home takes them
    to the fees collected."""
    dossier = world.dossier()
    user = staff_create("ketoan-ho-so", "Lê Thị Kế", world.center, Role.ACCOUNTANT)
    client = Client()
    client.force_login(user)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
    home = client.get("/can-bo/")
    assert home.status_code == 302 and home["Location"] == "/can-bo/lanh-dao/phi-le-phi/"
    page = client.get("/can-bo/lanh-dao/phi-le-phi/").content.decode()
    nav = NAV.search(page)
    assert nav is not None
    assert dossier.code not in page and 'href="/can-bo/"' not in nav.group(1)
    # The centre's clerk, for comparison, opens it.
    client.force_login(world.clerk)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 200
