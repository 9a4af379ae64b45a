"""The forms of dossiers taken through the real services: each form prints what the service
recorded (the keys of ``DossierEvent.data`` are the contract between the two)."""

from __future__ import annotations

import datetime as dt

import time_machine

from motcua.dossiers.forms_docs import render_form
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import (
    PartInput,
    dossier_extend,
    dossier_handover,
    dossier_receive,
    dossier_receive_supplement,
    dossier_reject_at_counter,
    dossier_request_supplement,
    dossier_stop,
)
from tests.dossiers.conftest import citizen_applicant
from tests.dossiers.test_forms import docx_text, flat
from tests.world import MONDAY, World, local

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def test_a_processed_dossier_prints_its_receipt_request_slip_and_apology(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(name="Hoàng Văn Bình"),
        actor=world.clerk,
        receiving_unit=world.center,
        parts=[
            PartInput(
                name="Tờ khai yêu cầu cấp phiếu lý lịch tư pháp",
                kind="original",
                not_digitised_reason="Máy quét hỏng",
            )
        ],
    )
    receipt = flat(docx_text(render_form("01", dossier, fmt="docx")))
    assert dossier.code in receipt and "Hoàng Văn Bình" in receipt
    assert "UBND TỈNH ĐẮK NÔNG" in receipt
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH" in receipt
    assert "Đắk Nông, ngày 05 tháng 10 năm 2026" in receipt
    assert "Thời gian nhận hồ sơ: 9 giờ 00 phút, ngày 5/10/2026" in receipt
    # 3 working days from Monday 5/10/2026: Thursday 8/10 at the end of office hours.
    assert "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 8/10/2026" in receipt
    assert "Tờ khai yêu cầu cấp phiếu lý lịch tư pháp" in receipt
    assert "Nguyễn Thị Lan" in receipt  # the clerk who received it
    assert f"Số thứ tự: {int(dossier.code[-4:])}" in receipt

    dossier_handover(dossier=dossier, actor=world.clerk, receiver_name="Trần Văn Minh")
    traveller.move_to(local(TUESDAY, 10))
    dossier_request_supplement(
        dossier=dossier,
        actor=world.specialist,
        items=["Bản sao giấy khai sinh", "Ảnh 4x6"],
        reason="Hồ sơ thiếu giấy tờ chứng minh nhân thân",
    )
    request = flat(docx_text(render_form("02", dossier, fmt="docx")))
    assert "1. Bản sao giấy khai sinh 2. Ảnh 4x6" in request
    assert "Lý do: Hồ sơ thiếu giấy tờ chứng minh nhân thân" in request
    assert "SỞ TƯ PHÁP" in request and "Đắk Nông, ngày 06 tháng 10 năm 2026" in request
    assert "Trần Văn Minh" in request  # the specialist who asked

    traveller.move_to(local(WEDNESDAY, 10))
    dossier_receive_supplement(dossier=dossier, actor=world.clerk)
    slip = flat(docx_text(render_form("06", dossier, fmt="docx")))
    assert "1. Giao: Trung tâm Phục vụ hành chính công tỉnh Nhận: Phòng Hành chính tư pháp" in slip
    # The receiver's name under the room for their signature, in the first row.
    first_row = slip.split("1. Giao:")[1].split("2. Giao:")[0]
    assert "Trần Văn Minh" in first_row
    # The supplement restarted the clock: 3 working days from Wednesday 7/10.
    assert "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 12/10/2026" in slip

    new_due = local(MONDAY + dt.timedelta(days=9), 17)
    dossier_extend(
        dossier=dossier,
        actor=world.leader,
        reason="Cần xác minh tại địa phương",
        new_due_at=new_due,
    )
    apology = flat(docx_text(render_form("04", dossier, fmt="docx")))
    assert "Ngày 5/10/2026, Sở Tư pháp tiếp nhận" in apology
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 12/10/2026" in apology
    assert "lý do: Cần xác minh tại địa phương" in apology
    assert "vào 17 giờ 00 phút, ngày 14/10/2026" in apology
    assert "Lê Hoàng Nam" in apology

    dossier_stop(dossier=dossier, actor=world.leader, reason="Người nộp đề nghị dừng")
    notice = flat(docx_text(render_form("05", dossier, fmt="docx")))
    assert "Lý do: Người nộp đề nghị dừng" in notice
    assert "kể từ 10 giờ 00 phút, ngày 7/10/2026" in notice


def test_a_refusal_at_the_counter_is_signed_by_the_clerk(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = dossier_reject_at_counter(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        reason="Thủ tục không thuộc thẩm quyền của tỉnh",
    )
    assert isinstance(dossier, Dossier)
    text = flat(docx_text(render_form("03", dossier, fmt="docx")))
    assert "không tiếp nhận hồ sơ này" in text
    assert "Thủ tục không thuộc thẩm quyền của tỉnh" in text
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and "Nguyễn Thị Lan" in text
