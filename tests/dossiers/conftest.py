"""Fixtures for dossier tests: the shared world and a few dossiers in known states."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from tests.world import MONDAY, World, local, world  # noqa: F401


def citizen_applicant(**overrides: str) -> Applicant:
    values = {
        "kind": "citizen",
        "name": "Hoàng Văn Bình",
        "id_number": "066090001234",
        "phone": "0912345678",
        "address": "Gia Nghĩa, Đắk Nông",
    }
    values.update(overrides)
    return Applicant(**values)


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    """Time stands still at Monday 5/10/2026 09:00 local; move it with ``.move_to``."""
    with time_machine.travel(local(MONDAY, 9), tick=False) as traveller:
        yield traveller


@pytest.fixture
def received(world: World, traveller: time_machine.Traveller) -> Dossier:  # noqa: F811
    """A dossier received at the counter on Monday 5/10/2026 09:00 (due Thursday 17:00)."""
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )


@pytest.fixture
def appraised(world: World, received: Dossier) -> Dossier:  # noqa: F811
    """``received``, handed over by the counter to the appraisal step at the same instant:
    the competent agency holds it, so its specialists and leaders may act on it."""
    from motcua.dossiers.services import dossier_handover

    dossier_handover(dossier=received, actor=world.clerk)
    return received


def to_signing(world: World, dossier: Dossier) -> Dossier:  # noqa: F811
    """``dossier`` walked on to the workflow's signing step ("Ký duyệt kết quả"), where the
    leader records the result (``dossiers.rules``): from the counter's step or from the
    appraisal, by whoever holds it, at the current instant."""
    from motcua.dossiers.services import dossier_handover

    dossier.refresh_from_db()
    if dossier.current_step is not None and dossier.current_step.position == 1:
        dossier_handover(dossier=dossier, actor=world.clerk)
        dossier.refresh_from_db()
    if dossier.current_step is not None and dossier.current_step.position == 2:
        dossier_handover(dossier=dossier, actor=world.specialist)
        dossier.refresh_from_db()
    return dossier
