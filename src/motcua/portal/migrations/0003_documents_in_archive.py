"""The citizen's store moves to the archive (issue 13): each ``StoredDocument`` becomes an
``archive.Document`` of kind "upload" in its owner's store, naming the same stored file."""

from django.db import migrations


def forwards(apps, schema_editor):
    StoredDocument = apps.get_model("portal", "StoredDocument")
    Document = apps.get_model("archive", "Document")
    batch = [
        Document(
            kind="upload",
            origin="online",
            name=stored.name,
            owner_id=stored.owner_id,
            in_store=True,
            file=stored.file.name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            created_by_id=stored.owner_id,
            created_at=stored.created_at,
            retention_years=0,
        )
        for stored in StoredDocument.objects.iterator(chunk_size=2000)
    ]
    Document.objects.bulk_create(batch, batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_password_reset"),
        ("archive", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
        migrations.DeleteModel(name="StoredDocument"),
    ]
