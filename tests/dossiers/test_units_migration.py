"""The migration that turns unit names into foreign keys resolves what is stored as the readers
resolved it (by agency code, then exact name) and keeps the rest as labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0003_step_kind"), ("dossiers", "0010_handover_draft")]
AFTER = [("catalog", "0004_units_as_agencies"), ("dossiers", "0011_units_as_agencies")]


def _migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_names_become_agencies_and_the_rest_stays_as_labels() -> None:
    apps = _migrate(BEFORE).loader.project_state(BEFORE).apps
    try:
        agency = apps.get_model("agencies", "Agency")
        center = agency.objects.create(code="000.00.01.H18", name="Trung tâm", level="province")
        justice = agency.objects.create(code="000.00.19.H18", name="Sở Tư pháp", level="province")
        # Two agencies of the same name: the lowest id wins, as the old lookup's did.
        first = agency.objects.create(code="000.02.19.H18", name="Phòng Tư pháp", level="district")
        agency.objects.create(code="000.03.19.H18", name="Phòng Tư pháp", level="district")
        field = apps.get_model("catalog", "Field").objects.create(name="Lý lịch")
        procedure = apps.get_model("catalog", "Procedure").objects.create(code="1.001")
        version = apps.get_model("catalog", "ProcedureVersion").objects.create(
            procedure=procedure,
            number=1,
            name="Cấp phiếu",
            field=field,
            agency=justice,
            level="province",
            duration=Decimal(3),
            unit="working_days",
        )
        step = apps.get_model("catalog", "WorkflowStep")
        for position, unit in enumerate(["000.00.01.H18", "Sở Tư pháp", "Lãnh đạo Sở", ""], 1):
            step.objects.create(version=version, position=position, name="B", unit=unit, hours=1)
        at = dt.datetime(2026, 1, 5, 8, tzinfo=dt.UTC)
        dossier = apps.get_model("dossiers", "Dossier").objects.create(
            code="X-1",
            secret="s",
            procedure_version=version,
            agency=justice,
            level="province",
            field=field,
            channel="direct",
            applicant_kind="citizen",
            applicant_name="A",
            status="processing",
            received_at=at,
            current_unit="Phòng Tư pháp",
        )
        handover = apps.get_model("dossiers", "Handover")
        handover.objects.create(
            dossier=dossier, position=1, from_unit="Trung tâm", to_unit="Lãnh đạo Sở", at=at
        )
        handover.objects.create(
            dossier=dossier, position=2, from_unit="Lãnh đạo Sở", to_unit="000.00.19.H18", at=at
        )

        apps = _migrate(AFTER).loader.project_state(AFTER).apps
        step = apps.get_model("catalog", "WorkflowStep")
        assert list(step.objects.order_by("position").values_list("unit_id", "unit_label")) == [
            (center.pk, ""),
            (justice.pk, ""),
            (None, "Lãnh đạo Sở"),
            (None, ""),
        ]
        dossier = apps.get_model("dossiers", "Dossier").objects.get(code="X-1")
        assert (dossier.current_unit_id, dossier.current_unit_label) == (first.pk, "")
        rows = apps.get_model("dossiers", "Handover").objects.order_by("position")
        assert list(
            rows.values_list("from_unit_id", "from_unit_label", "to_unit_id", "to_unit_label")
        ) == [(center.pk, "", None, "Lãnh đạo Sở"), (None, "Lãnh đạo Sở", justice.pk, "")]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
