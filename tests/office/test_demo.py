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
