"""Writes to the calendar override table; each one invalidates the cached calendar and, once
committed, sends ``calendar_changed`` (instants kept by other apps on the legal clock, such as
a dossier's step budget, are computed again by their receivers)."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.dispatch import Signal

from motcua.workdays.calendar import invalidate_calendar
from motcua.workdays.models import CalendarOverride, OverrideKind

# Sent after a committed change of the override table (no arguments but ``sender``).
calendar_changed = Signal()


def _changed() -> None:
    invalidate_calendar()
    calendar_changed.send(sender=CalendarOverride)


def calendar_override_save(
    *,
    day: date,
    kind: str,
    legal_reference: str,
    note: str = "",
    legal_reference_date: date | None = None,
) -> CalendarOverride:
    """Create or replace the override of ``day`` (one per date), with the legal text that
    decides it (number and issuer in ``legal_reference``, its date in
    ``legal_reference_date``)."""
    if kind not in OverrideKind.values:
        raise ValueError(f"loại ngày không hợp lệ: {kind!r}")
    if not legal_reference.strip():
        raise ValueError("cần ghi căn cứ pháp lý của ngày điều chỉnh")
    with transaction.atomic():
        override, _ = CalendarOverride.objects.update_or_create(
            date=day,
            defaults={
                "kind": kind,
                "legal_reference": legal_reference.strip(),
                "legal_reference_date": legal_reference_date,
                "note": note,
            },
        )
        transaction.on_commit(_changed)
    invalidate_calendar()
    return override


def calendar_override_delete(*, override: CalendarOverride) -> None:
    with transaction.atomic():
        override.delete()
        transaction.on_commit(_changed)
    invalidate_calendar()
