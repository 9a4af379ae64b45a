"""Webhook deliveries partitioned by year of creation on PostgreSQL (core.partitions); their
event is no longer a database foreign key (dossier events are partitioned too)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

from motcua.core.partitions import table_partition, table_unpartition


def partition(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # PostgreSQL only; SQLite keeps the plain table.
    if schema_editor.connection.vendor == "postgresql":
        table_partition(schema_editor.connection, "webhooks_delivery", "created_at")


def unpartition(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        table_unpartition(schema_editor.connection, "webhooks_delivery", "created_at")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0019_postal"),
        ("webhooks", "0001_subscriptions_deliveries"),
    ]

    operations = [
        # No foreign key may point into the partitioned dossier events (dossiers 0021).
        migrations.AlterField(
            model_name="delivery",
            name="event",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="dossiers.dossierevent",
                verbose_name="sự kiện",
            ),
        ),
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
