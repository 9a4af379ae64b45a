"""Applicant identifiers and the dossier code format, property-tested where it fits."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.dossiers.applicants import (
    citizen_id_normalize,
    tax_code_display,
    tax_code_normalize,
)
from motcua.dossiers.models import DossierSequence
from motcua.dossiers.services import dossier_code_allocate, dossier_secret_generate
from tests.world import MONDAY, World, local

digits = st.text(alphabet="0123456789", min_size=1, max_size=16)


@given(digits)
def test_citizen_id_is_exactly_twelve_digits(value: str) -> None:
    if len(value) == 12:
        assert citizen_id_normalize(f" {value[:4]} {value[4:]} ") == value
    else:
        with pytest.raises(ValueError, match="12 chữ số"):
            citizen_id_normalize(value)


@given(st.text(alphabet="0123456789", min_size=10, max_size=10), st.none() | digits)
def test_tax_code_of_ten_or_ten_dash_three(main: str, branch: str | None) -> None:
    if branch is None:
        assert tax_code_normalize(main) == main
        return
    given_text = f"{main}-{branch}"
    if len(branch) == 3:
        stored = tax_code_normalize(given_text)
        assert stored == main + branch
        assert tax_code_display(stored) == given_text
    else:
        with pytest.raises(ValueError, match="Mã số thuế"):
            tax_code_normalize(given_text)


def test_secret_is_hard_to_guess_and_easy_to_read() -> None:
    secrets = {dossier_secret_generate() for _ in range(200)}
    assert len(secrets) == 200
    assert all(len(s) == 8 and not set(s) & set("01OIL") for s in secrets)


def test_code_grows_past_four_digits_instead_of_failing(world: World) -> None:
    DossierSequence.objects.create(agency=world.justice, day=MONDAY, last=9999)
    assert (
        dossier_code_allocate(agency=world.justice, at=local(MONDAY, 10))
        == "000.00.19.H18-261005-10000"
    )
    assert dossier_code_allocate(
        agency=world.justice, at=local(MONDAY + dt.timedelta(days=1), 10)
    ).endswith("-261006-0001")
