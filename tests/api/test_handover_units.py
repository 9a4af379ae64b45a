"""The API's hand-over keeps taking the receiving unit as text (its code or its name), and
shows units by name."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import Dossier
from tests.api.conftest import Api, token_for
from tests.world import World, staff_create


@pytest.mark.parametrize("given", ["code", "name"])
def test_handover_to_a_unit_given_by_code_or_name(
    world: World, received: Dossier, given: str
) -> None:
    manager = Api(token_for(staff_create("giamdoc", "Phạm Thu Hà", world.center, "center_manager")))
    to_unit = world.justice.code if given == "code" else world.justice.name
    moved = manager.post(
        f"/dossiers/{received.code}/handover",
        {"expected_version": received.version, "to_unit": to_unit},
    )
    assert moved.status_code == 200, moved.content
    data = moved.json()
    assert data["current_unit"] == world.justice.name
    assert (data["handovers"][0]["from_unit"], data["handovers"][0]["to_unit"]) == (
        world.center.name,
        world.justice.name,
    )
    received.refresh_from_db()
    assert (received.current_unit, received.current_unit_label) == (world.justice, "")
