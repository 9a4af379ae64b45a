"""The admin shows dossiers; it never changes them (the services are the one write path)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierPart,
    DossierSequence,
    Guidance,
    Handover,
)


class ReadOnlyMixin:
    """No add, change or delete: status and deadline fields belong to dossiers.services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = DossierEvent
    extra = 0
    fields = readonly_fields = ("at", "type", "actor_label", "from_status", "to_status", "data")
    verbose_name_plural = _("diễn biến")


class HandoverInline(ReadOnlyMixin, admin.TabularInline):
    model = Handover
    extra = 0
    fields = readonly_fields = (
        "position",
        "from_unit",
        "to_unit",
        "at",
        "giver",
        "receiver",
        "step_name",
        "budget_hours",
        "finished_at",
        "used_hours",
        "result",
    )


class PartInline(ReadOnlyMixin, admin.TabularInline):
    model = DossierPart
    extra = 0
    fields = readonly_fields = ("name", "kind", "copies", "reused")


@admin.register(Dossier)
class DossierAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "applicant_name",
        "agency",
        "channel",
        "status",
        "received_at",
        "due_at",
        "dossier_class",
    ]
    list_filter = ["status", "channel", "end_kind", "dossier_class", "level", "imported"]
    search_fields = ["code", "applicant_name"]
    date_hierarchy = "received_at"
    list_select_related = ["agency"]
    inlines = [PartInline, HandoverInline, EventInline]
    # The secret is left out: it is what protects the public lookup.
    exclude = ["secret"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Dossier._meta.fields if f.name != "secret"]


@admin.register(Guidance)
class GuidanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "unit", "procedure_code"]
    list_filter = ["kind"]
    date_hierarchy = "at"


@admin.register(DossierSequence)
class DossierSequenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agency", "day", "last"]
