# The events feed's settle lag counts from when an event row was written (api.sync).

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0022_awaiting_payment"),
    ]

    operations = [
        # Added empty first: the events already there keep no write time (they are settled),
        # and the column is added without touching their rows.
        migrations.AddField(
            model_name="dossierevent",
            name="recorded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="ghi lúc"),
        ),
        # The default is Python's (the model's), for the rows written from now on.
        migrations.AlterField(
            model_name="dossierevent",
            name="recorded_at",
            field=models.DateTimeField(
                blank=True, default=django.utils.timezone.now, null=True, verbose_name="ghi lúc"
            ),
        ),
    ]
