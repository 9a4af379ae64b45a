"""The system administrator manages accounts and the catalogue, not cases (reviewer's
findings on issue 5): with a staff profile at the province, a superuser saw every dossier of
the province in the inbox and could open any of them."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from motcua.core.models import Role, StaffProfile

from .conftest import PASSWORD, World, login
from .test_views import text


def test_the_administrator_sees_no_dossier(world: World) -> None:
    dossier = world.dossier()
    admin = User.objects.create_superuser("quantri", password=PASSWORD)
    StaffProfile.objects.create(user=admin, agency=world.province, role=Role.ADMINISTRATOR)
    client = login(Client(), admin)
    assert dossier.code not in text(client.get("/can-bo/"))
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 404
    # The staff who work on it still do.
    assert dossier.code in text(login(Client(), world.leader).get("/can-bo/"))
