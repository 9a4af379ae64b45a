from django.contrib import admin

from motcua.archive.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: a stored document changes only through the services (a new row, never an
    edit of a kept one)."""

    list_display = ["name", "kind", "origin", "holder_id_number", "dossier", "created_at"]
    list_filter = ["kind", "origin", "signature_status"]
    search_fields = ["name", "code", "holder_id_number", "sha256", "dossier__code"]
    raw_id_fields = ["owner", "dossier", "dossier_part", "source", "created_by", "issuer_agency"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
