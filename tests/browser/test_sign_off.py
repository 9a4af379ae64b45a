"""The proposal travels with the dossier, in a real browser (issue 11): the specialist hands
it to the leader's signing step with a note and a draft; the leader sees both, sends it back
once with a reason; the specialist revises and proposes again; the leader signs; the counter
returns the result. The sign-off cannot be skipped: the specialist is never offered the
result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from motcua.dossiers.models import Dossier, Status
from tests.office.conftest import World, sign_off_workflow

from .conftest import shot
from .test_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _receive(world: World, clerk: Any) -> Dossier:
    clerk.goto(f"/can-bo/quay/thu-tuc/{world.version.pk}/")
    for part in world.version.parts.all():
        clerk.get_by_label(part.name).check()
        clerk.locator(f'[name="reason-{part.pk}"]').fill("Máy quét đang hỏng")
    clerk.get_by_label("Họ tên / tên tổ chức").fill("Nguyễn Văn An")
    clerk.get_by_label("Điện thoại", exact=True).fill("0912345678")
    clerk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    clerk.wait_for_url("**/can-bo/ho-so/**")
    clerk.get_by_role("button", name="Chuyển", exact=True).click()
    clerk.get_by_text("Đã chuyển hồ sơ").wait_for()
    return Dossier.objects.get()


def test_propose_send_back_revise_sign_return(world: World, new_page: Any, tmp_path: Path) -> None:
    sign_off_workflow(world)
    clerk = new_page()
    log_in(clerk, "clerk")
    dossier = _receive(world, clerk)

    specialist = new_page(360, 780)  # on a phone
    log_in(specialist, "specialist")
    specialist.goto(f"/can-bo/ho-so/{dossier.code}/")
    # The sign-off cannot be skipped: no result, no apology, no refusal at the appraisal.
    assert specialist.get_by_text("Hoàn thành, có kết quả").count() == 0
    assert specialist.get_by_text("Gia hạn, thư xin lỗi").count() == 0
    draft = tmp_path / "du-thao-giay-phep.pdf"
    draft.write_bytes(b"%PDF-1.4 du thao giay phep")
    specialist.get_by_label("Ý kiến, đề xuất gửi bước sau").fill("Đề nghị cấp phép, dự thảo kèm")
    specialist.get_by_label("Dự thảo kèm theo (PDF, DOCX, ảnh; tối đa 20 MB)").set_input_files(
        str(draft)
    )
    shot(specialist, "sign-01-specialist-proposes-360")
    specialist.get_by_role("button", name="Chuyển", exact=True).click()
    specialist.get_by_text("Đã chuyển hồ sơ").wait_for()

    leader = new_page(1366, 900)
    log_in(leader, "leader")
    leader.get_by_role("link", name="Chờ tôi duyệt, ký").click()
    leader.get_by_role("link", name=dossier.code).click()
    leader.get_by_text("Đề nghị cấp phép, dự thảo kèm").first.wait_for()
    assert leader.get_by_role("link", name="Tải dự thảo kèm theo").count() == 1
    # Signing is the page's primary action, open; sending back is folded beside it.
    assert leader.locator("details[open] summary").first.inner_text() == "Duyệt, ký — có kết quả"
    shot(leader, "sign-02-leader-sees-proposal-1366")
    leader.get_by_text("Trả lại bước trước để xử lý lại").click()
    leader.get_by_label("Lý do trả lại, nội dung cần xử lý lại").fill("Bổ sung bản vẽ mặt cắt")
    leader.get_by_role("button", name="Trả lại để xử lý lại").click()
    leader.get_by_text("Đã trả lại bước trước để xử lý lại").wait_for()

    specialist.goto("/can-bo/")
    specialist.get_by_role("link", name="Chờ tôi xử lý").click()
    specialist.get_by_role("link", name=dossier.code).click()
    specialist.get_by_text("Bổ sung bản vẽ mặt cắt").first.wait_for()
    shot(specialist, "sign-03-specialist-sent-back-360")
    wide = specialist.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 361)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
        .slice(0, 15)"""
    )
    assert specialist.evaluate("document.documentElement.scrollWidth") <= 360, wide
    specialist.get_by_label("Ý kiến, đề xuất gửi bước sau").fill("Đã bổ sung bản vẽ mặt cắt")
    specialist.get_by_role("button", name="Chuyển", exact=True).click()
    specialist.get_by_text("Đã chuyển hồ sơ").wait_for()

    leader.goto(f"/can-bo/ho-so/{dossier.code}/")
    leader.get_by_text("Đã bổ sung bản vẽ mặt cắt").first.wait_for()
    leader.get_by_role("button", name="Duyệt, ký — có kết quả").click()
    leader.get_by_text("Đã cập nhật kết quả giải quyết").wait_for()
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    # The leader passes the signed result to the counter's step.
    leader.get_by_role("button", name="Chuyển", exact=True).click()
    leader.get_by_text("Đã chuyển hồ sơ").wait_for()

    clerk.goto(f"/can-bo/ho-so/{dossier.code}/")
    clerk.get_by_role("button", name="Đã trả kết quả").click()
    clerk.get_by_text("Đã trả kết quả cho người nộp").first.wait_for()
    shot(clerk, "sign-04-counter-returns-1366")
    dossier.refresh_from_db()
    assert dossier.status == Status.DELIVERED
    notes = list(dossier.handovers.order_by("position").values_list("note", flat=True))
    assert any("Bổ sung bản vẽ mặt cắt" in n for n in notes)
    assert dossier.handovers.exclude(draft_sha256="").count() == 1
