"""The public header: today's province from the register (not a setting), the same text for
a visitor (the cached frame) and a signed-in citizen."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from motcua.agencies.contacts import agency_contact_save
from motcua.agencies.models import Agency, AgencyKind
from motcua.agencies.queries import public_header_on
from tests.portal.conftest import Portal

pytestmark = pytest.mark.django_db


def test_header_names_the_province_of_the_register(portal: Portal) -> None:
    html = portal.client().get("/").content.decode()
    assert '<span class="brand-province">Đắk Nông</span>' in html
    signed_in = portal.client(portal.citizen).get("/").content.decode()
    assert '<span class="brand-province">Đắk Nông</span>' in signed_in


def test_header_follows_the_merger_of_provinces(portal: Portal) -> None:
    # On 1/7/2025 Đắk Nông merged into Lâm Đồng: the register says so, the header follows.
    old = Agency.objects.get(name="UBND tỉnh Đắk Nông")
    new = Agency.objects.create(
        code="000.00.00.H38",
        name="Ủy ban nhân dân tỉnh Lâm Đồng",
        kind=AgencyKind.PEOPLE_COMMITTEE,
        level=old.level,
        valid_from=dt.date(2025, 7, 1),
    )
    old.valid_to = dt.date(2025, 6, 30)
    old.successor = new
    old.save(update_fields=["valid_to", "successor"])
    assert public_header_on(dt.date(2025, 6, 30)).province == "Đắk Nông"
    assert public_header_on(dt.date(2025, 7, 1)).province == "Lâm Đồng"
    cache.clear()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        html = portal.client().get("/thu-tuc/").content.decode()
    assert '<span class="brand-province">Lâm Đồng</span>' in html
    assert "Đắk Nông</span>" not in html


def test_header_shows_the_centres_hotline_else_its_phone(portal: Portal) -> None:
    assert 'class="hotline"' not in portal.client().get("/").content.decode()
    centre = portal.world.center
    agency_contact_save(agency=centre, values={"phone": "0261 3 544 000"})
    cache.clear()
    html = portal.client().get("/").content.decode()
    assert 'href="tel:02613544000"' in html and "0261 3 544 000" in html
    agency_contact_save(agency=centre, values={"hotline": "1900 0000"})
    cache.clear()
    html = portal.client(portal.citizen).get("/").content.decode()
    assert 'href="tel:19000000"' in html and "0261 3 544 000" not in html
