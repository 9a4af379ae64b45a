"""Where citizens and staff land after logging in and out: each on their own side."""

from __future__ import annotations

import pytest

from tests.portal.conftest import PASSWORD, Portal

pytestmark = pytest.mark.django_db


def test_a_citizen_who_logs_out_lands_on_the_portal(portal: Portal) -> None:
    client = portal.client(portal.citizen)
    response = client.post("/dang-xuat/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/ca-nhan/ho-so/")["Location"].startswith("/ca-nhan/dang-nhap/")


def test_staff_who_log_out_land_on_the_staff_login(portal: Portal) -> None:
    client = portal.client(portal.world.clerk)
    response = client.post("/dang-xuat/")
    assert response["Location"] == "/dang-nhap/"


def test_citizen_login_never_sends_a_citizen_into_the_staff_pages(portal: Portal) -> None:
    client = portal.client()
    for target in ("/can-bo/", "/phan-anh/can-bo/", "/quan-tri/"):
        response = client.post(
            "/ca-nhan/dang-nhap/",
            {"identifier": "an.nguyen@example.vn", "password": PASSWORD, "next": target},
        )
        assert response["Location"] == "/ca-nhan/ho-so/", target
    kept = client.post(
        "/ca-nhan/dang-nhap/",
        {"identifier": "an.nguyen@example.vn", "password": PASSWORD, "next": "/ca-nhan/kho/"},
    )
    assert kept["Location"] == "/ca-nhan/kho/"


def test_staff_login_never_sends_staff_into_the_citizen_pages(portal: Portal) -> None:
    client = portal.client()
    response = client.post(
        "/dang-nhap/",
        {"username": "tiepnhan", "password": "matkhau-thu", "next": "/ca-nhan/ho-so/"},
    )
    assert response["Location"] == "/can-bo/quay/"  # a counter clerk's own landing
    kept = portal.client().post(
        "/dang-nhap/",
        {"username": "tiepnhan", "password": "matkhau-thu", "next": "/can-bo/?f=submitted"},
    )
    assert kept["Location"] == "/can-bo/?f=submitted"


def test_staff_opening_a_citizen_page_are_sent_to_the_staff_application(portal: Portal) -> None:
    client = portal.client(portal.world.clerk)
    submit = f"/thu-tuc/{portal.building.procedure.code}/nop/"
    for path in ("/ca-nhan/ho-so/", "/ca-nhan/kho/", submit):
        assert client.get(path)["Location"] == "/can-bo/", path
    page = client.get("/").content.decode()
    assert "/ca-nhan/ho-so/" not in page and "/can-bo/" in page
