"""The instant a dossier's current step runs over its budget, kept on the dossier so that the
at-risk rule ("a step over its budget") is one comparison in SQL instead of a join with the
workflow steps and one condition per distinct budget.

Filled here for the dossiers that can be at risk (processing or waiting for a supplement,
with a step): a few tens of thousands at a million dossiers, in keyed batches."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

BATCH = 2000


def fill(apps: Any, schema_editor: Any) -> None:
    from motcua.dossiers.classify import step_over_at
    from motcua.workdays.calendar import Override, WorkCalendar

    Dossier = apps.get_model("dossiers", "Dossier")
    WorkflowStep = apps.get_model("catalog", "WorkflowStep")
    hours = dict(WorkflowStep.objects.values_list("id", "hours"))
    open_with_step = Dossier.objects.filter(
        status__in=["processing", "supplement_requested"],
        current_step__isnull=False,
        current_step_since__isnull=False,
    ).order_by("pk")
    # The calendar from the historical model: the live one may have columns that a later
    # workdays migration adds.
    CalendarOverride = apps.get_model("workdays", "CalendarOverride")
    calendar = WorkCalendar(
        Override(day=day, working=kind == "working", legal_reference=reference)
        for day, kind, reference in CalendarOverride.objects.values_list(
            "date", "kind", "legal_reference"
        )
    )
    last = 0
    while True:
        rows = list(
            open_with_step.filter(pk__gt=last).values_list(
                "pk", "current_step_id", "current_step_since"
            )[:BATCH]
        )
        if not rows:
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Dossier._meta.db_table} SET step_over_at = %s WHERE id = %s",
                [
                    (step_over_at(since, hours[step], calendar=calendar), pk)
                    for pk, step, since in rows
                ],
            )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0004_desk_and_search"),
        ("catalog", "0002_version_superseded"),
        ("workdays", "0003_seed_official_overrides"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="step_over_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
