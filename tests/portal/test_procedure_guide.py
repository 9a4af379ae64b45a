"""The procedure page's guide (issue 16): blank forms to download, steps, conditions, fee,
and the address, hours and phone of each place that receives it; the same in the API."""

from __future__ import annotations

import re

from django.http import FileResponse
from django.test import Client

from motcua.agencies.contacts import agency_contact_save
from motcua.catalog.guides import FormInput, procedure_guide_save
from motcua.catalog.models import BlankFormType
from tests.portal.conftest import PDF, Portal

HOURS = "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00\nThứ Bảy: 7:30–11:30"


def _guide(portal: Portal) -> None:
    procedure_guide_save(
        version=portal.building,
        conditions="Nhà ở riêng lẻ trong đô thị phải có giấy phép xây dựng.",
        steps=["Chuẩn bị hồ sơ theo mẫu", "Nộp tại Trung tâm", "Nhận giấy phép"],
        forms=[
            FormInput("Đơn đề nghị cấp giấy phép xây dựng", "Mẫu số 01", PDF, BlankFormType.PDF)
        ],
        actor="test",
    )
    agency_contact_save(
        agency=portal.world.center,
        values={
            "address": "Số 1 Trần Hưng Đạo, Gia Nghĩa",
            "opening_hours": HOURS,
            "phone": "0261 3544 999",
            "hotline": "1900 1234",
        },
        actor="test",
    )


def test_the_page_shows_the_guide_and_the_form_downloads(portal: Portal) -> None:
    _guide(portal)
    page = Client().get("/thu-tuc/1.009972/")
    html = page.content.decode()

    assert page.status_code == 200
    links = re.findall(r'href="(/thu-tuc/1\.009972/mau/\d+/)"', html)
    assert len(links) == 1
    for text in (
        "Đơn đề nghị cấp giấy phép xây dựng",
        "Mẫu số 01",
        "Nộp tại Trung tâm",
        "Nhà ở riêng lẻ trong đô thị",
        "1.250.000 đồng",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "Số 1 Trần Hưng Đạo, Gia Nghĩa",
        "Thứ Bảy: 7:30–11:30",
        'href="tel:02613544999"',
        "1900 1234",
    ):
        assert text in html, text

    response = Client().get(links[0])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="mau-so-01.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == PDF


def test_the_printed_board_notice_shows_the_forms_steps_conditions_and_places(
    portal: Portal,
) -> None:
    _guide(portal)
    html = Client().get("/thu-tuc/1.009972/in/").content.decode()
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for text in (
        "Mẫu đơn, tờ khai",
        "Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)",
        "Trình tự thực hiện",
        "Chuẩn bị hồ sơ theo mẫu Nộp tại Trung tâm Nhận giấy phép",
        "Yêu cầu, điều kiện thực hiện",
        "Nhà ở riêng lẻ trong đô thị phải có giấy phép xây dựng.",
        "Địa chỉ Số 1 Trần Hưng Đạo, Gia Nghĩa",
        "Giờ làm việc Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00 Thứ Bảy: 7:30–11:30",
        "Điện thoại 0261 3544 999",
        "Đường dây nóng 1900 1234",
    ):
        assert text in flat, text
    # Paper has no links: the QR code leads to the page with the files.
    assert "/mau/" not in html


def test_a_printed_notice_without_a_guide_has_no_empty_headings(portal: Portal) -> None:
    html = Client().get("/thu-tuc/1.009972/in/").content.decode()
    for heading in ("Mẫu đơn, tờ khai", "Trình tự thực hiện", "Yêu cầu, điều kiện", "Địa chỉ"):
        assert heading not in html, heading


def test_a_form_is_found_only_under_its_own_procedure(portal: Portal) -> None:
    _guide(portal)
    form = portal.building.forms.get()
    assert Client().get(f"/thu-tuc/1.001193/mau/{form.pk}/").status_code == 404
    assert Client().get(f"/thu-tuc/1.009972/mau/{form.pk + 1}/").status_code == 404


def test_a_page_without_a_guide_shows_no_empty_sections(portal: Portal) -> None:
    html = Client().get("/thu-tuc/1.009972/").content.decode()
    assert "Mẫu đơn, tờ khai" not in html
    assert "Trình tự thực hiện" not in html
    assert 'id="noi-nop"' not in html  # no contact recorded: the names in the facts suffice


def test_the_api_gives_the_guide_and_the_places(portal: Portal) -> None:
    _guide(portal)
    body = Client().get("/api/procedures/1.009972").json()

    assert body["conditions"].startswith("Nhà ở riêng lẻ")
    assert body["steps"] == ["Chuẩn bị hồ sơ theo mẫu", "Nộp tại Trung tâm", "Nhận giấy phép"]
    [form] = body["forms"]
    assert form["number"] == "Mẫu số 01"
    assert form["content_type"] == "application/pdf"
    assert form["size"] == len(PDF)
    assert form["url"].startswith("http://testserver/thu-tuc/1.009972/mau/")
    assert Client().get(form["url"]).status_code == 200
    [place] = body["places"]
    assert place["code"] == portal.world.center.code
    assert place["opening_hours"] == HOURS.splitlines()
    assert place["phone"] == "0261 3544 999"

    schema = Client().get("/api/openapi.json").json()
    detail = schema["components"]["schemas"]["ProcedureDetailOut"]["properties"]
    assert {"conditions", "steps", "forms", "places"} <= set(detail)
