"""Seed the official schedules for civil servants, 2021–2026.

Compared year by year with ``holidays`` VN (0.109): the statutory days (Bộ luật Lao động
2019 Điều 112), their compensatory days (Điều 111.3) and the Tết days the Government
fixed for 2021–2026 already match the official schedules; what the Government swaps
("hoán đổi ngày làm việc") is seeded here so that each day cites its own document, even
where the package also knows it (the package's copy then becomes a second opinion, and an
operator can correct the row in the admin). The one swap the package lacks is New Year
2026 (Friday 2/1 off, Saturday 10/1 worked).
"""

from __future__ import annotations

from datetime import date

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

REF_2024 = "Công văn 2450/VPCP-KGVX ngày 12/4/2024 của Văn phòng Chính phủ"
REF_2025 = "Thông báo 6150/TB-LĐTBXH ngày 14/11/2024 của Bộ Lao động - Thương binh và Xã hội"
REF_2026_NEW_YEAR = "Công văn 12729/VPCP-KGVX của Văn phòng Chính phủ (Tết Dương lịch 2026)"
REF_2026_NATIONAL_DAY = (
    "Lịch nghỉ Quốc khánh 2026 đối với cán bộ, công chức, viên chức (hoán đổi thứ Hai 31/8 "
    "sang thứ Bảy 22/8/2026)"
)

# (date, kind, legal reference, note)
OVERRIDES: list[tuple[date, str, str, str]] = [
    (date(2024, 4, 29), "off", REF_2024, "Nghỉ thứ Hai 29/4/2024, hoán đổi sang thứ Bảy 4/5"),
    (date(2024, 5, 4), "working", REF_2024, "Làm bù cho thứ Hai 29/4/2024"),
    (date(2025, 4, 26), "working", REF_2025, "Làm bù cho thứ Sáu 2/5/2025"),
    (date(2025, 5, 2), "off", REF_2025, "Nghỉ thứ Sáu 2/5/2025, hoán đổi sang thứ Bảy 26/4"),
    (date(2026, 1, 2), "off", REF_2026_NEW_YEAR, "Nghỉ thứ Sáu 2/1/2026, làm bù thứ Bảy 10/1"),
    (date(2026, 1, 10), "working", REF_2026_NEW_YEAR, "Làm bù cho thứ Sáu 2/1/2026"),
    (
        date(2026, 8, 22),
        "working",
        REF_2026_NATIONAL_DAY,
        "Làm bù cho thứ Hai 31/8/2026 (theo lịch của gói holidays; đối chiếu văn bản gốc)",
    ),
    (
        date(2026, 8, 31),
        "off",
        REF_2026_NATIONAL_DAY,
        "Nghỉ thứ Hai 31/8/2026, làm bù thứ Bảy 22/8 (theo lịch của gói holidays)",
    ),
]


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    CalendarOverride = apps.get_model("workdays", "CalendarOverride")
    for day, kind, reference, note in OVERRIDES:
        # An operator's own row for that date wins: it was entered on purpose.
        CalendarOverride.objects.get_or_create(
            date=day, defaults={"kind": kind, "legal_reference": reference, "note": note}
        )


def unseed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    CalendarOverride = apps.get_model("workdays", "CalendarOverride")
    for day, kind, reference, _ in OVERRIDES:
        CalendarOverride.objects.filter(date=day, kind=kind, legal_reference=reference).delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0002_override_updated_at")]

    operations = [migrations.RunPython(seed, unseed)]
