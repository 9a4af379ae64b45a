from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, User

from motcua.agencies.models import Agency
from motcua.agencies.queries import agency_subtree
from motcua.dossiers.models import Dossier
from motcua.dossiers.scope import (
    can_decide,
    can_read,
    can_write,
    dossier_scope_q,
    user_agency_scope,
)

from .conftest import World


def visible(user: User | AnonymousUser) -> set[str]:
    return set(Dossier.objects.filter(dossier_scope_q(user)).values_list("code", flat=True))


def test_scope_follows_agency_subtree_and_counter(world: World) -> None:
    own = world.dossier()
    other = world.dossier(version=world.justice_version, receiving_unit=None)
    received_here = world.dossier(version=world.justice_version)

    assert visible(world.leader) == {own.code}
    assert visible(world.outsider) == {other.code, received_here.code}
    # The counter sees what its center received, whoever decides it.
    assert visible(world.clerk) == {own.code, received_here.code}
    assert visible(world.manager) == {own.code, received_here.code}
    assert visible(world.auditor) == {own.code, other.code, received_here.code}
    assert visible(world.citizen) == set()
    assert visible(AnonymousUser()) == set()


def test_a_unit_works_on_its_parent_agencys_dossiers(world: World) -> None:
    own = world.dossier()
    world.dossier(version=world.justice_version, receiving_unit=None)
    assert visible(world.specialist) == {own.code}
    assert can_read(world.specialist, own)


def test_write_needs_an_acting_role_and_scope(world: World) -> None:
    own = world.dossier()
    assert can_write(world.leader, own)
    assert can_write(world.clerk, own)
    assert not can_write(world.outsider, own)
    # Oversight reads everything and changes nothing.
    assert can_read(world.auditor, own) and not can_write(world.auditor, own)
    assert can_read(world.provincial, own) and not can_write(world.provincial, own)
    assert not can_write(world.citizen, own)


@pytest.mark.parametrize("with_path", [True, False])
def test_agency_subtree_with_and_without_materialised_path(world: World, with_path: bool) -> None:
    if not with_path:
        Agency.objects.update(path="")
        world.construction.refresh_from_db()
    codes = set(agency_subtree(world.construction).values_list("code", flat=True))
    assert codes == {world.construction.code, world.construction_unit.code}


def test_user_agency_scope(world: World) -> None:
    assert user_agency_scope(world.auditor).count() == Agency.objects.count()
    assert set(user_agency_scope(world.leader)) == {world.construction, world.construction_unit}
    assert set(user_agency_scope(world.specialist)) == set(user_agency_scope(world.leader))
    assert not user_agency_scope(world.citizen).exists()


def test_counter_sees_online_dossiers_waiting_for_intake_at_its_level(world: World) -> None:
    waiting = world.dossier(
        receiving_unit=None, received_at=None, due_at=None, status="submitted", channel="online"
    )
    commune = world.dossier(
        receiving_unit=None, received_at=None, due_at=None, status="submitted", level="commune"
    )
    assert waiting.code in visible(world.clerk)
    assert commune.code not in visible(world.clerk)
    assert waiting.code in visible(world.leader)  # the competent agency sees it too
    assert waiting.code not in visible(world.outsider)


def test_only_the_competent_agency_decides(world: World) -> None:
    own = world.dossier()
    assert can_decide(world.specialist, own) and can_decide(world.leader, own)
    assert not can_decide(world.clerk, own) and not can_decide(world.manager, own)
    assert not can_decide(world.outsider, own) and not can_decide(world.auditor, own)
