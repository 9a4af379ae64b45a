"""catalog_export: a document valid under the schema that re-imports to no change."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_export, catalog_import, catalog_schema

pytestmark = pytest.mark.django_db


def _assert_valid(document: dict[str, Any]) -> None:
    validator = Draft202012Validator(
        catalog_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert [e.message for e in validator.iter_errors(document)] == []


def test_export_round_trip(document: dict[str, Any]) -> None:
    catalog_import(document, actor="test")
    document["procedures"][0]["fee"] = 1  # a superseded version must not be exported
    catalog_import(document, actor="test")
    ids = sorted(ProcedureVersion.objects.values_list("id", flat=True))

    exported = json.loads(json.dumps(catalog_export()))

    _assert_valid(exported)
    assert [p["code"] for p in exported["procedures"]] == ["1.001877", "2.000488"]
    assert exported["procedures"][1]["fee"] == 1
    assert exported["procedures"][1]["steps"][1]["hours"] == 64.5
    summary = catalog_import(copy.deepcopy(exported), actor="test")
    assert not summary.changed
    assert sorted(ProcedureVersion.objects.values_list("id", flat=True)) == ids
    assert catalog_export() == exported


def test_export_of_an_empty_catalogue_is_valid() -> None:
    exported = catalog_export()
    _assert_valid(exported)
    assert exported == {"agencies": [], "procedures": []}
