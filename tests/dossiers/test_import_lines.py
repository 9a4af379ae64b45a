"""The fast schema check (fastjsonschema) never accepts what jsonschema Draft 2020-12 refuses,
and the pure per-record rules work without a database."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.dossiers.importing.history import (
    AgencyInfo,
    CatalogueSnapshot,
    LegalClock,
    VersionInfo,
    history_check,
    history_compute,
)
from motcua.dossiers.importing.lines import line_schema
from motcua.workdays.calendar import WorkCalendar
from tests.dossiers.import_world import JUSTICE, record

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(
        [
            "",
            "direct",
            "online",
            "citizen",
            "handover",
            "result_delivered",
            "counter",
            "2022-08-29T10:00:00+07:00",
            "2022-08-29T10:00:00",
            "2022-08-29T10:00:00Z",
            "2022-08-29",
        ]
    ),
)
PATHS = [
    ("code",),
    ("channel",),
    ("received_at",),
    ("due_at",),
    ("submitted_at",),
    ("applicant",),
    ("applicant", "kind"),
    ("applicant", "name"),
    ("applicant", "phone"),
    ("events",),
    ("events", 0),
    ("events", 0, "type"),
    ("events", 0, "at"),
    ("events", 0, "apology"),
    ("events", 0, "channel"),
    ("events", 0, "new_due_at"),
    ("extra",),
    ("events", 0, "extra"),
]


def _base() -> dict[str, Any]:
    return record(
        events=[{"type": "handover", "at": "2022-08-29T11:00:00+07:00", "unit": "Phòng A"}]
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), SCALARS | st.just("<drop>")), max_size=3))
def test_fast_check_agrees_with_jsonschema(mutations: list[tuple[tuple[Any, ...], Any]]) -> None:
    obj = _base()
    for path, value in mutations:
        target: Any = obj
        for key in path[:-1]:
            if not isinstance(target, dict | list) or (
                isinstance(target, dict) and key not in target
            ):
                target = None
                break
            if isinstance(target, list) and key >= len(target):
                target = None
                break
            target = target[key]
        if isinstance(target, dict):
            if value == "<drop>":
                target.pop(path[-1], None)
            else:
                target[path[-1]] = copy.deepcopy(value)
        elif isinstance(target, list) and path[-1] < len(target) and value != "<drop>":
            target[path[-1]] = value
    schema = line_schema("dossier-history")
    authoritative = not any(True for _ in schema.validator.iter_errors(obj))
    assert (schema.errors(obj) == []) == authoritative


def _snapshot() -> CatalogueSnapshot:
    version = VersionInfo(
        id=1,
        procedure_code="1.004227",
        number=1,
        agency_id=1,
        level="province",
        field_id=1,
        duration=Decimal(3),
        unit="working_days",
        cutoff=True,
        valid_from=None,
        valid_to=None,
    )
    agency = AgencyInfo(1, JUSTICE, "Sở Tư pháp", "province")
    return CatalogueSnapshot(versions={"1.004227": [version]}, agencies={JUSTICE: agency})


def test_history_compute_without_a_database() -> None:
    catalogue = _snapshot()
    rec = record(events=[{"type": "result_ready", "at": "2022-09-05T16:00:00+07:00"}])
    errors, version = history_check(rec, catalogue)
    assert errors == [] and version is not None
    computed = history_compute(
        rec, version, catalogue.agencies[JUSTICE], LegalClock.from_calendar(WorkCalendar([]))
    )
    assert computed.dossier["due_at"] == dt.datetime.fromisoformat("2022-09-05T17:00:00+07:00")
    assert computed.dossier["dossier_class"] == "on_time"
    assert [e.type for e in computed.events] == ["received", "result_ready"]
