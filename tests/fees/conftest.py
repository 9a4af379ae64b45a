"""Fixtures for fees and payments: the shared world with a fee table on its procedure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from motcua.fees.interchange import fees_import_text
from tests.dossiers.conftest import citizen_applicant
from tests.world import MONDAY, World, local, world  # noqa: F401

VERSION_FROM = dt.date(2026, 1, 1)
# Cấp phiếu lý lịch tư pháp: lệ phí 200.000 đ (TT 244/2016/TT-BTC), 5.000 đ a copy past the
# second is left out here; the exemptions as the circular lists them.
FEE_CSV = (
    "procedure,version_from,kind,label,amount,per,applicant,exemptions,legal_basis\n"
    "1.001234,2026-01-01,le_phi,Lệ phí cấp phiếu lý lịch tư pháp,200000,dossier,any,"
    "nguoi_co_cong;tre_em;ho_ngheo,Thông tư 244/2016/TT-BTC\n"
    "1.001234,2026-01-01,phi,Phí cấp bản sao,5000,copy,citizen,,Thông tư 244/2016/TT-BTC\n"
)


@pytest.fixture
def priced(world: World) -> World:  # noqa: F811
    """The world's procedure valid from 1/1/2026, with the fee table above."""
    world.procedure.valid_from = VERSION_FROM
    world.procedure.online_payment = True
    world.procedure.save(update_fields=["valid_from", "online_payment"])
    fees_import_text(FEE_CSV)
    return world


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(local(MONDAY, 9), tick=False) as traveller:
        yield traveller


@pytest.fixture
def received(priced: World, traveller: time_machine.Traveller) -> Dossier:
    return dossier_receive(
        procedure_version=priced.procedure,
        applicant=citizen_applicant(),
        actor=priced.clerk,
        receiving_unit=priced.center,
    )
