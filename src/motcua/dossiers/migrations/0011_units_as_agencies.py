"""The dossier's current unit and the control slip's units (form 06) become foreign keys to
the agency, each with a label only for a unit outside the register (issue 11).

The names written so far are resolved as the readers resolved them: by agency code, then by
exact name (the lowest id of several with that name); what matches no agency stays as the
label. One UPDATE per distinct name, so a province's history is migrated in a few statements.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.conf import settings
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


def _resolve_column(model: Any, field: str, index: dict[str, int]) -> None:
    label_field = f"{field}_label"
    labels = model.objects.exclude(**{label_field: ""}).values_list(label_field, flat=True)
    for label in list(labels.distinct()):
        agency_id = index.get(label.strip())
        rows = model.objects.filter(**{label_field: label})
        if agency_id is not None:
            rows.update(**{f"{field}_id": agency_id, label_field: ""})
        elif label != label.strip():
            rows.update(**{label_field: label.strip()})


def resolve(apps: Any, schema_editor: Any) -> None:
    index = _index(apps.get_model("agencies", "Agency"))
    _resolve_column(apps.get_model("dossiers", "Dossier"), "current_unit", index)
    handover = apps.get_model("dossiers", "Handover")
    _resolve_column(handover, "from_unit", index)
    _resolve_column(handover, "to_unit", index)


def _unresolve_column(model: Any, field: str) -> None:
    agencies = model.objects.filter(**{f"{field}__isnull": False})
    for agency_id, name in list(agencies.values_list(f"{field}_id", f"{field}__name").distinct()):
        model.objects.filter(**{f"{field}_id": agency_id}).update(
            **{field: None, f"{field}_label": name}
        )


def unresolve(apps: Any, schema_editor: Any) -> None:
    _unresolve_column(apps.get_model("dossiers", "Dossier"), "current_unit")
    handover = apps.get_model("dossiers", "Handover")
    _unresolve_column(handover, "from_unit")
    _unresolve_column(handover, "to_unit")


def _unit(verbose_name: str) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="agencies.agency",
        verbose_name=verbose_name,
    )


def _label(verbose_name: str) -> models.CharField[Any, Any]:
    return models.CharField(blank=True, default="", max_length=255, verbose_name=verbose_name)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("catalog", "0004_units_as_agencies"),
        ("dossiers", "0010_handover_draft"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The live worklist's index holds the current unit: rebuilt on the new column.
        migrations.RemoveIndex(model_name="dossier", name="dossier_live"),
        migrations.RenameField(
            model_name="dossier", old_name="current_unit", new_name="current_unit_label"
        ),
        migrations.AlterField(
            model_name="dossier",
            name="current_unit_label",
            field=_label("đơn vị đang xử lý (ngoài danh mục)"),
        ),
        migrations.AddField(
            model_name="dossier", name="current_unit", field=_unit("đơn vị đang xử lý")
        ),
        migrations.RenameField(
            model_name="handover", old_name="from_unit", new_name="from_unit_label"
        ),
        migrations.AlterField(
            model_name="handover",
            name="from_unit_label",
            field=_label("đơn vị giao (ngoài danh mục)"),
        ),
        migrations.AddField(model_name="handover", name="from_unit", field=_unit("đơn vị giao")),
        migrations.RenameField(model_name="handover", old_name="to_unit", new_name="to_unit_label"),
        migrations.AlterField(
            model_name="handover",
            name="to_unit_label",
            field=_label("đơn vị nhận (ngoài danh mục)"),
        ),
        migrations.AddField(model_name="handover", name="to_unit", field=_unit("đơn vị nhận")),
        migrations.AddConstraint(
            model_name="dossier",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("current_unit__isnull", True), ("current_unit_label", ""), _connector="OR"
                ),
                name="dossier_current_unit_or_label",
            ),
        ),
        migrations.AddConstraint(
            model_name="handover",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("from_unit__isnull", True), ("from_unit_label", ""), _connector="OR"
                ),
                name="handover_from_unit_or_label",
            ),
        ),
        migrations.AddConstraint(
            model_name="handover",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("to_unit__isnull", True), ("to_unit_label", ""), _connector="OR"
                ),
                name="handover_to_unit_or_label",
            ),
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        ("submitted", "processing", "supplement_requested", "result_ready"),
                    )
                ),
                fields=[
                    "status",
                    "due_at",
                    "id",
                    "agency",
                    "receiving_unit",
                    "received_at",
                    "level",
                    "has_apology",
                    "step_over_at",
                    "assignee",
                    "current_unit",
                ],
                name="dossier_live",
            ),
        ),
        # Last: on PostgreSQL no table may be altered after rows were updated with
        # (deferred) foreign keys in the same transaction.
        migrations.RunPython(resolve, unresolve),
    ]
