"""Fees in the admin: read only. Fee rules are written by ``motcua import fees``, payments and
receipts by ``fees.services`` (audited); the admin shows them, the callback log included."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.fees.models import FeeRule, Payment, PaymentCallback


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeeRule)
class FeeRuleAdmin(_ReadOnly):
    list_display = ["procedure", "version_from", "position", "kind", "label", "amount", "per"]
    list_filter = ["kind"]
    search_fields = ["procedure__code", "label"]


@admin.register(Payment)
class PaymentAdmin(_ReadOnly):
    list_display = ["__str__", "dossier", "agency", "method", "amount", "status", "paid_at"]
    list_filter = ["method", "status"]
    search_fields = ["dossier__code", "order_id", "payer"]


@admin.register(PaymentCallback)
class PaymentCallbackAdmin(_ReadOnly):
    list_display = ["received_at", "order_id", "outcome", "reason"]
    list_filter = ["outcome", "reason"]
    search_fields = ["order_id"]
