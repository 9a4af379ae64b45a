"""Pages with personal data are never stored by the browser or a proxy: every page for a
signed-in person carries ``Cache-Control: no-store`` (domain.md §12)."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import World, login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/can-bo/",
        "/can-bo/?f=ended",
        "/can-bo/quay/so-theo-doi/",
        "/can-bo/quay/tra-ket-qua/",
        "/can-bo/?ky=received&date_from=2026-01-01&date_to=2026-01-31",
        "/can-bo/lanh-dao/",
    ],
)
def test_staff_pages_are_no_store(world: World, path: str) -> None:
    world.dossier()
    response = login(Client(), world.manager).get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_citizen_pages_are_no_store(world: World) -> None:
    response = login(Client(), world.citizen).get("/ca-nhan/ho-so/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_public_pages_stay_cacheable_for_visitors(world: World) -> None:
    response = Client().get("/thu-tuc/")
    assert "no-store" not in response.get("Cache-Control", "")
