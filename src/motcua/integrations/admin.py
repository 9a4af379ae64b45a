"""The national portal in the admin: the editable status mapping, and the sync log (read
only) with a "send again" action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.integrations.models import PortalPush, PullCheckpoint, PullFailure, StatusMapping
from motcua.integrations.services import (
    portal_pull_failures_retry,
    portal_push_resend,
    status_mapping_set,
)


@admin.register(StatusMapping)
class StatusMappingAdmin(admin.ModelAdmin):
    list_display = ["event_type", "portal_status"]
    list_editable = ["portal_status"]
    fields = ["event_type", "portal_status"]
    readonly_fields = ["event_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one row per kind of event, from the migration

    def has_delete_permission(self, request: HttpRequest, obj: StatusMapping | None = None) -> bool:
        return False  # "not sent" is an empty status, not a missing row

    def save_model(self, request: HttpRequest, obj: StatusMapping, form: Any, change: bool) -> None:
        status_mapping_set(mapping=obj, portal_status=obj.portal_status, actor=request.user)


@admin.register(PortalPush)
class PortalPushAdmin(admin.ModelAdmin):
    list_display = [
        "dossier",
        "portal_status",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "portal_status", "created_at"]
    search_fields = ["dossier__code", "dossier__external_ref"]
    list_select_related = ["dossier"]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PortalPush | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PortalPush | None = None) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("integrations.change_portalpush")

    @admin.action(description=_("Gửi lại lên Cổng DVCQG"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[PortalPush]) -> None:
        count = portal_push_resend(pushes=queryset.select_related("dossier"), actor=request.user)
        self.message_user(
            request,
            ngettext(
                "Đã đưa %(count)d trạng thái vào hàng đợi gửi lại.",
                "Đã đưa %(count)d trạng thái vào hàng đợi gửi lại.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(PullCheckpoint)
class PullCheckpointAdmin(admin.ModelAdmin):
    list_display = ["source", "since", "last_run_at"]
    readonly_fields = ["source", "last_run_at", "last_report"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PullFailure)
class PullFailureAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "submitted_at",
        "status",
        "attempts",
        "last_error",
        "last_failed_at",
        "resolved_at",
    ]
    list_filter = ["status", "last_failed_at"]
    search_fields = ["code"]
    actions = ["repull"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PullFailure | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PullFailure | None = None) -> bool:
        return False

    def has_repull_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("integrations.change_pullcheckpoint")

    @admin.action(description=_("Lấy lại từ Cổng DVCQG"), permissions=["repull"])
    def repull(self, request: HttpRequest, queryset: QuerySet[PullFailure]) -> None:
        count = portal_pull_failures_retry(failures=queryset, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "Đã đưa %(count)d hồ sơ vào lần lấy tới.",
                "Đã đưa %(count)d hồ sơ vào lần lấy tới.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
