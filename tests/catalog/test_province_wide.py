"""The province's list of procedures received regardless of administrative boundaries
(ND 118/2025) in the catalogue interchange: an optional ``province_wide`` object with the
decision, imported, exported and re-imported unchanged; documents without it stay valid."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import (
    CatalogImportError,
    catalog_export,
    catalog_import,
    catalog_validate,
)

pytestmark = pytest.mark.django_db

LISTED = {"decision": "1234/QĐ-UBND", "date": "2025-07-01"}


def _version(code: str) -> ProcedureVersion:
    return ProcedureVersion.objects.live().get(procedure__code=code)


def test_a_listed_procedure_round_trips(document: dict[str, Any]) -> None:
    document["procedures"][0]["province_wide"] = dict(LISTED)
    catalog_import(document, actor="test")
    listed, other = (
        _version(document["procedures"][0]["code"]),
        _version(document["procedures"][1]["code"]),
    )
    assert (listed.province_wide, listed.province_wide_decision) == (True, "1234/QĐ-UBND")
    assert listed.province_wide_decided_on == dt.date(2025, 7, 1)
    assert not other.province_wide

    exported = json.loads(json.dumps(catalog_export()))
    by_code = {p["code"]: p for p in exported["procedures"]}
    assert by_code[listed.procedure.code]["province_wide"] == LISTED
    # Off the list: the field is left out, as in documents written before it existed.
    assert "province_wide" not in by_code[other.procedure.code]
    assert catalog_validate(copy.deepcopy(exported)) == []
    assert not catalog_import(copy.deepcopy(exported), actor="test").changed


def test_taking_a_procedure_off_the_list_is_a_new_version(document: dict[str, Any]) -> None:
    document["procedures"][0]["province_wide"] = dict(LISTED)
    catalog_import(document, actor="test")
    first = _version(document["procedures"][0]["code"])
    del document["procedures"][0]["province_wide"]
    summary = catalog_import(document, actor="test")
    assert summary.versions_superseded == 1
    now = _version(document["procedures"][0]["code"])
    assert now.pk != first.pk and not now.province_wide


@pytest.mark.parametrize(
    ("listed", "path"),
    [
        ({"date": "2025-07-01"}, "$.procedures[0].province_wide"),
        ({"decision": "   "}, "$.procedures[0].province_wide.decision"),
        ({"decision": "x" * 101}, "$.procedures[0].province_wide.decision"),
        ({"decision": "1/QĐ", "date": "2025-02-30"}, "$.procedures[0].province_wide.date"),
    ],
)
def test_a_listing_without_its_decision_is_refused(
    document: dict[str, Any], listed: dict[str, Any], path: str
) -> None:
    document["procedures"][0]["province_wide"] = listed
    with pytest.raises(CatalogImportError) as excinfo:
        catalog_import(document, actor="test")
    assert [issue.path for issue in excinfo.value.issues] == [path]
    assert not ProcedureVersion.objects.exists()
