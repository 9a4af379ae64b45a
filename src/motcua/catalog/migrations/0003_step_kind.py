"""Each workflow step says what it does (``StepKind``): the existing steps get the kind their
name says, as an import would give them (``catalog.models.step_kind_for``)."""

from typing import Any

from django.db import migrations, models

from motcua.catalog.models import step_kind_for


def infer_kinds(apps: Any, schema_editor: Any) -> None:
    step_model = apps.get_model("catalog", "WorkflowStep")
    changed = []
    for step in step_model.objects.only("pk", "name").iterator():
        kind = step_kind_for(step.name).value
        if kind != "process":
            step.kind = kind
            changed.append(step)
    step_model.objects.bulk_update(changed, ["kind"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_version_superseded"),
    ]

    operations = [
        migrations.AddField(
            model_name="workflowstep",
            name="kind",
            field=models.CharField(
                choices=[
                    ("receive", "Tiếp nhận"),
                    ("process", "Thụ lý, thẩm định"),
                    ("sign", "Duyệt, ký"),
                    ("return", "Trả kết quả"),
                ],
                default="process",
                help_text=(
                    "Bước “Duyệt, ký” cuối cùng của quy trình là bước ghi nhận kết quả giải quyết."
                ),
                max_length=16,
                verbose_name="loại bước",
            ),
        ),
        migrations.RunPython(infer_kinds, migrations.RunPython.noop),
    ]
