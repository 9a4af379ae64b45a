"""API tokens in the admin: created here (the token is shown once), listed by prefix, revoked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.api.models import (
    DEFAULT_SCOPES,
    ApiToken,
    Scope,
    token_days_default,
    token_expires_default,
)
from motcua.api.tokens import api_token_create, api_token_limit, api_token_revoke


class ApiTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("phạm vi sử dụng"),
        choices=Scope.choices,
        initial=list(DEFAULT_SCOPES),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ApiToken
        fields = ["name", "user", "expires_at", "scopes", "agencies"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "expires_at" in self.fields:
            self.fields["expires_at"].required = False
            self.fields["expires_at"].help_text = _(
                "Để trống: %(days)s ngày kể từ bây giờ (MOTCUA_API_TOKEN_DAYS)."
            ) % {"days": token_days_default()}

    def clean_expires_at(self) -> dt.datetime:
        value: dt.datetime | None = self.cleaned_data.get("expires_at")
        if value is None:
            return token_expires_default()
        if self.instance.pk is None and value <= timezone.now():
            raise forms.ValidationError(_("Thời điểm hết hạn phải ở tương lai."))
        return value


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "prefix",
        "user",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    autocomplete_fields = ["user", "agencies"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            # The expiry is chosen at creation (default: MOTCUA_API_TOKEN_DAYS from now); a
            # token that must live longer is replaced by a new one, not extended.
            return ["name", "user", "expires_at", "scopes", "agencies"]
        return ["name", "user", "expires_at", "scopes", "agencies", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        # The user of an existing token cannot change: a token is issued to one account.
        return [*self.readonly_fields, "user", "expires_at"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # Through the service, so that the creation is audited like one from the command line.
        created, raw = api_token_create(
            user=obj.user,
            name=obj.name,
            actor=request.user,
            expires_at=obj.expires_at,
            scopes=form.cleaned_data["scopes"],
            agencies=list(form.cleaned_data["agencies"]),
        )
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

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The scopes and agencies through the service (audited); a new token has them already.
        if change:
            api_token_limit(
                token=form.instance,
                actor=request.user,
                scopes=form.cleaned_data["scopes"],
                agencies=list(form.cleaned_data["agencies"]),
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
