from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from motcua.workdays.calendar import DayInfo, get_calendar, invalidate_calendar
from motcua.workdays.models import CalendarOverride
from motcua.workdays.references import reference_display
from motcua.workdays.services import calendar_override_delete, calendar_override_save


class ReferenceFilter(admin.SimpleListFilter):
    title = _("căn cứ")
    parameter_name = "can_cu"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("chua", _("chưa có căn cứ — cần xác nhận")), ("co", _("đã có căn cứ"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[CalendarOverride]
    ) -> QuerySet[CalendarOverride]:
        blank = Q(legal_reference="")
        if self.value() == "chua":
            return queryset.filter(blank)
        if self.value() == "co":
            return queryset.exclude(blank)
        return queryset


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "reference", "confirmed", "note", "updated_at"]
    list_filter = [ReferenceFilter, "kind"]
    search_fields = ["legal_reference", "note"]
    date_hierarchy = "date"
    ordering = ["-date"]
    readonly_fields = ["updated_at"]
    fields = ["date", "kind", "legal_reference", "legal_reference_date", "note", "updated_at"]

    @admin.display(description=_("căn cứ"), ordering="legal_reference")
    def reference(self, obj: CalendarOverride) -> str:
        if not obj.confirmed:
            return str(_("chưa có căn cứ — cần xác nhận"))
        return reference_display(obj.legal_reference, obj.legal_reference_date)

    @admin.display(description=_("đã xác nhận"), boolean=True)
    def confirmed(self, obj: CalendarOverride) -> bool:
        return obj.confirmed

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The days off and make-up days of this year and the next that have no reference
        # recorded, whether or not they have a row here (most come from the holidays package
        # alone): each links to an override form filled with its date and kind.
        year = date.today().year
        calendar = get_calendar()
        unconfirmed: list[DayInfo] = [
            info
            for y in (year, year + 1)
            for info in calendar.year_exceptions(y)
            if info.unconfirmed
        ]
        rows = dict(
            CalendarOverride.objects.filter(date__in=[i.day for i in unconfirmed]).values_list(
                "date", "pk"
            )
        )
        add = reverse("admin:workdays_calendaroverride_add")
        links = []
        for info in unconfirmed:
            if info.day in rows:
                url = reverse("admin:workdays_calendaroverride_change", args=[rows[info.day]])
            else:
                query = urlencode(
                    {
                        "date": info.day.isoformat(),
                        "kind": "working" if info.working else "off",
                        "note": info.label,
                    }
                )
                url = f"{add}?{query}"
            links.append((info, url))
        context = {**(extra_context or {}), "unconfirmed_days": links}
        return super().changelist_view(request, extra_context=context)

    def save_model(
        self, request: HttpRequest, obj: CalendarOverride, form: Any, change: bool
    ) -> None:
        if change and "date" in form.changed_data:
            # Moving an override to another date: the old date goes back to the default.
            old = CalendarOverride.objects.get(pk=obj.pk)
            calendar_override_delete(override=old)
        saved = calendar_override_save(
            day=obj.date,
            kind=obj.kind,
            legal_reference=obj.legal_reference,
            legal_reference_date=obj.legal_reference_date,
            note=obj.note,
        )
        obj.pk = saved.pk
        obj.updated_at = saved.updated_at

    def delete_model(self, request: HttpRequest, obj: CalendarOverride) -> None:
        calendar_override_delete(override=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarOverride]) -> None:
        for obj in queryset:
            calendar_override_delete(override=obj)
        invalidate_calendar()
