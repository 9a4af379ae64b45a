from __future__ import annotations

import importlib

import pytest

from motcua.workdays.calendar import Override, WorkCalendar

SEED = importlib.import_module("motcua.workdays.migrations.0003_seed_official_overrides")


def seeded_overrides() -> list[Override]:
    return [
        Override(day=day, working=kind == "working", legal_reference=ref, note=note)
        for day, kind, ref, note in SEED.OVERRIDES
    ]


_CALENDAR = WorkCalendar(seeded_overrides())


@pytest.fixture
def calendar() -> WorkCalendar:
    """The calendar as installed (holidays VN + the seeded overrides), without a database."""
    return _CALENDAR
