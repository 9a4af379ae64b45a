from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.workdays.calendar import invalidate_calendar
from motcua.workdays.models import CalendarOverride
from motcua.workdays.services import calendar_override_delete, calendar_override_save


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "legal_reference", "note", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["legal_reference", "note"]
    date_hierarchy = "date"
    ordering = ["-date"]
    readonly_fields = ["updated_at"]

    def save_model(
        self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool
    ) -> None:
        if change and "date" in form.changed_data:
            # Moving an override to another date: the old date goes back to the default.
            old = CalendarOverride.objects.get(pk=obj.pk)
            calendar_override_delete(override=old)
        saved = calendar_override_save(
            day=obj.date, kind=obj.kind, legal_reference=obj.legal_reference, note=obj.note
        )
        obj.pk = saved.pk
        obj.updated_at = saved.updated_at

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar_override_delete(override=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        for obj in queryset:
            calendar_override_delete(override=obj)
        invalidate_calendar()
