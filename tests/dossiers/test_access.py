"""Who sees which dossier (domain.md §12): one access function, missing = forbidden."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier
from motcua.dossiers.queries import dossier_for, dossier_lookup, dossiers_visible_to
from motcua.dossiers.services import dossier_submit
from tests.dossiers.conftest import citizen_applicant
from tests.world import World


def reads(code: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(action="read", object_id=code).values_list(
            "actor_label", flat=True
        )
    )


def test_staff_of_the_agency_and_the_counter_see_the_dossier_and_are_audited(
    world: World, received: Dossier
) -> None:
    assert dossier_for(world.specialist, received.code) == received
    assert dossier_for(world.leader, received.code, write=True) == received
    assert dossier_for(world.clerk, received.code) == received  # received at their center
    assert reads(received.code) == ["tiepnhan", "lanhdao", "chuyenvien"]


def test_outsider_gets_the_same_answer_as_for_a_missing_code(
    world: World, received: Dossier
) -> None:
    with pytest.raises(Dossier.DoesNotExist) as forbidden:
        dossier_for(world.outsider, received.code)
    with pytest.raises(Dossier.DoesNotExist) as missing:
        dossier_for(world.outsider, "000.00.19.H18-261005-9999")
    assert type(forbidden.value) is type(missing.value)
    assert isinstance(forbidden.value, Http404)
    assert reads(received.code) == []


def test_citizen_sees_only_own_dossiers(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    own = dossier_submit(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.citizen,
        owner=world.citizen,
    )
    assert dossier_for(world.citizen, own.code, write=True) == own
    with pytest.raises(Dossier.DoesNotExist):
        dossier_for(world.citizen, received.code)
    assert list(dossiers_visible_to(world.citizen)) == [own]
    assert reads(own.code) == []  # a citizen reading their own dossier is not a staff read


def test_anonymous_and_superuser_without_a_staff_role_see_nothing(
    world: World, received: Dossier
) -> None:
    with pytest.raises(Http404):
        dossier_for(AnonymousUser(), received.code)
    assert dossiers_visible_to(AnonymousUser()).count() == 0
    # Administrators manage accounts and the catalogue, not applicants' data (domain.md §12).
    with pytest.raises(Http404):
        dossier_for(world.admin, received.code)
    assert set(dossiers_visible_to(world.admin)) == set()
    assert set(dossiers_visible_to(world.outsider)) == set()
    assert set(dossiers_visible_to(world.specialist)) == {received}


def test_public_lookup_needs_code_and_secret(received: Dossier) -> None:
    assert dossier_lookup(received.code, received.secret.lower()) == received
    with pytest.raises(Http404):
        dossier_lookup(received.code, "AAAAAAAA")
    with pytest.raises(Http404):
        dossier_lookup("nope", received.secret)
