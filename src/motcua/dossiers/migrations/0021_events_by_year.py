"""Dossier events partitioned by year on PostgreSQL (core.partitions).

After the foreign keys into the table are gone (webhooks 0002, integrations 0003)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from motcua.core.partitions import table_partition, table_unpartition


def partition(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # PostgreSQL only; SQLite keeps the plain table.
    if schema_editor.connection.vendor == "postgresql":
        table_partition(schema_editor.connection, "dossiers_dossierevent", "at")


def unpartition(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table_unpartition(schema_editor.connection, "dossiers_dossierevent", "at")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0020_dossier_fee"),
        ("webhooks", "0002_deliveries_by_year"),
        ("integrations", "0003_event_without_db_constraint"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
