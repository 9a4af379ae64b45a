"""ReportRequest moved to reports (its 0004 renames the table and keeps the rows): removed
from office's state only."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("office", "0001_initial"),
        ("reports", "0004_report_request"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ReportRequest")],
            database_operations=[],
        ),
    ]
