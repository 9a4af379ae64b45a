from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0011_units_as_agencies"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossierpart",
            name="not_digitised_reason",
            field=models.CharField(
                blank=True, default="", max_length=500, verbose_name="lý do chưa số hóa"
            ),
        ),
    ]
