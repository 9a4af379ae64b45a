"""An agency's contact (address, hours, phones) edited in the admin: saved by
``agency_contact_save`` like the import, audited, checked as the import checks it."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.agencies.models import AgencyContact
from motcua.core.models import AuditEvent
from tests.world import World, world_build


@pytest.fixture
def world(db: None) -> World:
    return world_build()


def _admin(world: World) -> Client:
    client = Client()
    client.force_login(world.admin)
    return client


def _values(**changes: str) -> dict[str, str]:
    values = {
        "address": "Số 1 Trần Hưng Đạo, Gia Nghĩa",
        "opening_hours": "Thứ Hai – Thứ Sáu: 7:00–11:30\nThứ Bảy: 7:30–11:30",
        "phone": "0261 3544 999",
        "hotline": "",
        "email": "",
        "map_url": "",
    }
    return {**values, **changes}


def test_the_admin_records_and_changes_a_contact_through_the_service(world: World) -> None:
    client = _admin(world)
    added = client.post(
        "/quan-tri/agencies/agencycontact/add/", {"agency": world.center.pk, **_values()}
    )
    assert added.status_code == 302
    contact = AgencyContact.objects.get(agency=world.center)
    assert contact.opening_lines == ["Thứ Hai – Thứ Sáu: 7:00–11:30", "Thứ Bảy: 7:30–11:30"]
    event = AuditEvent.objects.get(action="agency.contact_save")
    assert event.actor == world.admin
    assert event.data["changed"] == ["address", "opening_hours", "phone"]

    changed = client.post(
        f"/quan-tri/agencies/agencycontact/{contact.pk}/change/",
        _values(hotline="1900 1234", phone=" 0261 3544 999 "),
    )
    assert changed.status_code == 302
    contact.refresh_from_db()
    assert (contact.hotline, contact.phone) == ("1900 1234", "0261 3544 999")
    last = AuditEvent.objects.filter(action="agency.contact_save").order_by("-pk")[0]
    assert last.data["changed"] == ["hotline"]  # the stripped phone is unchanged

    # Saving unchanged writes no audit line.
    client.post(
        f"/quan-tri/agencies/agencycontact/{contact.pk}/change/", _values(hotline="1900 1234")
    )
    assert AuditEvent.objects.filter(action="agency.contact_save").count() == 2


def test_a_map_link_that_is_not_https_is_refused_next_to_its_field(world: World) -> None:
    client = _admin(world)
    answer = client.post(
        "/quan-tri/agencies/agencycontact/add/",
        {"agency": world.center.pk, **_values(map_url="http://maps.example.vn/x")},
    )
    assert answer.status_code == 200
    assert "không phải đường dẫn https://" in answer.content.decode()
    assert not AgencyContact.objects.exists()
    assert not AuditEvent.objects.filter(action="agency.contact_save").exists()
