"""The legal reference of each override gets its date; the seeded references are corrected.

Checked against the press reports of each text (no number below is a guess):
- 2024: Công văn 2450/VPCP-KGVX ngày 12/4/2024 (the 29/4 ↔ 4/5 swap).
- 2025: the Prime Minister's Công văn 8726/VPCP-KGVX ngày 26/11/2024 on Tết Âm lịch and other
  holidays of 2025 (Tết from Saturday 25/1 to Sunday 2/2/2025: the weekdays 27–31/1 are
  recorded here with it); the 2/5 ↔ 26/4 swap is the one the ``holidays`` package cites to
  "Thông báo 6150/TB-BLĐTBXH" (2024) of the Ministry of Labour: the seed had its symbol as
  "TB-LĐTBXH" and a date (14/11/2024) earlier than the decision it announces; the date is
  left empty for the administrator to fill from the text.
- 2026: Công văn 12729/VPCP-KGVX ngày 25/12/2025 (2/1 off, Saturday 10/1 worked).
- 2026, Quốc khánh (31/8 off, Saturday 22/8 worked): no text found; the seed's reference was a
  description, not a text. Kept as days of the calendar (the ``holidays`` package has the same
  swap) with an empty reference, so that they are flagged for the administrator to confirm.

A row an operator edited (its reference is not the one seeded by 0003) is left alone.
"""

from __future__ import annotations

from datetime import date

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

REF_2024 = "Công văn 2450/VPCP-KGVX của Văn phòng Chính phủ"
REF_2024_DATE = date(2024, 4, 12)
REF_2025_TET = "Công văn 8726/VPCP-KGVX của Văn phòng Chính phủ (nghỉ Tết Âm lịch 2025)"
REF_2025_TET_DATE = date(2024, 11, 26)
REF_2025_SWAP = "Thông báo 6150/TB-BLĐTBXH của Bộ Lao động - Thương binh và Xã hội"
REF_2026_NEW_YEAR = "Công văn 12729/VPCP-KGVX của Văn phòng Chính phủ (Tết Dương lịch 2026)"
REF_2026_NEW_YEAR_DATE = date(2025, 12, 25)

# The official schedule as seeded: (date, kind, reference, reference date, note).
OVERRIDES: list[tuple[date, str, str, date | None, str]] = [
    (date(2024, 4, 29), "off", REF_2024, REF_2024_DATE, "Nghỉ thứ Hai 29/4/2024, làm bù 4/5"),
    (date(2024, 5, 4), "working", REF_2024, REF_2024_DATE, "Làm bù cho thứ Hai 29/4/2024"),
    *(
        (date(2025, 1, day), "off", REF_2025_TET, REF_2025_TET_DATE, "Nghỉ Tết Ất Tỵ")
        for day in range(27, 32)
    ),
    (date(2025, 4, 26), "working", REF_2025_SWAP, None, "Làm bù cho thứ Sáu 2/5/2025"),
    (date(2025, 5, 2), "off", REF_2025_SWAP, None, "Nghỉ thứ Sáu 2/5/2025, làm bù 26/4"),
    (
        date(2026, 1, 2),
        "off",
        REF_2026_NEW_YEAR,
        REF_2026_NEW_YEAR_DATE,
        "Nghỉ thứ Sáu 2/1/2026, làm bù thứ Bảy 10/1",
    ),
    (
        date(2026, 1, 10),
        "working",
        REF_2026_NEW_YEAR,
        REF_2026_NEW_YEAR_DATE,
        "Làm bù cho thứ Sáu 2/1/2026",
    ),
    (
        date(2026, 8, 22),
        "working",
        "",
        None,
        "Làm bù cho thứ Hai 31/8/2026 (theo lịch của gói holidays; cần văn bản)",
    ),
    (
        date(2026, 8, 31),
        "off",
        "",
        None,
        "Nghỉ thứ Hai 31/8/2026, làm bù thứ Bảy 22/8 (theo lịch của gói holidays; cần văn bản)",
    ),
]

# What 0003 seeded, to recognise rows no operator has touched.
SEEDED_BY_0003 = {
    date(2024, 4, 29): "Công văn 2450/VPCP-KGVX ngày 12/4/2024 của Văn phòng Chính phủ",
    date(2024, 5, 4): "Công văn 2450/VPCP-KGVX ngày 12/4/2024 của Văn phòng Chính phủ",
    date(2025, 4, 26): "Thông báo 6150/TB-LĐTBXH ngày 14/11/2024 của Bộ Lao động - Thương binh "
    "và Xã hội",
    date(2025, 5, 2): "Thông báo 6150/TB-LĐTBXH ngày 14/11/2024 của Bộ Lao động - Thương binh "
    "và Xã hội",
    date(2026, 1, 2): "Công văn 12729/VPCP-KGVX của Văn phòng Chính phủ (Tết Dương lịch 2026)",
    date(2026, 1, 10): "Công văn 12729/VPCP-KGVX của Văn phòng Chính phủ (Tết Dương lịch 2026)",
    date(2026, 8, 22): "Lịch nghỉ Quốc khánh 2026 đối với cán bộ, công chức, viên chức (hoán đổi "
    "thứ Hai 31/8 sang thứ Bảy 22/8/2026)",
    date(2026, 8, 31): "Lịch nghỉ Quốc khánh 2026 đối với cán bộ, công chức, viên chức (hoán đổi "
    "thứ Hai 31/8 sang thứ Bảy 22/8/2026)",
}


def correct(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    CalendarOverride = apps.get_model("workdays", "CalendarOverride")
    for day, kind, reference, issued, note in OVERRIDES:
        row = CalendarOverride.objects.filter(date=day).first()
        values = {
            "kind": kind,
            "legal_reference": reference,
            "legal_reference_date": issued,
            "note": note,
        }
        if row is None:
            CalendarOverride.objects.create(date=day, **values)
        elif row.legal_reference == SEEDED_BY_0003.get(day):
            CalendarOverride.objects.filter(pk=row.pk).update(**values)


def uncorrect(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    CalendarOverride = apps.get_model("workdays", "CalendarOverride")
    for day, _kind, reference, _issued, _note in OVERRIDES:
        rows = CalendarOverride.objects.filter(date=day, legal_reference=reference)
        if day in SEEDED_BY_0003:
            rows.update(legal_reference=SEEDED_BY_0003[day])
        else:
            rows.delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0003_seed_official_overrides")]

    operations = [
        migrations.AlterField(
            model_name="calendaroverride",
            name="legal_reference",
            field=models.CharField(blank=True, max_length=255, verbose_name="căn cứ"),
        ),
        migrations.AddField(
            model_name="calendaroverride",
            name="legal_reference_date",
            field=models.DateField(blank=True, null=True, verbose_name="ngày ban hành căn cứ"),
        ),
        migrations.RunPython(correct, uncorrect),
    ]
