"""The online form's "check your answers" step, the choice of how to receive the result,
the required markers and the fee (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier, DossierPart
from tests.portal.conftest import PDF, PNG, Portal, upload
from tests.portal.test_submission import APPLICANT, parts_of

pytestmark = pytest.mark.django_db

URL = "/thu-tuc/1.009972/nop/"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def hidden_fields(html: str) -> dict[str, str]:
    return {name: value for name, value in HIDDEN.findall(html) if name != "csrfmiddlewaretoken"}


def test_the_form_shows_the_fee_and_marks_required_fields(portal: Portal) -> None:
    portal.building.fee = 250000
    portal.building.save(update_fields=["fee"])
    html = portal.client(portal.citizen).get(URL).content.decode()
    assert "250.000 đồng" in html
    # Required: the name; optional: the e-mail.
    assert re.search(r'Họ tên chủ hồ sơ \(hoặc tên tổ chức\) <span class="req"', html)
    assert re.search(r'Thư điện tử <span class="muted small">\(không bắt buộc\)', html)
    for value in ("counter", "postal", "online"):
        assert f'name="delivery" value="{value}"' in html


def test_check_step_shows_the_answers_then_submits_with_the_held_files(
    portal: Portal, media: Path
) -> None:
    client = portal.client(portal.citizen)
    a, b = parts_of(portal)
    check = client.post(
        URL,
        {
            **APPLICANT,
            "delivery": "postal",
            "buoc": "kiem-tra",
            f"part-{a}": upload("don.pdf", PDF),
            f"part-{b}": upload("cccd.png", PNG, "image/png"),
        },
    )
    html = check.content.decode()
    assert check.status_code == 200 and "Kiểm tra trước khi nộp" in html
    assert not Dossier.objects.exists()  # nothing submitted yet
    assert "Số 5 đường Lê Duẩn, Gia Nghĩa" in html and "Qua bưu chính công ích" in html
    assert "don.pdf" in html and "cccd.png" in html
    fields = hidden_fields(html)
    assert fields["delivery"] == "postal" and f"held-part-{a}" in fields
    # "Sửa lại" goes back to the form, filled in, the files kept.
    back = client.post(URL, {**fields, "buoc": "sua"})
    assert back.status_code == 200
    assert 'value="Nguyễn Văn An"' in back.content.decode()
    assert "Đã tải:" in back.content.decode()
    # Checked again, then "Nộp hồ sơ" (the check page's fields) submits without sending
    # the files again.
    again = client.post(
        URL,
        {
            **APPLICANT,
            **hidden_fields(back.content.decode()),
            "delivery": "postal",
            "buoc": "kiem-tra",
        },
    )
    assert again.status_code == 200 and "Sửa lại" in again.content.decode()
    done = client.post(URL, hidden_fields(again.content.decode()))
    assert done.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.delivery_channel == "postal"
    assert DossierPart.objects.filter(dossier=dossier).count() == 2
    entry = AuditEvent.objects.get(action="portal.submit", object_id=dossier.code)
    assert entry.data["result_channel"] == "postal"


def test_post_without_an_address_is_refused_on_the_address_field(portal: Portal) -> None:
    a, b = parts_of(portal)
    response = portal.client(portal.citizen).post(
        URL,
        {
            **APPLICANT,
            "address": "",
            "delivery": "postal",
            "buoc": "kiem-tra",
            f"part-{a}": upload("don.pdf", PDF),
            f"part-{b}": upload("cccd.png", PNG, "image/png"),
        },
    )
    assert response.status_code == 400
    assert "Nhập địa chỉ nhận kết quả qua bưu chính." in response.content.decode()
    assert not Dossier.objects.exists()
