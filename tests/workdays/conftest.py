from __future__ import annotations

import importlib

import pytest

from motcua.workdays.calendar import Override, WorkCalendar

SEED = importlib.import_module("motcua.workdays.migrations.0004_override_reference_date")


def seeded_overrides() -> list[Override]:
    return [
        Override(
            day=day, working=kind == "working", legal_reference=ref, note=note, reference_date=on
        )
        for day, kind, ref, on, note in SEED.OVERRIDES
    ]


_CALENDAR = WorkCalendar(seeded_overrides())


@pytest.fixture
def calendar() -> WorkCalendar:
    """The calendar as installed (holidays VN + the seeded overrides), without a database."""
    return _CALENDAR
