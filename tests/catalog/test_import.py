"""catalog_import: all fields stored, idempotent, versioned, and all-or-nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from motcua.agencies.models import Agency
from motcua.catalog.models import Field, Part, Procedure, ProcedureVersion, WorkflowStep
from motcua.catalog.queries import procedure_current_version
from motcua.catalog.services import CatalogImportError, catalog_import
from motcua.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, Any]:
    """Every row the import may write, with every column, to prove "nothing changed"."""
    return {
        model.__name__: sorted(model.objects.values_list(), key=lambda row: row[0])
        for model in (Agency, Field, Procedure, ProcedureVersion, WorkflowStep, Part, AuditEvent)
    }


def test_import_stores_every_field(document: dict[str, Any]) -> None:
    summary = catalog_import(document, actor="test")

    assert summary.agencies_created == 3
    assert summary.versions_created == 2
    version = ProcedureVersion.objects.get(procedure__code="2.000488")
    assert version.number == 1
    assert version.name == "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    assert version.search_text == "cap phieu ly lich tu phap cho cong dan viet nam"
    assert version.field.name == "Lý lịch tư pháp"
    assert version.agency.code == "000.00.03.H99"
    assert (version.level, version.duration, version.unit) == ("province", 10, "working_days")
    assert version.cutoff and version.national_portal and version.online_payment
    assert version.one_stop and not version.linked
    assert (version.online, version.fee) == ("full", 200000)
    assert version.result_type == "Phiếu lý lịch tư pháp" and version.electronic_result
    assert version.legal_basis == "Luật Lý lịch tư pháp 2009"
    assert (version.valid_from, version.valid_to) == (dt.date(2020, 1, 1), None)
    # Units written as agency codes are stored as those agencies; none as an empty label.
    steps = version.steps.select_related("unit")
    assert [(s.position, s.name, s.unit and s.unit.code, s.unit_label, s.hours) for s in steps] == [
        (1, "Tiếp nhận", "000.00.03.H99", "", Decimal("4")),
        (2, "Tra cứu, xác minh", "000.01.03.H99", "", Decimal("64.5")),
        (3, "Ký", None, "", Decimal("7.5")),
        (4, "Trả kết quả", "000.00.03.H99", "", Decimal("4")),
    ]
    assert [(p.name, p.copies, p.kind, p.reusable) for p in version.parts.all()] == [
        ("Tờ khai", 1, "original", False),
        ("Căn cước công dân", 2, "copy", True),
    ]
    # Defaults of the schema apply to what the document leaves out.
    other = ProcedureVersion.objects.get(procedure__code="1.001877")
    assert (other.level, other.cutoff, other.online, other.one_stop, other.fee) == (
        "province",
        True,
        "none",
        True,
        0,
    )
    unit = Agency.objects.get(code="000.01.03.H99")
    assert unit.parent is not None and unit.parent.code == "000.00.03.H99"
    assert unit.path == f"/{unit.parent.parent_id}/{unit.parent_id}/{unit.pk}/"
    assert unit.valid_from == dt.date(2020, 1, 1)


def test_reimport_changes_nothing(document: dict[str, Any]) -> None:
    catalog_import(document, actor="test")
    before = _snapshot()

    summary = catalog_import(document, actor="test")

    assert not summary.changed
    assert summary.versions_unchanged == 2
    assert _snapshot() == before


def test_changed_content_creates_a_new_version_and_keeps_the_old(
    document: dict[str, Any],
) -> None:
    catalog_import(document, actor="test")
    old = ProcedureVersion.objects.get(procedure__code="2.000488")
    old_steps = list(old.steps.values_list("id", "name", "hours"))
    document["procedures"][0]["fee"] = 250000
    document["procedures"][0]["steps"][1]["hours"] = 60

    summary = catalog_import(document, actor="test")

    assert (summary.versions_created, summary.versions_superseded) == (1, 1)
    old.refresh_from_db()
    assert old.fee == 200000 and old.superseded_at is not None
    assert list(old.steps.values_list("id", "name", "hours")) == old_steps
    new = procedure_current_version("2.000488", dt.date(2024, 5, 1))
    assert new is not None and new.pk != old.pk
    assert (new.number, new.fee) == (2, 250000)
    assert new.steps.get(position=2).hours == 60
    # ...and importing the changed file again is a no-op.
    assert not catalog_import(document, actor="test").changed


def test_a_later_valid_from_closes_the_open_version(document: dict[str, Any]) -> None:
    catalog_import(document, actor="test")
    later = dict(document["procedures"][0], valid_from="2025-07-01", fee=300000)
    document["procedures"] = [later]

    summary = catalog_import(document, actor="test")

    assert (summary.versions_created, summary.versions_closed) == (1, 1)
    first = ProcedureVersion.objects.get(procedure__code="2.000488", number=1)
    assert first.valid_to == dt.date(2025, 6, 30) and first.superseded_at is None
    assert procedure_current_version("2.000488", dt.date(2025, 6, 30)) == first
    current = procedure_current_version("2.000488", dt.date(2025, 7, 1))
    assert current is not None and current.fee == 300000


def test_only_valid_to_changed_updates_in_place(document: dict[str, Any]) -> None:
    catalog_import(document, actor="test")
    document["procedures"][0]["valid_to"] = "2025-06-30"

    summary = catalog_import(document, actor="test")

    assert (summary.versions_created, summary.versions_updated) == (0, 1)
    version = ProcedureVersion.objects.get(procedure__code="2.000488")
    assert version.number == 1 and version.valid_to == dt.date(2025, 6, 30)


def test_agency_reparented_by_import_rewrites_paths(document: dict[str, Any]) -> None:
    catalog_import(document, actor="test")
    document["agencies"][2]["parent"] = "000.00.00.H99"

    summary = catalog_import(document, actor="test")

    assert summary.agencies_updated == 1
    unit = Agency.objects.get(code="000.01.03.H99")
    assert unit.path == f"/{unit.parent_id}/{unit.pk}/"


def _reject(document: dict[str, Any]) -> list[str]:
    before = _snapshot()
    with pytest.raises(CatalogImportError) as excinfo:
        catalog_import(document, actor="test")
    assert _snapshot() == before
    return [str(issue) for issue in excinfo.value.issues]


def test_schema_errors_are_reported_with_their_json_path(document: dict[str, Any]) -> None:
    document["procedures"][1]["steps"] = [{"name": "a", "hours": 1}, {"name": "b", "hours": -1}]
    document["procedures"][0]["valid_from"] = "2020-02-30"
    document["agencies"][0]["colour"] = "red"

    assert _reject(document) == [
        "$.agencies[0]: Additional properties are not allowed ('colour' was unexpected)",
        "$.procedures[0].valid_from: '2020-02-30' is not a 'date'",
        "$.procedures[1].steps[1].hours: -1 is less than the minimum of 0",
    ]


def test_unknown_codes_are_rejected(document: dict[str, Any]) -> None:
    document["agencies"][1]["parent"] = "000.00.00.X01"
    document["agencies"][1]["successor"] = "000.00.99.H99"
    document["procedures"][1]["agency"] = "nowhere"

    assert _reject(document) == [
        "$.agencies[1].parent: unknown agency code '000.00.00.X01'",
        "$.agencies[1].successor: unknown agency code '000.00.99.H99'",
        "$.procedures[1].agency: unknown agency code 'nowhere'",
    ]


def test_budget_overflow_is_rejected(document: dict[str, Any]) -> None:
    document["procedures"][0]["steps"][0]["hours"] = 4.5

    assert _reject(document) == [
        "$.procedures[0].steps: the step budgets add up to 80.5 working hours, more than "
        "the legal time of 10 working_days (80 working hours)"
    ]


def test_duplicates_and_bad_periods_are_rejected(document: dict[str, Any]) -> None:
    document["agencies"].append(dict(document["agencies"][1], name="again"))
    document["procedures"].append(dict(document["procedures"][0], valid_from="2024-01-01"))
    document["procedures"][1].update(valid_from="2025-01-01", valid_to="2024-12-31")

    assert _reject(document) == [
        "$.agencies[3].code: duplicate agency code '000.00.03.H99' (first at $.agencies[1])",
        "$.procedures[1].valid_to: 2024-12-31 is before valid_from 2025-01-01",
        "$.procedures[2]: duplicate procedure '2.000488' for agency '000.00.03.H99': "
        "its validity overlaps $.procedures[0]",
    ]


def test_parent_cycle_is_rejected(document: dict[str, Any]) -> None:
    document["agencies"][0]["parent"] = "000.01.03.H99"

    issues = _reject(document)

    assert "$.agencies[0].parent: the parents of '000.00.00.H99' form a cycle" in issues


def test_invalid_document_after_a_valid_one_leaves_the_first_intact(
    document: dict[str, Any],
) -> None:
    catalog_import(document, actor="test")
    document["procedures"][0]["fee"] = 1  # would be a new version...
    document["procedures"][1]["duration"] = -3  # ...but the document is invalid

    assert _reject(document) == ["$.procedures[1].duration: -3 is less than the minimum of 0"]
    assert ProcedureVersion.objects.count() == 2


def test_nul_characters_are_rejected_before_writing(document: dict[str, Any]) -> None:
    document["procedures"][0]["parts"][1]["name"] = "Căn cước\x00"
    document["agencies"][0]["name"] = json.loads('"UBND \\ud800"')

    assert _reject(document) == [
        "$.agencies[0].name: contains an unpaired surrogate (not valid Unicode)",
        "$.procedures[0].parts[1].name: contains a NUL character (\\u0000)",
    ]
