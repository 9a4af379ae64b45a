"""Admin: kiosk devices are managed here (create, revoke); ratings and PAKN are read-only,
since every change goes through ``feedback.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.feedback.models import Feedback, KioskDevice, KioskRating, Rating


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = [
        "dossier",
        "rubric",
        "points",
        "max_points",
        "negative",
        "channel",
        "created_at",
    ]
    list_filter = ["rubric", "channel", "negative"]


@admin.register(KioskRating)
class KioskRatingAdmin(ReadOnly):
    list_display = ["clerk", "score", "at"]
    list_filter = ["score"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnly):
    list_display = ["code", "title", "status", "agency", "due_at"]
    list_filter = ["status", "kind"]
    search_fields = ["code"]


@admin.register(KioskDevice)
class KioskDeviceAdmin(admin.ModelAdmin):
    list_display = ["label", "clerk", "active", "created_at"]
    readonly_fields = ["token"]

    def save_model(self, request: HttpRequest, obj: KioskDevice, form: Any, change: bool) -> None:
        if not obj.token:
            import secrets

            obj.token = secrets.token_urlsafe(24)
        super().save_model(request, obj, form, change)
