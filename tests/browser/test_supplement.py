"""The online supplement in a real browser, on a phone (issue 13 item 5): the citizen sees
what is asked, why, the last day and the paused clock; a wrong file is refused next to its
item; the upload goes; the specialist sees the items sent and receives them in one action
(the clock restarts from zero). Screenshots at 360 px in tests/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.services import (
    dossier_accept,
    dossier_handover,
    dossier_request_supplement,
    dossier_submit,
)
from tests.dossiers.conftest import citizen_applicant
from tests.portal.conftest import (  # noqa: F401 (fixtures)
    EXE,
    PASSWORD,
    PDF,
    Portal,
    _fresh_cache,
    media,
    portal,
)
from tests.world import world  # noqa: F401 (the portal's world, not the office's)

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = 360
ITEMS = ["Bản sao Căn cước có chứng thực", "Sơ đồ vị trí thửa đất"]


def _waiting(p: Portal) -> Dossier:
    w = p.world
    dossier = dossier_submit(
        procedure_version=w.procedure,
        applicant=citizen_applicant(),
        actor=p.citizen,
        owner=p.citizen,
    )
    dossier_accept(dossier=dossier, actor=w.clerk, receiving_unit=w.center)
    dossier_handover(dossier=dossier, actor=w.clerk)
    dossier_request_supplement(
        dossier=dossier, actor=w.specialist, items=ITEMS, reason="Bản chụp bị mờ"
    )
    dossier.refresh_from_db()
    return dossier


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def test_citizen_uploads_the_supplement_then_the_specialist_receives_it(
    portal: Portal,  # noqa: F811
    new_page: Any,
) -> None:
    dossier = _waiting(portal)
    due_before = dossier.due_at

    citizen = new_page(width=PHONE, height=740)
    citizen.goto("/ca-nhan/dang-nhap/")
    citizen.get_by_label("Thư điện tử hoặc số điện thoại").fill("an.nguyen@example.vn")
    citizen.get_by_label("Mật khẩu").fill(PASSWORD)
    citizen.get_by_role("button", name="Đăng nhập").click()
    citizen.wait_for_url("**/ca-nhan/ho-so/")
    citizen.goto(f"/ca-nhan/ho-so/{dossier.code}/")
    citizen.get_by_role("heading", name="Cần bổ sung hồ sơ").wait_for()
    assert citizen.get_by_text("Tạm dừng tính thời hạn").count() == 1
    assert citizen.get_by_text("Hạn gửi hồ sơ bổ sung: hết ngày").count() == 1
    shot(citizen, "supplement-01-citizen-asked-360")
    _no_sideways_scroll(citizen)

    # A program renamed .pdf for the second item: refused next to that item.
    citizen.locator("input[name=item-1]").set_input_files(
        {"name": "cccd.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    citizen.locator("input[name=item-2]").set_input_files(
        {"name": "so-do.pdf", "mimeType": "application/pdf", "buffer": EXE}
    )
    citizen.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    error = citizen.locator("fieldset.has-error")
    error.wait_for()
    assert ITEMS[1] in error.inner_text() and "không phải tệp PDF" in error.inner_text()
    shot(citizen, "supplement-02-wrong-file-360")

    citizen.locator("input[name=item-1]").set_input_files(
        {"name": "cccd.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    citizen.locator("input[name=item-2]").set_input_files(
        {"name": "so-do.pdf", "mimeType": "application/pdf", "buffer": PDF + b"so-do"}
    )
    citizen.get_by_label("Ghi chú gửi cơ quan giải quyết").fill("Gửi bản chụp rõ hơn")
    citizen.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    citizen.get_by_text("Đã gửi hồ sơ bổ sung.").wait_for()
    sent = citizen.locator("#bo-sung .alert-ok").inner_text()
    assert "Đã gửi bổ sung lúc" in sent and "chờ cơ quan giải quyết nhận" in sent
    shot(citizen, "supplement-03-sent-360")
    _no_sideways_scroll(citizen)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED and dossier.due_at == due_before

    specialist = new_page(width=PHONE, height=780)
    specialist.goto("/dang-nhap/")
    specialist.get_by_label("Tên đăng nhập").fill("chuyenvien")
    specialist.get_by_label("Mật khẩu").fill("matkhau-thu")
    specialist.get_by_role("button", name="Đăng nhập").click()
    specialist.wait_for_url("**/can-bo/")
    specialist.goto(f"/can-bo/ho-so/{dossier.code}/")
    card = specialist.locator("section", has_text="Người nộp đã gửi bổ sung trực tuyến")
    card.wait_for()
    assert ITEMS[0] in card.inner_text() and ITEMS[1] in card.inner_text()
    shot(specialist, "supplement-04-specialist-sees-360")
    _no_sideways_scroll(specialist)
    specialist.get_by_role("button", name="Đã nhận đủ bổ sung").click()
    specialist.get_by_text("Đã nhận hồ sơ bổ sung").first.wait_for()
    shot(specialist, "supplement-05-received-360")
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.due_at is not None and due_before is not None
    assert dossier.due_at >= due_before  # restarted from zero, later than the first one
