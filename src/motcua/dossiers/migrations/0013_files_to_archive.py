"""Part files and result files become documents of the archive (issue 13): each row that
named a file gets an ``archive.Document`` naming the same stored file (nothing is copied or
moved: the ``documents`` storage is the same folder as before), then the old columns go."""

from django.db import migrations

RESULT_RETENTION = 0
PART_RETENTION = 10


def forwards(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    DossierPart = apps.get_model("dossiers", "DossierPart")
    Document = apps.get_model("archive", "Document")
    batch = []
    parts = (
        DossierPart.objects.exclude(file="")
        .exclude(file__isnull=True)
        .select_related("dossier")
        .iterator(chunk_size=2000)
    )
    for part in parts:
        dossier = part.dossier
        batch.append(
            Document(
                kind="part",
                origin="reuse"
                if part.reused
                else ("online" if dossier.channel == "online" else "scan"),
                name=part.name,
                holder_id_number=dossier.applicant_id_number,
                holder_name=dossier.applicant_name,
                file=part.file.name,
                content_type=part.content_type or "application/octet-stream",
                size=0,
                sha256=part.sha256,
                dossier_id=dossier.pk,
                dossier_part_id=part.pk,
                created_at=dossier.submitted_at or dossier.received_at or dossier.created_at,
                retention_years=PART_RETENTION,
            )
        )
        if len(batch) >= 2000:
            Document.objects.bulk_create(batch)
            batch = []
    for dossier in (
        Dossier.objects.exclude(result_file="").select_related("agency").iterator(chunk_size=2000)
    ):
        batch.append(
            Document(
                kind="result",
                origin="issued",
                name="Kết quả giải quyết",
                holder_id_number=dossier.applicant_id_number,
                holder_name=dossier.applicant_name,
                issuer=dossier.agency.name,
                issuer_agency_id=dossier.agency_id,
                issued_on=None,
                file=dossier.result_file.name,
                content_type="application/octet-stream",
                sha256=dossier.result_sha256,
                dossier_id=dossier.pk,
                owner_id=dossier.owner_id,
                in_store=dossier.owner_id is not None,
                created_at=dossier.ended_at or dossier.updated_at,
                retention_years=RESULT_RETENTION,
            )
        )
        if len(batch) >= 2000:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0012_part_not_digitised_reason"),
        ("archive", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="dossier", name="result_file"),
        migrations.RemoveField(model_name="dossierpart", name="content_type"),
        migrations.RemoveField(model_name="dossierpart", name="file"),
        migrations.RemoveField(model_name="dossierpart", name="sha256"),
    ]
