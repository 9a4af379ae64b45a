"""The dossier code's number (``<agency>-<YYMMDD>-<NNNN>``): one per agency and local day,
from 1, without gaps, on both databases. (Counters racing: ``test_concurrency``.)"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import PartInput, dossier_receive
from tests.dossiers.conftest import citizen_applicant
from tests.world import MONDAY, World, local

pytestmark = pytest.mark.django_db


def _receive(world: World, parts: list[PartInput] | None = None) -> Dossier:
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        parts=parts or [],
    )


def test_numbers_run_per_agency_day_from_one(world: World) -> None:
    with time_machine.travel(local(MONDAY, 9), tick=False) as traveller:
        first, second = _receive(world), _receive(world)
        traveller.move_to(local(MONDAY + dt.timedelta(days=1), 8))
        next_day = _receive(world)
    agency = world.procedure.agency.code
    assert first.code == f"{agency}-261005-0001"
    assert second.code == f"{agency}-261005-0002"
    assert next_day.code == f"{agency}-261006-0001"


def test_a_receipt_refused_after_its_number_gives_it_back(world: World) -> None:
    with time_machine.travel(local(MONDAY, 9), tick=False):
        _receive(world)
        # The part is checked after the dossier's row (and its number) was written: the
        # refusal rolls the number back with the rest.
        with pytest.raises(DossierError):
            _receive(world, parts=[PartInput(name=" ", not_digitised_reason="x")])
        after = _receive(world)
    assert after.code.endswith("-0002")
    assert Dossier.objects.count() == 2
