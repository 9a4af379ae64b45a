"""The QĐ 766 ranking scores the province's own bodies in force during its period: not the
units of a department, not the one-stop centre, not a commune, and not the agencies a merger
ended before the period (or created after it)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from motcua.agencies.models import AgencyKind, Level
from motcua.reports.ranking import RankingPeriod, ranking_snapshot
from tests.world import World, agency_create, local, staff_create


@pytest.mark.django_db
def test_the_ranking_lists_the_provinces_bodies_in_force_in_its_period(world: World) -> None:
    unit = agency_create(
        code="000.01.19.H18",
        name="Phòng Hành chính tư pháp - Sở Tư pháp",
        kind=AgencyKind.UNIT,
        parent=world.justice,
    )
    ended = agency_create(
        code="000.00.10.H18",
        name="Sở Tài nguyên và Môi trường",
        kind=AgencyKind.DEPARTMENT,
        parent=world.province,
    )
    ended.valid_to = dt.date(2025, 2, 28)
    ended.save(update_fields=["valid_to"])
    merged = agency_create(
        code="000.00.21.H18",
        name="Sở Nông nghiệp và Môi trường",
        kind=AgencyKind.DEPARTMENT,
        parent=world.province,
    )
    merged.valid_from = dt.date(2025, 3, 1)
    merged.save(update_fields=["valid_from"])
    commune = agency_create(
        code="H18.01",
        name="UBND xã Quảng Sơn",
        kind=AgencyKind.PEOPLE_COMMITTEE,
        parent=world.province,
        level=Level.COMMUNE,
    )
    office = staff_create("vanphong", "Đỗ Văn Tâm", world.province, "provincial_office")
    client = Client()
    client.force_login(office)
    with time_machine.travel(local(dt.date(2026, 10, 20), 9), tick=False):
        codes = {
            year: {r["code"] for r in ranking_snapshot(RankingPeriod(year))["rows"]}
            for year in (2022, 2025, 2026)
        }
        html = client.get("/dieu-hanh/").content.decode()
        public = Client().get("/bang-xep-hang/").content.decode()
    own = {world.justice.code, world.transport.code}
    assert codes[2022] == own | {ended.code}
    assert codes[2025] == own | {ended.code, merged.code}  # both were in force in 2025
    assert codes[2026] == own | {merged.code}
    for page in (html, public):
        for absent in (unit, ended, commune, world.center):
            assert f'data-agency="{absent.code}"' not in page.split("QĐ 766")[-1]
        assert f'data-agency="{merged.code}"' in page
