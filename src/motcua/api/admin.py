"""API tokens in the admin: created here (the token is shown once), listed by prefix, revoked."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from motcua.api.models import ApiToken
from motcua.api.tokens import api_token_create, api_token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ["name", "user"]
        return ["name", "user", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        # The user of an existing token cannot change: a token is issued to one account.
        return [*self.readonly_fields, "user"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, so that the creation is audited like one from the command line.
        created, raw = api_token_create(user=obj.user, name=obj.name, actor=request.user)
        obj.pk = created.pk
        obj.prefix, obj.key_hash, obj.created_at = (
            created.prefix,
            created.key_hash,
            created.created_at,
        )
        obj._state.adding = False
        messages.warning(
            request,
            _("Mã truy cập (chỉ hiển thị một lần, hãy lưu lại ngay): %(token)s") % {"token": raw},
        )

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # Revoke, do not delete: the audit trail refers to tokens by id.
        return False

    @admin.action(description=_("Thu hồi các mã truy cập đã chọn"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_revoke(token=token, actor=request.user)
            count += 1
        self.message_user(request, _("Đã thu hồi %(count)d mã truy cập.") % {"count": count})
