"""The outbox no longer points at a dossier (``notify`` knows no domain app, issue 11): each
message's dossier becomes the reference ``dossier:<code>``, and ``kind`` loses its choices
(the kinds are named by the apps that notify)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Concat

PREFIX = "dossier:"


def dossier_to_reference(apps, schema_editor):  # type: ignore[no-untyped-def]
    Message = apps.get_model("notify", "Message")
    Dossier = apps.get_model("dossiers", "Dossier")
    code = Dossier.objects.filter(pk=OuterRef("dossier_id")).values("code")[:1]
    # One UPDATE, whatever the outbox's size; a message whose dossier was deleted (the FK
    # was SET_NULL) keeps an empty reference, as it had no dossier.
    Message.objects.filter(dossier__isnull=False).update(
        reference=Concat(Value(PREFIX), Subquery(code), output_field=models.CharField())
    )


def reference_to_dossier(apps, schema_editor):  # type: ignore[no-untyped-def]
    Message = apps.get_model("notify", "Message")
    Dossier = apps.get_model("dossiers", "Dossier")
    rows = Message.objects.filter(reference__startswith=PREFIX).values_list("pk", "reference")
    for pk, reference in rows.iterator():
        dossier = Dossier.objects.filter(code=reference[len(PREFIX) :]).first()
        if dossier is not None:
            Message.objects.filter(pk=pk).update(dossier=dossier)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0001_initial"),
        ("notify", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="reference",
            field=models.CharField(
                blank=True,
                db_index=True,
                default="",
                max_length=100,
                verbose_name="liên quan đến",
            ),
        ),
        migrations.RunPython(dossier_to_reference, reference_to_dossier),
        migrations.RemoveField(model_name="message", name="dossier"),
        migrations.AlterField(
            model_name="message",
            name="kind",
            field=models.CharField(max_length=32, verbose_name="loại thông báo"),
        ),
    ]
