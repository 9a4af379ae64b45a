"""Yearly partitions of the ever-growing tables (core.partitions), on PostgreSQL only."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from motcua.cli import main
from motcua.core.audit import audit_log
from motcua.core.models import AuditEvent
from motcua.core.partitions import PARTITIONED, partitions_ensure
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.services import dossier_receive
from motcua.notify.models import Message
from tests.dossiers.conftest import citizen_applicant
from tests.world import World, local, world  # noqa: F401

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions are PostgreSQL's"),
]


def partition_of(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


def partitions(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass",
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_the_growing_tables_are_partitioned_and_the_others_not() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT partrelid::regclass::text FROM pg_partitioned_table")
        partitioned = {row[0] for row in cursor.fetchall()}
    assert partitioned >= set(PARTITIONED)
    assert "dossiers_dossier" not in partitioned
    assert "dossiers_handover" not in partitioned
    assert {"dossiers_dossierevent_y2022", "dossiers_dossierevent_default"} <= partitions(
        "dossiers_dossierevent"
    )


def test_rows_land_in_the_partition_of_their_year(world: World) -> None:  # noqa: F811
    dossiers = {}
    for year in (2022, 2026):
        with time_machine.travel(local(dt.date(year, 3, 1), 9), tick=False):
            dossiers[year] = dossier_receive(
                procedure_version=world.procedure,
                applicant=citizen_applicant(),
                actor=world.clerk,
                receiving_unit=world.center,
            )
            note = audit_log(actor=world.clerk, action="test", object_type="x", object_id=year)
            message = Message.objects.create(kind="t", channel="sms", recipient="1", body="b")
        event = DossierEvent.objects.filter(dossier=dossiers[year]).latest("id")
        assert partition_of("dossiers_dossierevent", event.id) == f"dossiers_dossierevent_y{year}"
        assert partition_of("core_auditevent", note.id) == f"core_auditevent_y{year}"
        assert partition_of("notify_message", message.id) == f"notify_message_y{year}"
    # Through the ORM the partitioned tables read and write as before.
    assert DossierEvent.objects.filter(dossier__in=dossiers.values()).count() >= 2
    newer = AuditEvent.objects.filter(action="test").first()
    assert newer is not None and newer.object_id == "2026"
    older = AuditEvent.objects.get(action="test", object_id="2022")
    older.data = {"changed": True}
    older.save(update_fields=["data"])
    assert AuditEvent.objects.get(id=older.id).data == {"changed": True}


def test_the_command_adds_the_coming_years_once(
    world: World,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A row of 2031 waits in the default partition until 2031 gets its own.
    stray = audit_log(actor=world.clerk, action="test", object_type="x", object_id="late")
    AuditEvent.objects.filter(id=stray.id).update(at=local(dt.date(2031, 5, 1)))
    assert partition_of("core_auditevent", stray.id) == "core_auditevent_default"

    with time_machine.travel(local(dt.date(2030, 6, 1)), tick=False):
        assert main(["db", "partitions", "--years", "1"]) == 0
        out = capsys.readouterr().out
        for table in PARTITIONED:
            assert f"created {table}_y2030" in out
            assert f"created {table}_y2031" in out
            assert f"{table}_y2032" not in out
        assert partition_of("core_auditevent", stray.id) == "core_auditevent_y2031"

        assert main(["db", "partitions", "--years", "1"]) == 0
        assert capsys.readouterr().out.strip() == "partitions up to date"
        assert partitions_ensure(1) == []

    with connection.cursor() as cursor:
        # The new partition has the parent's indexes.
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'core_auditevent_y2031'")
        on_new = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = 'core_auditevent_y2026'")
        on_old = cursor.fetchone()
    assert on_new == on_old


@pytest.mark.django_db
def test_a_year_another_tool_already_covers_is_left_alone() -> None:
    # pg_partman (docs/operations.md) makes its own partitions, named its own way.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE core_auditevent_p2032_03 PARTITION OF core_auditevent "
            "FOR VALUES FROM ('2032-03-01 00:00+07') TO ('2032-04-01 00:00+07')"
        )
    with time_machine.travel(local(dt.date(2032, 1, 10)), tick=False):
        created = partitions_ensure(0)
    assert "core_auditevent_y2032" not in created
    assert "dossiers_dossierevent_y2032" in created
