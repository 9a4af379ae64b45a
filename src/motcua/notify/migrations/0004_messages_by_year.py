"""The notification outbox partitioned by year of creation on PostgreSQL (core.partitions)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from motcua.core.partitions import table_partition, table_unpartition


def partition(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # PostgreSQL only; SQLite keeps the plain table.
    if schema_editor.connection.vendor == "postgresql":
        table_partition(schema_editor.connection, "notify_message", "created_at")


def unpartition(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table_unpartition(schema_editor.connection, "notify_message", "created_at")


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0003_postal"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
