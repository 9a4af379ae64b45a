"""The online form's "check your answers" step, the choice of how to receive the result,
the required markers and the fee (issue 16)."""

from __future__ import annotations

import datetime as dt
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


def test_the_form_asks_the_fee_questions_and_the_dossier_owes_the_answered_fee(
    portal: Portal, media: Path
) -> None:
    """Issue 17: the online fee is assessed from the applicant's answers (copies, exemption)
    by the counter's fee function, not from the defaults."""
    from motcua.fees.interchange import fees_import_text

    version = portal.building
    version.valid_from = dt.date(2026, 1, 1)
    version.save(update_fields=["valid_from"])
    fees_import_text(
        "procedure,version_from,kind,label,amount,per,applicant,exemptions,legal_basis\n"
        f"{version.procedure.code},2026-01-01,le_phi,Lệ phí,100000,"
        "dossier,any,ho_ngheo,\n"
        f"{version.procedure.code},2026-01-01,phi,Phí bản sao,5000,"
        "copy,any,,\n"
    )
    client = portal.client(portal.citizen)
    html = client.get(URL).content.decode()
    assert 'name="copies"' in html and 'value="ho_ngheo"' in html
    a, b = parts_of(portal)
    check = client.post(
        URL,
        {
            **APPLICANT,
            "delivery": "counter",
            "copies": "3",
            "exemption": "ho_ngheo",
            "buoc": "kiem-tra",
            f"part-{a}": upload("don.pdf", PDF),
            f"part-{b}": upload("cccd.png", PNG, "image/png"),
        },
    )
    page = check.content.decode()
    assert check.status_code == 200 and "15.000 đ" in page  # 0 + 3 × 5.000
    fields = hidden_fields(page)
    assert (fields["copies"], fields["exemption"]) == ("3", "ho_ngheo")
    assert client.post(URL, fields).status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.fee_total == 15_000
    assert dossier.fee_lines[0]["exempt"] and dossier.fee_lines[1]["amount"] == 15_000
    assert AuditEvent.objects.filter(action="fee.answered", object_id=dossier.code).exists()
    bad = client.post(URL, {**fields, "copies": "0", "buoc": "kiem-tra"})
    assert bad.status_code == 400 and not Dossier.objects.exclude(pk=dossier.pk).exists()
