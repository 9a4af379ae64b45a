"""The demo's centre director (Lâm Đồng) on the dashboard for a 2026 period, at 1366 px
(issue 16, "Labels"): the centre by its letterhead name, the centre's own report, and the
report list with a finished and a waiting report; axe-core on each. Screenshots:
tests/screenshots/center-director-dashboard-1366.png, center-director-reports-1366.png."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.office.demo import DEMO_PASSWORD
from motcua.reports.models import ReportRequest, ReportStatus
from tests.office.test_demo import _demo_agencies_and_staff

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PERIOD = "date_from=2026-01-01&date_to=2026-03-31"


def test_the_centre_director_sees_the_centre_and_its_reports(new_page: Any) -> None:
    _demo_agencies_and_staff()
    page = new_page(1366, 900)
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("giamdoc")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/can-bo/**")
    page.goto(f"/can-bo/lanh-dao/?{PERIOD}")
    summary = page.locator("#bao-cao summary")
    assert summary.inner_text().strip() == "Tải báo cáo kỳ này (Trung tâm Phục vụ hành chính công)"
    assert "Ủy ban nhân dân" not in page.locator("main").inner_text()
    shot(page, "center-director-dashboard-1366")

    summary.click()
    page.get_by_role("button", name="Lập báo cáo").click()
    page.wait_for_url("**bao_cao=1**")
    first = ReportRequest.objects.get()
    assert first.agency is not None and first.agency.code == "000.01.01.H38"
    # One made, one still being made: the list shows a download link and a progress bar.
    ReportRequest.objects.filter(pk=first.pk).update(
        status=ReportStatus.DONE, file="reports/2026/04/bao-cao.docx"
    )
    page.locator("#bao-cao select").select_option("xlsx")
    page.get_by_role("button", name="Lập báo cáo").click()
    page.wait_for_url("**bao_cao=1**")
    assert page.locator("#report-list").get_by_role("link", name="Tải về").is_visible()
    assert page.locator("#bao-cao [data-report-progress]").is_visible()
    shot(page, "center-director-reports-1366")
