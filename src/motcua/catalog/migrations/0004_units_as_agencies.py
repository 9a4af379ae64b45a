"""Workflow step units become a foreign key to the agency, with a label only for a unit
outside the register (issue 11: a unit is a reference, not a name resolved again by every
reader).

The text written so far is resolved as the readers resolved it: by agency code, then by exact
name (the lowest id of several with that name); what matches no agency stays as the label.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def _index(agencies: Any) -> dict[str, int]:
    # Frozen copy of ``motcua.agencies.units.unit_index``: codes win over names, the
    # lowest id wins among agencies of the same name.
    index: dict[str, int] = {}
    rows = list(agencies.objects.order_by("pk").values_list("pk", "code", "name"))
    for pk, _code, name in rows:
        index.setdefault(name, pk)
    for pk, code, _name in rows:
        index[code] = pk
    return index


def resolve(apps: Any, schema_editor: Any) -> None:
    step = apps.get_model("catalog", "WorkflowStep")
    index = _index(apps.get_model("agencies", "Agency"))
    labels = step.objects.exclude(unit_label="").values_list("unit_label", flat=True).distinct()
    for label in list(labels):
        agency_id = index.get(label.strip())
        if agency_id is not None:
            step.objects.filter(unit_label=label).update(unit_id=agency_id, unit_label="")
        elif label != label.strip():
            step.objects.filter(unit_label=label).update(unit_label=label.strip())


def unresolve(apps: Any, schema_editor: Any) -> None:
    step = apps.get_model("catalog", "WorkflowStep")
    for row in step.objects.filter(unit__isnull=False).select_related("unit"):
        step.objects.filter(pk=row.pk).update(unit=None, unit_label=row.unit.code)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("catalog", "0003_step_kind"),
    ]

    operations = [
        migrations.RenameField(model_name="workflowstep", old_name="unit", new_name="unit_label"),
        migrations.AlterField(
            model_name="workflowstep",
            name="unit_label",
            field=models.CharField(
                blank=True,
                default="",
                help_text="Chỉ ghi khi đơn vị thực hiện bước không có trong danh mục cơ quan",
                max_length=255,
                verbose_name="đơn vị / vai trò ngoài danh mục",
            ),
        ),
        migrations.AddField(
            model_name="workflowstep",
            name="unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.agency",
                verbose_name="đơn vị thực hiện",
            ),
        ),
        migrations.AddConstraint(
            model_name="workflowstep",
            constraint=models.CheckConstraint(
                condition=models.Q(("unit__isnull", True), ("unit_label", ""), _connector="OR"),
                name="workflow_step_unit_or_label",
            ),
        ),
        # Last: on PostgreSQL no table may be altered after rows were updated with
        # (deferred) foreign keys in the same transaction.
        migrations.RunPython(resolve, unresolve),
    ]
