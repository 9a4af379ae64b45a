from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from motcua.core.models import AuditEvent

from .conftest import World, login

pytestmark = pytest.mark.django_db


def test_admin_shows_staff_profiles_and_a_read_only_audit_trail(world: World) -> None:
    admin = User.objects.create_superuser("root", password="x")
    client = login(Client(), admin)
    page = client.get(f"/quan-tri/auth/user/{world.clerk.pk}/change/")
    assert page.status_code == 200 and "Cán bộ tiếp nhận, trả kết quả" in page.content.decode()
    assert client.get("/quan-tri/auth/user/").status_code == 200
    event = AuditEvent.objects.create(action="read", object_type="dossier", object_id="X")
    assert client.get("/quan-tri/core/auditevent/").status_code == 200
    assert (
        client.post(f"/quan-tri/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()
