"""The public header: today's province from the register (not a setting), the same text for
a visitor (the cached frame) and a signed-in citizen."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

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


def test_header_without_contacts_shows_no_hotline(portal: Portal) -> None:
    # Agency contacts (the hotline) come with branch i16-procpage; until then, no number.
    html = portal.client().get("/").content.decode()
    assert 'class="hotline"' not in html
