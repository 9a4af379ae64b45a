"""Properties of the import: the budget rule, and export → import is a fixed point."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.catalog.services import catalog_export, catalog_import, catalog_validate
from tests.catalog.conftest import BASE

pytestmark = pytest.mark.django_db

# Any text a JSON file can carry and a database can store (NUL and lone surrogates are
# refused by the import with their own error, tested in test_import).
_chars = st.characters(codec="utf-8", exclude_characters="\x00")


def text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=_chars, min_size=min_size, max_size=max_size)


hours = st.decimals(min_value=0, max_value=200, places=2, allow_nan=False, allow_infinity=False)
units = st.sampled_from(["working_days", "calendar_days", "working_hours"])


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    duration=st.integers(min_value=0, max_value=60), unit=units, budgets=st.lists(hours, max_size=6)
)
def test_budget_error_iff_steps_exceed_the_legal_time(
    duration: int, unit: str, budgets: list[Decimal]
) -> None:
    document = copy.deepcopy(BASE)
    proc = document["procedures"][1]
    proc.update(duration=duration, unit=unit)
    proc["steps"] = [{"name": f"b{i}", "hours": float(h)} for i, h in enumerate(budgets)]
    legal = Decimal(duration) * (1 if unit == "working_hours" else 8)

    issues = [str(i) for i in catalog_validate(document)]

    overflow = sum(budgets, Decimal(0)) > legal
    assert any(i.startswith("$.procedures[1].steps: the step budgets") for i in issues) == overflow
    assert len(issues) == int(overflow)


procedure = st.fixed_dictionaries(
    {
        "name": text(1, 40),
        "duration": st.integers(min_value=1, max_value=30),
        "fee": st.integers(min_value=0, max_value=10**7),
        "online": st.sampled_from(["none", "partial", "full"]),
        "linked": st.booleans(),
        "result_type": st.none() | text(0, 20),
        "parts": st.lists(
            st.fixed_dictionaries(
                {
                    "name": text(1, 30),
                    "copies": st.integers(min_value=1, max_value=5),
                    "kind": st.sampled_from(["original", "certified", "copy"]),
                }
            ),
            max_size=3,
        ),
        "step_hours": st.lists(st.decimals(min_value=0, max_value=2, places=2), max_size=4),
    }
)


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(procedures=st.lists(procedure, min_size=1, max_size=4))
def test_export_reimports_to_no_change(procedures: list[dict[str, Any]]) -> None:
    document = copy.deepcopy(BASE)
    document["procedures"] = [
        {
            "code": f"9.{i:06d}",
            "field": "Thử",
            "agency": "000.00.03.H99",
            "unit": "working_days",
            **{k: v for k, v in p.items() if k != "step_hours"},
            "steps": [{"name": "b", "hours": float(h)} for h in p["step_hours"]],
        }
        for i, p in enumerate(procedures)
    ]
    with transaction.atomic():
        catalog_import(document, actor="test")
        exported = catalog_export()
        assert catalog_validate(exported) == []
        assert not catalog_import(copy.deepcopy(exported), actor="test").changed
        assert catalog_export() == exported
        transaction.set_rollback(True)
