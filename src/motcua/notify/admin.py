"""The outbox in the admin: read-only rows, filters, and a "send again" action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.notify.models import Message, PeriodicJob
from motcua.notify.services import messages_retry


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "channel",
        "recipient",
        "reference",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "channel", "kind", "created_at"]
    # A dossier's messages are found by its code: the reference is "dossier:<code>".
    search_fields = ["recipient", "reference", "subject"]
    date_hierarchy = "created_at"
    actions = ["retry"]

    # The outbox is a record of what was sent: no one edits or deletes it by hand.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("notify.change_message")

    @admin.action(description=_("Gửi lại các thông báo đã chọn"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = messages_retry(messages=queryset)
        self.message_user(
            request,
            ngettext(
                "Đã đưa %(count)d thông báo vào hàng đợi gửi lại.",
                "Đã đưa %(count)d thông báo vào hàng đợi gửi lại.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(PeriodicJob)
class PeriodicJobAdmin(admin.ModelAdmin):
    list_display = ["name", "next_run_at", "last_started_at", "last_finished_at", "last_error"]
    readonly_fields = ["name", "last_started_at", "last_finished_at", "last_error"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
