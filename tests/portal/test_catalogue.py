"""Public procedure pages: search, the procedure page, its QR code and the A4 notice."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django import Settings

from tests.portal.conftest import Portal

pytestmark = pytest.mark.django_db


def test_search_ignores_diacritics_and_case(portal: Portal) -> None:
    response = portal.client().get("/thu-tuc/", {"q": "GIAY PHEP xay dung"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in html
    assert "Đăng ký khai sinh" not in html


def test_search_finds_words_typed_without_spaces(portal: Portal) -> None:
    html = portal.client().get("/thu-tuc/", {"q": "khaisinh"}).content.decode()
    assert "Đăng ký khai sinh" in html
    assert "Cấp giấy phép xây dựng" not in html
    # The form keeps what was typed.
    assert 'value="khaisinh"' in html


def test_search_filters_by_field_and_agency(portal: Portal) -> None:
    client = portal.client()
    by_field = client.get("/thu-tuc/", {"field": portal.field.pk}).content.decode()
    assert "Cấp giấy phép xây dựng" in by_field and "Đăng ký khai sinh" not in by_field
    transport = portal.world.transport.code
    by_agency = client.get("/thu-tuc/", {"agency": transport}).content.decode()
    assert "Đăng ký khai sinh" in by_agency and "Cấp giấy phép xây dựng" not in by_agency


def test_procedure_page_shows_the_facts(portal: Portal) -> None:
    response = portal.client().get("/thu-tuc/1.009972/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "1.250.000 đồng" in html  # Vietnamese thousands separator
    assert "15 ngày làm việc" in html
    assert "Đơn đề nghị cấp giấy phép" in html and "Bản chụp Căn cước công dân" in html
    assert "Dịch vụ công trực tuyến toàn trình" in html
    assert "Nghị định 15/2021/NĐ-CP" in html
    # One-stop: handed in at the province's service center, decided by Sở Tư pháp.
    assert portal.world.center.name in html and "Sở Tư pháp" in html
    assert 'href="/thu-tuc/1.009972/nop/"' in html


def test_procedure_page_has_an_inline_qr_code_to_itself(portal: Portal) -> None:
    html = portal.client().get("/thu-tuc/1.009972/").content.decode()
    assert "<svg" in html and 'class="segno"' in html
    printed = portal.client().get("/thu-tuc/1.009972/in/")
    assert printed.status_code == 200
    text = printed.content.decode()
    assert "<svg" in text and "http://127.0.0.1:8000/thu-tuc/1.009972/" in text
    assert "site.css" not in text  # the notice has its own print stylesheet


def test_qr_encodes_the_page_url(portal: Portal, settings: Settings) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "PUBLIC_URL": "https://dichvucong.example.vn"}
    a = portal.client().get("/thu-tuc/1.009972/").content.decode()
    settings.MOTCUA = {**settings.MOTCUA, "PUBLIC_URL": "https://khac.example.vn"}
    b = portal.client().get("/thu-tuc/1.009972/").content.decode()
    qr_a = a[a.index("<svg") : a.index("</svg>")]
    qr_b = b[b.index("<svg") : b.index("</svg>")]
    assert qr_a != qr_b


def test_procedure_without_online_service_offers_no_submission(portal: Portal) -> None:
    html = portal.client().get("/thu-tuc/1.001193/").content.decode()
    assert "/nop/" not in html
    assert "Trong ngày làm việc" in html
    assert "Không thu phí, lệ phí" in html
    response = portal.client(portal.citizen).get("/thu-tuc/1.001193/nop/")
    assert response.status_code == 302 and response["Location"] == "/thu-tuc/1.001193/"


def test_unknown_procedure_is_404(portal: Portal) -> None:
    assert portal.client().get("/thu-tuc/9.999999/").status_code == 404


def test_home_page(portal: Portal) -> None:
    response = portal.client().get("/")
    assert response.status_code == 200
    assert 'action="/tra-cuu/"' in response.content.decode()


def test_demo_citizens_can_log_in_and_the_loader_is_idempotent(db: None) -> None:
    from motcua.portal import demo

    first = demo.load(lambda _m: None)
    second = demo.load(lambda _m: None)
    assert first == second and len(first) == 3
    _role, identifier, password = first[1]
    client = Client()
    response = client.post("/ca-nhan/dang-nhap/", {"identifier": identifier, "password": password})
    assert response.status_code == 302
