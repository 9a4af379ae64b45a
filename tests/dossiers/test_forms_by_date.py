# ruff: noqa: F811  (the fixtures "dossier" and "public_url" come from test_forms)
"""Every form is printed from the set in force on the dossier's date (``form_set_on``): TT
01/2018 and ND 61/2018 before 1/7/2025, TT 03/2025 and ND 118/2025 after; form 01 holds on one
A4 page per copy; forms 06 and 07 have their signature cells. Read back from the PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from motcua.dossiers.forms_docs import render_form
from motcua.dossiers.forms_docs.form_sets import ND61_SET, ND118_SET, form_set_on
from motcua.dossiers.models import Dossier, DossierEvent, DossierPart, EventType

from .test_forms import at, dossier, flat, pdf_text, public_url  # noqa: F401  (fixtures)


def pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def test_the_forms_change_on_1_july_2025() -> None:
    assert form_set_on(dt.date(2025, 6, 30)) is ND61_SET
    assert form_set_on(dt.date(2025, 7, 1)) is ND118_SET
    # TT 01/2018 had no stop notice: the control slip and the register were 05 and 06.
    assert [ND61_SET.number(f) for f in ("04", "05", "06", "07")] == ["04", "", "05", "06"]


def apologise(dossier: Dossier, year: int) -> str:
    DossierEvent.objects.create(
        dossier=dossier,
        type=EventType.EXTENSION,
        at=at(2, 9, 9, year=year),
        data={
            "reason": "Chờ ý kiến của Sở Tài chính",
            "new_due_at": at(9, 9, 17, year=year).isoformat(),
        },
    )
    return flat(pdf_text(render_form("04", dossier, fmt="pdf")))


def test_a_2022_apology_is_the_tt_01_2018_letter_citing_nd_61(dossier: Dossier) -> None:
    text = apologise(dossier, 2022)
    assert "Mẫu số 04 (Thông tư số 01/2018/TT-VPCP)" in text
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Căn cứ Nghị định số 61/2018/NĐ-CP" in text
    assert "118/2025" not in text and "ĐỀ NGHỊ GIA HẠN" not in text


def test_a_2026_apology_is_the_current_letter_citing_nd_118(dossier: Dossier) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(
        received_at=at(31, 8, 10, year=2026), due_at=at(7, 9, 17, year=2026)
    )
    dossier.refresh_from_db()
    text = apologise(dossier, 2026)
    assert "Mẫu số 04 (Thông tư số 03/2025/TT-VPCP)" in text
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "Căn cứ Nghị định số 118/2025/NĐ-CP" in text
    assert "61/2018" not in text and "HẸN LẠI NGÀY" not in text
    assert "Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung" in text


@pytest.mark.parametrize("address", ["", "Tổ 3, phường Nghĩa Đức, thành phố Gia Nghĩa"])
def test_the_receipt_holds_on_one_page_per_copy(dossier: Dossier, address: str) -> None:
    """Long names, no address (or one), eight parts: still one A4 page per copy."""
    long_name = (
        "Công ty Trách nhiệm hữu hạn Một thành viên Đầu tư Xây dựng và Phát triển Hạ tầng "
        "Kỹ thuật Đô thị Tây Nguyên - Chi nhánh Đắk Nông"
    )
    version = dossier.procedure_version
    version.name = (
        "Cấp giấy phép xây dựng sửa chữa, cải tạo đối với công trình, nhà ở riêng lẻ trong đô "
        "thị, trung tâm cụm xã, trong khu bảo tồn, khu di tích lịch sử - văn hóa và công trình "
        "tín ngưỡng, tôn giáo thuộc thẩm quyền cấp phép của Ủy ban nhân dân cấp tỉnh"
    )
    version.save(update_fields=["name"])
    Dossier.objects.filter(pk=dossier.pk).update(
        applicant_name=long_name, applicant_kind="organization", applicant_address=address
    )
    dossier.refresh_from_db()
    dossier.parts.all().delete()
    for i in range(1, 9):
        DossierPart.objects.create(
            dossier=dossier,
            name=f"{i}. Bản vẽ thiết kế xây dựng của công trình gồm mặt bằng, mặt cắt, mặt đứng "
            "và bản vẽ kết cấu móng có chữ ký của chủ đầu tư",
            kind="certified",
            copies=2,
        )
    both = render_form("01", dossier, fmt="pdf")
    assert pages(both) == 2
    assert pages(render_form("01", dossier, fmt="pdf", copy=2)) == 1
    text = flat(pdf_text(both))
    assert text.count("8. Bản vẽ thiết kế") == 2 and text.count("Liên 1: Lưu") == 1


def test_the_control_slip_at_intake_has_rows_to_sign(dossier: Dossier) -> None:
    text = flat(pdf_text(render_form("06", dossier, fmt="pdf")))
    assert "Mẫu số 05 (Thông tư số 01/2018/TT-VPCP)" in text
    assert "Người giao (ký, ghi rõ họ tên)" in text and "Người nhận (ký, ghi rõ họ tên)" in text
    # Nothing handed over yet: the way there and back, blank, to fill in and sign by hand.
    assert "1. Giao: Trung tâm Phục vụ hành chính công tỉnh Nhận: Sở Xây dựng" in text
    assert "2. Giao: Sở Xây dựng Nhận: Trung tâm Phục vụ hành chính công tỉnh" in text
    assert text.count("… giờ … phút, ngày …/…/……") == 2


def test_the_register_has_the_signature_column(dossier: Dossier) -> None:
    pdf = render_form(
        "07",
        None,
        fmt="pdf",
        unit=dossier.receiving_unit,
        dossiers=[dossier],
        date_from=dt.date(2022, 8, 1),
        date_to=dt.date(2022, 8, 31),
    )
    text = flat(pdf_text(pdf))
    assert "Mẫu số 06 (Thông tư số 01/2018/TT-VPCP)" in text
    assert "Ký nhận" in text and "(14)" in text
