"""The unit a dossier is handed to is stored as the agency it names (given as an agency, its
code or its exact name) or, for a unit outside the register, as a label; the holder rule
reads what is stored."""

from __future__ import annotations

import pytest

from motcua.agencies.models import Agency
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_handover, dossier_holder, holds_step
from tests.world import World, staff_create


@pytest.mark.parametrize("given", ["agency", "code", "name"])
def test_a_unit_of_the_register_is_stored_as_the_agency(
    world: World, received: Dossier, given: str
) -> None:
    manager = staff_create("giamdoc", "Phạm Thu Hà", world.center, "center_manager")
    to_unit: dict[str, Agency | str] = {
        "agency": world.justice,
        "code": world.justice.code,
        "name": world.justice.name,
    }
    row = dossier_handover(dossier=received, actor=manager, to_unit=to_unit[given])
    assert (row.from_unit, row.from_unit_label) == (world.center, "")
    assert (row.to_unit, row.to_unit_label, row.to_unit_name) == (world.justice, "", "Sở Tư pháp")
    received.refresh_from_db()
    assert (received.current_unit, received.current_unit_label) == (world.justice, "")
    # The department holds it now: its people act, the counter no longer does.
    assert dossier_holder(received) == world.justice
    assert holds_step(world.leader, received)
    assert not holds_step(world.clerk, received)


def test_a_unit_outside_the_register_is_a_label(world: World, received: Dossier) -> None:
    manager = staff_create("giamdoc", "Phạm Thu Hà", world.center, "center_manager")
    council = "Hội đồng thẩm định liên ngành"
    row = dossier_handover(dossier=received, actor=manager, to_unit=f" {council} ")
    assert (row.to_unit, row.to_unit_label, row.to_unit_name) == (None, council, council)
    received.refresh_from_db()
    assert (received.current_unit, received.current_unit_name) == (None, council)
    # No agency holds it: the competent agency's staff act for it (services.holder).
    assert dossier_holder(received) is None
    assert holds_step(world.specialist, received)
    assert not holds_step(world.clerk, received)
    # Its next hand-over starts from the label.
    back = dossier_handover(dossier=received, actor=world.leader, to_unit=world.center)
    assert (back.from_unit, back.from_unit_label, back.to_unit) == (None, council, world.center)


def test_steps_written_by_name_and_as_free_text(world: World, received: Dossier) -> None:
    # The fixture's workflow names the counter by its name and the signing step as free text.
    first, appraisal, signing = world.steps
    assert (first.unit, first.unit_label) == (world.center, "")
    assert (signing.unit, signing.unit_label) == (None, "Lãnh đạo Sở Tư pháp")
    # The counter performs the first step: it holds the dossier from receipt.
    assert dossier_holder(received) == world.center
    row = dossier_handover(dossier=received, actor=world.clerk)
    assert (row.step, row.to_unit, row.to_unit_label) == (appraisal, None, appraisal.unit_label)
    row = dossier_handover(dossier=received, actor=world.specialist)
    assert (row.step, row.to_unit, row.to_unit_name) == (signing, None, "Lãnh đạo Sở Tư pháp")
    assert dossier_holder(received) is None
