"""``{% fee_panel dossier "staff" %}`` / ``"citizen"``: the dossier's fee, its payments and what
the person looking may do about them (the staff dossier page, the citizen's page)."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.dossiers.rules import PaymentAction, payment_refusal
from motcua.fees.compute import EXEMPTIONS
from motcua.fees.platforms import platform_get
from motcua.fees.queries import dossier_fee_summary

register = template.Library()


@register.inclusion_tag("fees/_panel.html", takes_context=True)
def fee_panel(context: dict[str, Any], dossier: Any, audience: str) -> dict[str, Any]:
    request = context["request"]
    summary = dossier_fee_summary(dossier)
    owed = bool(summary and summary["outstanding"] > 0)
    staff = audience == "staff"
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "dossier": dossier,
        "fee": summary,
        "staff": staff,
        "exemptions": [(key, str(label)) for key, label in EXEMPTIONS.items()],
        "can_collect": staff
        and owed
        and payment_refusal(request.user, dossier, PaymentAction.COLLECT_FEE) is None,
        "can_void": staff
        and payment_refusal(request.user, dossier, PaymentAction.COLLECT_FEE) is None,
        "can_pay_online": not staff
        and owed
        and dossier.procedure_version.online_payment
        and platform_get() is not None
        and payment_refusal(request.user, dossier, PaymentAction.PAY_ONLINE) is None,
    }
