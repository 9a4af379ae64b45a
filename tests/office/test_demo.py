from __future__ import annotations

import pytest
from django.test import Client

from motcua.core.demo import load_demo
from motcua.core.models import Role, StaffProfile
from motcua.office.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_has_one_account_per_role_and_is_idempotent() -> None:
    first = load_demo()
    staff = [login for login in first if login[2] == DEMO_PASSWORD]
    assert {p.role for p in StaffProfile.objects.all()} == set(Role.values)
    assert len(staff) == StaffProfile.objects.count()
    again = load_demo()
    assert again == first
    assert StaffProfile.objects.count() == len(staff)
    response = Client().post("/dang-nhap/", {"username": "tiepnhan", "password": DEMO_PASSWORD})
    # The counter clerk lands on the counter.
    assert response.status_code == 302 and response["Location"] == "/can-bo/quay/"


def _demo_agencies_and_staff() -> None:
    # The demo's register, letterheads and accounts, without its 47.717 dossiers.
    from motcua.agencies import demo as agencies_demo
    from motcua.catalog import demo as catalog_demo
    from motcua.office import demo as office_demo

    for loader in (catalog_demo, agencies_demo, office_demo):
        loader.load(lambda _msg: None)


def test_the_demo_centre_director_sees_and_reports_on_the_centre_by_its_own_name() -> None:
    # Issue 16, "Labels": the director of the Lâm Đồng centre saw the register's long name
    # ("Trung tâm PVHCC tỉnh Lâm Đồng") and was offered the province's committee's report.
    # The centre is named as its documents of the period's end print it (its letterhead),
    # and its report is the centre's own.
    from motcua.reports.models import ReportRequest

    _demo_agencies_and_staff()
    client = Client()
    client.post("/dang-nhap/", {"username": "giamdoc", "password": DEMO_PASSWORD})
    page = client.get("/can-bo/lanh-dao/?date_from=2026-01-01&date_to=2026-03-31")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<span class="muted">Trung tâm Phục vụ hành chính công</span>' in html
    assert "Tải báo cáo kỳ này (Trung tâm Phục vụ hành chính công)" in html
    assert "Ủy ban nhân dân tỉnh Lâm Đồng" not in html
    assert "Trung tâm Phục vụ hành chính công tỉnh Lâm Đồng" not in html
    client.post(
        "/can-bo/lanh-dao/bao-cao/lap/",
        {"date_from": "2026-01-01", "date_to": "2026-03-31", "fmt": "docx"},
    )
    report = ReportRequest.objects.select_related("agency").get()
    assert report.agency is not None and report.agency.code == "000.01.01.H38"
