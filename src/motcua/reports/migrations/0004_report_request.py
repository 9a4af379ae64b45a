"""ReportRequest moves from office to reports (issue 11), its rows kept.

The model is first declared here over the existing ``office_reportrequest`` table (state
only: nothing is created), then its table is renamed to this app's default name; office's
0002 removes it from office's state. No row is copied, so ids, files and foreign keys stay as
they were."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("office", "0001_initial"),
        ("reports", "0003_report_text_block"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReportRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("date_from", models.DateField(verbose_name="từ ngày")),
                        ("date_to", models.DateField(verbose_name="đến ngày")),
                        (
                            "fmt",
                            models.CharField(
                                choices=[
                                    ("docx", "Word (DOCX)"),
                                    ("pdf", "PDF"),
                                    ("xlsx", "Excel (XLSX): biểu II.06a, chỉ số, biểu đồ"),
                                ],
                                max_length=8,
                                verbose_name="định dạng",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Đang chờ lập"),
                                    ("running", "Đang lập"),
                                    ("done", "Đã lập xong"),
                                    ("failed", "Lập không thành công"),
                                ],
                                default="pending",
                                max_length=16,
                                verbose_name="trạng thái",
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                blank=True,
                                default="",
                                upload_to="reports/%Y/%m/",
                                verbose_name="tệp",
                            ),
                        ),
                        ("error", models.TextField(blank=True, default="", verbose_name="lỗi")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="yêu cầu lúc"),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="bắt đầu lập lúc"
                            ),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="lập xong lúc"
                            ),
                        ),
                        (
                            "agency",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="agencies.agency",
                                verbose_name="phạm vi",
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="người yêu cầu",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "yêu cầu lập báo cáo",
                        "verbose_name_plural": "yêu cầu lập báo cáo",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "office_reportrequest",
                        "indexes": [
                            models.Index(
                                fields=["status", "created_at"], name="report_request_queue"
                            ),
                            models.Index(
                                fields=["requested_by", "created_at"], name="report_request_user"
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="reportrequest", table=None),
    ]
