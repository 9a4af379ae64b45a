"""The leaders' dashboard at 1366 px (issue 16): the charts are drawn (images of their own
address that load under the page's CSP and have a size), the presets sit beside the dates,
and the report list stays open after "Lập báo cáo", polling its status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from motcua.dossiers.models import Channel, DossierClass, EndKind, Status
from tests.office.conftest import PASSWORD, World

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = 1366


def _log_in(page: Any, username: str) -> None:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_the_dashboard_shows_charts_presets_and_the_open_report_list(
    world: World, new_page: Any
) -> None:
    today = dt.date.today()
    start = dt.datetime(today.year, 1, 1, 3, tzinfo=dt.UTC)
    for i, channel in enumerate([Channel.ONLINE, Channel.DIRECT, Channel.POSTAL]):
        world.dossier(
            received_at=start + dt.timedelta(days=i),
            due_at=start + dt.timedelta(days=10),
            ended_at=start + dt.timedelta(days=12 - 2 * i),
            end_kind=EndKind.RESULT,
            dossier_class=DossierClass.LATE if i == 0 else DossierClass.ON_TIME,
            status=Status.DELIVERED,
            channel=channel,
        )
    page = new_page(DESK, 900)
    _log_in(page, "leader")
    page.wait_for_url("**/can-bo/**")
    page.goto("/can-bo/lanh-dao/")
    page.get_by_role("link", name="Năm nay").click()
    page.wait_for_url("**date_from=*-01-01*")
    charts = page.locator("figure.chart img")
    assert charts.count() == 3
    assert all("/bieu-do/" in (charts.nth(i).get_attribute("src") or "") for i in range(3))
    # Loaded after the page: wait for them (a blocked or broken image never gets a width).
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.chart img')].every(i => i.complete)"
    )
    for i in range(3):
        size = charts.nth(i).evaluate("img => [img.complete, img.naturalWidth, img.clientWidth]")
        assert size[0] and size[1] > 100 and 0 < size[2] <= DESK, size
    # The presets are on the dates' line.
    dates = page.locator("#id_date_to").bounding_box()
    presets = page.locator("[data-presets]").bounding_box()
    assert dates is not None and presets is not None
    assert abs((presets["y"] + presets["height"]) - (dates["y"] + dates["height"])) < 40
    shot(page, "leader-dashboard-charts-1366")
    # Ask for the report: back on the page with the list open and its progress shown.
    page.locator("#bao-cao summary").click()
    page.get_by_role("button", name="Lập báo cáo").click()
    page.wait_for_url("**bao_cao=1**")
    assert page.locator("#bao-cao").evaluate("d => d.open")
    assert page.locator("#bao-cao [data-report-progress]").is_visible()
    shot(page, "leader-dashboard-report-waiting-1366")
