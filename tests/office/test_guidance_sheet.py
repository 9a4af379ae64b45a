"""The counter's "Hồ sơ chưa đủ": an incomplete dossier is not received; the clerk gives the
real form 02 — a numbered PDF, recorded as a guidance contact, listing the missing parts with
a phone to call — and no dossier is created."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader

from motcua.dossiers.models import Dossier, Guidance
from tests.responses import ClientResponse

from .conftest import World, login

ZONE = dt.timezone(dt.timedelta(hours=7))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def guide(client: Client, world: World, **extra: object) -> ClientResponse:
    data = {
        "outcome": "guide",
        # Every part ticked: the sheet lists only what is typed.
        "parts": [str(p.pk) for p in world.version.parts.all()],
        "applicant_kind": "citizen",
        "applicant_name": "Nguyễn Văn An",
        "applicant_phone": "0905 111 222",
        "items": "Bản vẽ thiết kế có chữ ký của chủ đầu tư\nGiấy chứng nhận quyền sử dụng đất",
        "guide_reason": "Thiếu bản vẽ và giấy tờ về đất",
        "contact_phone": "0261 3 544 123",
    }
    return client.post(f"/can-bo/quay/thu-tuc/{world.version.pk}/", {**data, **extra})


@pytest.mark.django_db
def test_incomplete_dossier_gets_a_numbered_form_02_pdf(world: World) -> None:
    client = login(Client(), world.clerk)
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, 30, tzinfo=ZONE), tick=False):
        response = guide(client, world)
        assert response.status_code == 302
        sheet = client.get(response["Location"])
    assert sheet.status_code == 200 and sheet["Content-Type"] == "application/pdf"
    assert "no-store" in sheet["Cache-Control"]
    text = pdf_text(sheet.content)
    for expected in (
        "Mẫu số 02 (Thông tư số 03/2025/TT-VPCP)",
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "Số: 1/HD",
        "Đắk Nông, ngày 09 tháng 3 năm 2026",
        "Hồ sơ của: Ông/Bà Nguyễn Văn An",
        "Cấp giấy phép xây dựng mới",
        "1. Bản vẽ thiết kế có chữ ký của chủ đầu tư",
        "2. Giấy chứng nhận quyền sử dụng đất",
        "Lý do: Thiếu bản vẽ và giấy tờ về đất",
        "số điện thoại 0261 3 544 123",
        "NGƯỜI HƯỚNG DẪN",
    ):
        assert expected in text, expected
    assert "Mã hồ sơ" not in text  # nothing was received
    guidance = Guidance.objects.get()
    assert (guidance.kind, guidance.unit, guidance.sheet_number) == ("direct", world.center, 1)
    assert guidance.items == [
        "Bản vẽ thiết kế có chữ ký của chủ đầu tư",
        "Giấy chứng nhận quyền sử dụng đất",
    ]
    assert not Dossier.objects.exists()
    # The next sheet of the unit that year has the next number.
    with time_machine.travel(dt.datetime(2026, 3, 9, 10, tzinfo=ZONE), tick=False):
        second = client.get(guide(client, world)["Location"])
    assert "Số: 2/HD" in pdf_text(second.content)


@pytest.mark.django_db
def test_form_02_needs_a_contact_phone_and_stays_with_its_unit(world: World) -> None:
    client = login(Client(), world.clerk)
    response = guide(client, world, contact_phone="")
    assert response.status_code == 200
    assert not Guidance.objects.exists()
    location = guide(client, world)["Location"]
    # Another department's staff cannot read the visitor's sheet; the unit's manager can.
    assert login(Client(), world.outsider).get(location).status_code == 404
    assert login(Client(), world.manager).get(location).status_code == 200


@pytest.mark.django_db
def test_form_02_lists_the_parts_the_counter_found_missing(world: World) -> None:
    client = login(Client(), world.clerk)
    parts = list(world.version.parts.order_by("position"))
    applicant = {
        "applicant_kind": "citizen",
        "applicant_name": "Nguyễn Văn An",
        "applicant_phone": "0905 111 222",
        "parts": [str(parts[0].pk)],  # the drawing is missing
        f"reason-{parts[0].pk}": "Máy quét đang hỏng",
    }
    # Receiving fails for the missing part; the guidance form opens and says what it lists.
    refused = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/", {**applicant, "outcome": "receive"}
    )
    page = refused.content.decode()
    assert "Hồ sơ chưa đủ thành phần: Bản vẽ thiết kế" in page
    assert re.search(r"<details open>\s*<summary>Hồ sơ chưa đủ", page)
    missing = page[page.index("data-missing-parts") :]
    assert "<li>Bản vẽ thiết kế</li>" in missing[: missing.index("</div>")]
    # Guiding with nothing typed: the sheet lists the missing part, then what was typed.
    response = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/",
        {
            **applicant,
            "outcome": "guide",
            "items": "Bản vẽ thiết kế\nBản sao giấy chứng nhận quyền sử dụng đất",
            "guide_reason": "Thiếu bản vẽ",
            "contact_phone": "0261 3 544 123",
        },
    )
    assert response.status_code == 302
    assert Guidance.objects.get().items == [
        "Bản vẽ thiết kế",
        "Bản sao giấy chứng nhận quyền sử dụng đất",
    ]
    text = pdf_text(client.get(response["Location"]).content)
    assert "1. Bản vẽ thiết kế" in text and "2. Bản sao giấy chứng nhận" in text
    assert "Đơn đề nghị cấp phép" not in text  # ticked: handed in


@pytest.mark.django_db
def test_form_02_needs_something_to_list(world: World) -> None:
    client = login(Client(), world.clerk)
    response = guide(client, world, items="")
    assert response.status_code == 200
    assert "Bỏ đánh dấu các thành phần còn thiếu" in response.content.decode()
    assert not Guidance.objects.exists()
    # Nothing ticked and nothing typed: every part of the procedure is listed.
    assert guide(client, world, items="", parts=[]).status_code == 302
    assert Guidance.objects.get().items == ["Đơn đề nghị cấp phép", "Bản vẽ thiết kế"]
