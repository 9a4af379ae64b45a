"""Default weights of the QĐ 766/QĐ-TTg groups (indicators.md). Group totals: transparency
18, progress 20, online service 12, online payment 10, digitisation 22, satisfaction 18 (= 100).
Only the group totals of transparency, progress and satisfaction, the 6 points of dossier
satisfaction and the thresholds come from indicators.md; the split inside a group is a default
that a province edits (confirmed=False)."""

from decimal import Decimal

from django.db import migrations

D = Decimal
# (code, group, name, points, threshold %, confirmed)
DEFAULTS = [
    (
        "transparency.published_on_time",
        "transparency",
        "TTHC được công bố, công khai đúng hạn",
        D(9),
        D(100),
        False,
    ),
    (
        "transparency.synced",
        "transparency",
        "Hồ sơ đồng bộ lên Cổng DVC quốc gia",
        D(9),
        D(100),
        False,
    ),
    ("progress.on_time", "progress", "Hồ sơ giải quyết trước hạn, đúng hạn", D(20), D(100), False),
    ("progress.average_days", "progress", "Thời gian giải quyết trung bình", D(0), None, True),
    ("online.offered", "online", "TTHC cung cấp dịch vụ công trực tuyến", D(6), D(80), False),
    (
        "online.with_dossiers",
        "online",
        "Dịch vụ công trực tuyến có phát sinh hồ sơ",
        D(0),
        None,
        False,
    ),
    ("online.filed", "online", "Hồ sơ nộp trực tuyến", D(6), D(50), False),
    ("payment.procedures", "payment", "TTHC có phí thanh toán trực tuyến", D(5), D(80), False),
    ("payment.dossiers", "payment", "Hồ sơ thanh toán trực tuyến", D(5), D(100), False),
    (
        "digitisation.electronic_result",
        "digitisation",
        "Hồ sơ có kết quả điện tử",
        D(6),
        D(100),
        False,
    ),
    ("digitisation.digitised", "digitisation", "Hồ sơ được số hóa", D(8), D(80), False),
    ("digitisation.reused", "digitisation", "Hồ sơ tái sử dụng dữ liệu số hóa", D(8), D(80), False),
    ("satisfaction.pakn_on_time", "satisfaction", "PAKN được xử lý đúng hạn", D(6), D(100), False),
    ("satisfaction.pakn", "satisfaction", "Hài lòng về xử lý PAKN", D(6), D(100), False),
    ("satisfaction.dossiers", "satisfaction", "Hài lòng về giải quyết hồ sơ", D(6), D(90), True),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Weight = apps.get_model("reports", "IndicatorWeight")
    for position, (code, group, name, points, threshold, confirmed) in enumerate(DEFAULTS):
        Weight.objects.get_or_create(
            code=code,
            defaults={
                "group": group,
                "name": name,
                "points": points,
                "threshold": threshold,
                "confirmed": confirmed,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
