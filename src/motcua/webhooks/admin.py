"""Webhook subscriptions (created and changed through the services; the secret shown once)
and the delivery log (read-only, with a "send again" action)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.dossiers.models import EventType
from motcua.webhooks.models import ALL_KINDS, Delivery, Subscription
from motcua.webhooks.services import (
    webhook_deliveries_replay,
    webhook_subscription_create,
    webhook_subscription_update,
)


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("Địa chỉ nhận (URL)"), max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        label=_("Loại sự kiện"),
        choices=[(ALL_KINDS, _("Tất cả")), *EventType.choices],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Subscription
        fields = ["name", "url", "kinds", "agencies", "active"]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    filter_horizontal = ["agencies"]

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            webhook_subscription_update(
                subscription=obj,
                actor=request.user,
                name=data["name"],
                url=data["url"],
                kinds=data["kinds"],
                active=data["active"],
                agencies=list(data["agencies"]),
            )
            return
        created, secret = webhook_subscription_create(
            name=data["name"],
            url=data["url"],
            kinds=data["kinds"],
            agencies=list(data["agencies"]),
            actor=request.user,
        )
        if not data["active"]:
            webhook_subscription_update(
                subscription=created,
                actor=request.user,
                name=created.name,
                url=created.url,
                kinds=created.kinds,
                active=False,
                agencies=list(data["agencies"]),
            )
        obj.pk = created.pk
        self.message_user(
            request,
            _("Khóa ký của webhook (chỉ hiện lần này, hãy lưu lại): %(secret)s")
            % {"secret": secret},
            messages.WARNING,
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The services have set the agencies.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "subscription",
        "event_type",
        "dossier_code",
        "status",
        "attempts",
        "last_status_code",
        "last_duration_ms",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "subscription", "created_at"]
    list_select_related = ["subscription"]
    search_fields = ["payload__dossier"]
    date_hierarchy = "created_at"
    actions = ["replay"]
    readonly_fields = ["last_error", "payload"]

    @admin.display(description=_("sự kiện"))
    def event_type(self, obj: Delivery) -> str:
        return str(obj.payload.get("label") or obj.payload.get("type", ""))

    @admin.display(description=_("hồ sơ"))
    def dossier_code(self, obj: Delivery) -> str:
        return str(obj.payload.get("dossier", ""))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False

    def has_replay_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("webhooks.change_delivery")

    @admin.action(description=_("Gửi lại"), permissions=["replay"])
    def replay(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = webhook_deliveries_replay(deliveries=queryset, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "Đã đưa %(count)d lần gửi vào hàng đợi gửi lại.",
                "Đã đưa %(count)d lần gửi vào hàng đợi gửi lại.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
