"""What the admin shows of the dossiers' app: guidance contacts and code sequences, read-only.

Not the dossiers themselves: administrators manage accounts and the catalogue, not cases,
and see no applicant's personal data (domain.md §12); staff read dossiers in the staff
application, within their scope and audited. Nothing here writes: the services are the one
write path."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.dossiers.models import DossierSequence, Guidance


class ReadOnlyMixin:
    """No add, change or delete: status and deadline fields belong to dossiers.services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Guidance)
class GuidanceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "unit", "procedure_code"]
    list_filter = ["kind"]
    date_hierarchy = "at"


@admin.register(DossierSequence)
class DossierSequenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["agency", "day", "last"]
