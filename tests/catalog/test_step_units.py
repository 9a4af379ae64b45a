"""A step's unit in the catalogue's JSON is text (schema: "agency code or unit name"); the
import stores the agency it names, or the text as a label for a unit outside the register, and
the export writes the agency's code back."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from motcua.catalog.models import ProcedureVersion, WorkflowStep
from motcua.catalog.services import catalog_export, catalog_import

pytestmark = pytest.mark.django_db


def _steps(document: dict[str, Any], units: list[str | None]) -> dict[str, Any]:
    steps = document["procedures"][0]["steps"]
    for step, unit in zip(steps, units, strict=True):
        step["unit"] = unit
    return document


def test_a_step_unit_by_code_by_name_or_free_text(document: dict[str, Any]) -> None:
    units = ["000.00.03.H99", "Phòng Hành chính tư pháp", "Lãnh đạo Sở", None]
    catalog_import(_steps(document, units), actor="test")
    rows = WorkflowStep.objects.select_related("unit").order_by("position")
    assert [(s.unit and s.unit.code, s.unit_label, s.unit_name) for s in rows] == [
        ("000.00.03.H99", "", "Sở Tư pháp tỉnh Thử"),
        ("000.01.03.H99", "", "Phòng Hành chính tư pháp"),
        (None, "Lãnh đạo Sở", "Lãnh đạo Sở"),
        (None, "", ""),
    ]


def test_the_export_writes_codes_and_labels_back(document: dict[str, Any]) -> None:
    units = ["000.00.03.H99", "Phòng Hành chính tư pháp", "Lãnh đạo Sở", None]
    catalog_import(_steps(document, units), actor="test")
    exported = catalog_export()
    procedure = next(p for p in exported["procedures"] if p["code"] == "2.000488")
    assert [s["unit"] for s in procedure["steps"]] == [
        "000.00.03.H99",
        "000.01.03.H99",  # named in the import: the same agency, by its code
        "Lãnh đạo Sở",
        None,
    ]
    # Importing the export, or the document naming the unit instead of its code, is the
    # same catalogue: no new version.
    ids = sorted(ProcedureVersion.objects.values_list("id", flat=True))
    assert not catalog_import(copy.deepcopy(exported), actor="test").changed
    assert not catalog_import(_steps(document, units), actor="test").changed
    assert sorted(ProcedureVersion.objects.values_list("id", flat=True)) == ids
    assert catalog_export() == exported


def test_a_step_moved_to_another_unit_is_a_new_version(document: dict[str, Any]) -> None:
    catalog_import(document, actor="test")
    units = ["000.00.03.H99", "Lãnh đạo Sở", None, "000.00.03.H99"]
    summary = catalog_import(_steps(document, units), actor="test")
    assert summary.versions_created == 1
    current = ProcedureVersion.objects.live().get(procedure__code="2.000488")
    assert [s.unit_name for s in current.steps.select_related("unit")] == [
        "Sở Tư pháp tỉnh Thử",
        "Lãnh đạo Sở",
        "",
        "Sở Tư pháp tỉnh Thử",
    ]
