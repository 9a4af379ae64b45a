"""The ranking's agencies changed (issue 18): the province's own bodies in force during the
period, no longer every province-level agency. The kept snapshots listed the old set; they
are dropped, and each period is computed again by its first reader or the hourly job
(``reports.ranking.ranking_snapshot``): a cache, not a record."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def drop_snapshots(apps: Any, schema_editor: Any) -> None:
    apps.get_model("reports", "RankingScore").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_ranking_snapshot")]

    operations = [migrations.RunPython(drop_snapshots, migrations.RunPython.noop)]
