"""Reads of dossiers worth naming, and the one access function (domain.md §12).

``dossier_for`` is how every view, the API and the portal get a dossier: staff see the
dossiers of their agency's subtree (and what their service center received), citizens their
own; everyone else, and anything that does not exist, get the same ``DossierNotFound`` (a
``Dossier.DoesNotExist`` and an ``Http404``), so a code's existence is not revealed. Every
staff read is audited.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from motcua.core.audit import audit_log
from motcua.core.people import person_name
from motcua.dossiers.classify import payment_last_day, supplement_last_day
from motcua.dossiers.models import Dossier, DossierEvent, DossierPart, EventType, Status
from motcua.dossiers.scope import StaffScope, as_scope, can_write, dossier_scope_q

AnyUser = AbstractBaseUser | AnonymousUser


class DossierNotFound(Dossier.DoesNotExist, Http404):
    """Missing or not yours: the same answer from outside."""


def _staff_q(scope: StaffScope) -> Q | None:
    """The staff scope as a ``Q``, or None when the user is not staff."""
    if not scope.is_staff:
        return None
    return dossier_scope_q(scope)


def dossiers_visible_to(user: AnyUser, *, scope: StaffScope | None = None) -> QuerySet[Dossier]:
    """Every dossier ``user`` may read: the staff scope for staff, their own for a citizen,
    none for anonymous users. Being a superuser gives nothing more: administrators manage
    accounts and the catalogue, and see applicants' personal data only through a staff role
    (domain.md §12). ``scope``: the user's, when the caller has it (``request.scope``)."""
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    staff = _staff_q(scope if scope is not None else as_scope(user))
    if staff is not None:
        return Dossier.objects.filter(staff)
    return Dossier.objects.filter(owner_id=user.pk)


def dossier_for(
    user: AnyUser, code: str, *, write: bool = False, scope: StaffScope | None = None
) -> Dossier:
    """The dossier ``code`` if ``user`` may read it (or change it, with ``write``).

    Raises ``DossierNotFound`` for a dossier that does not exist and for one the user may not
    see alike. A staff member's read is written to the audit trail (action ``read``), a
    refused one too (``read.denied``); the client address comes from the request being served
    (``core.audit.request_ip``). ``scope``: the user's, when the caller has it."""
    if not user.is_authenticated or not user.is_active:
        raise DossierNotFound(code)
    scope = scope if scope is not None else as_scope(user)
    # No superuser shortcut: see ``dossiers_visible_to``.
    staff = _staff_q(scope)
    if staff is not None:
        queryset = Dossier.objects.filter(staff)
    else:
        queryset = Dossier.objects.filter(owner_id=user.pk)
    dossier = (
        # What every page of a dossier shows beside it (the procedure's code and name, the
        # agencies): read in the same query.
        queryset.select_related("procedure_version__procedure", "agency", "receiving_unit")
        .filter(code=code)
        .first()
    )
    denied = dossier is None or (write and staff is not None and not can_write(scope, dossier))
    if denied:
        if staff is not None:
            # The auditor sees attempts on dossiers outside one's scope (and guessed codes);
            # the person gets the same 404 either way.
            audit_log(
                actor=user,
                action="read.denied",
                object_type="dossier",
                object_id=code[:100],
                data={"write": write, "exists": Dossier.objects.filter(code=code).exists()},
            )
        raise DossierNotFound(code)
    assert dossier is not None
    if staff is not None:
        audit_log(
            actor=user,
            action="read",
            object_type="dossier",
            object_id=dossier.code,
            data={"write": write},
        )
    return dossier


_NOT_IN_CODE = re.compile(r"\s+")
_DASHES = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
)


def dossier_code_forms(code: str) -> tuple[str, str]:
    """The two spellings a typed dossier code is looked up by: as typed and upper-cased,
    both without spaces and with any dash as "-".

    Codes the system allocates are upper-case (``<agency code>-<YYMMDD>-<NNNN>``), so
    "000.00.19.h18 - 260105-0001" finds "000.00.19.H18-260105-0001"; an imported code
    keeps its own case and is still found when typed exactly."""
    typed = _NOT_IN_CODE.sub("", code or "").translate(_DASHES)[:64]
    return typed, typed.upper()


def dossier_lookup(code: str, secret: str) -> Dossier:
    """The public lookup: the code (any case and spacing) and the secret on the receipt."""
    dossier = Dossier.objects.filter(code__in=dossier_code_forms(code)).order_by("-code").first()
    if dossier is None or not _same(dossier.secret, secret.strip().upper()):
        raise DossierNotFound(code)
    return dossier


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


@dataclass(frozen=True)
class SupplementSent:
    """What the applicant sent online in answer to a supplement request (one event)."""

    at: dt.datetime
    note: str
    parts: list[DossierPart]


@dataclass(frozen=True)
class SupplementRequest:
    """The supplement a dossier waits for: what was asked, why, when, until which day, and
    what the applicant has sent online since (for the citizen's page and the staff page)."""

    at: dt.datetime
    items: list[str]
    reason: str
    last_day: dt.date
    sent: list[SupplementSent]


def supplement_request(dossier: Dossier) -> SupplementRequest | None:
    """The open supplement request of ``dossier`` (None unless it waits for a supplement)."""
    if dossier.status != Status.SUPPLEMENT_REQUESTED:
        return None
    request = (
        DossierEvent.objects.filter(dossier=dossier, type=EventType.SUPPLEMENT_REQUESTED)
        .order_by("-at", "-pk")
        .first()
    )
    if request is None:
        return None
    requested_at = dossier.supplement_requested_at or request.at
    events = list(
        DossierEvent.objects.filter(
            dossier=dossier, type=EventType.SUPPLEMENT_SUBMITTED, at__gte=request.at
        ).order_by("at", "pk")
    )
    ids = [pk for e in events for pk in e.data.get("part_ids", []) if isinstance(pk, int)]
    parts = {p.pk: p for p in DossierPart.objects.filter(pk__in=ids).prefetch_related("documents")}
    data = request.data or {}
    return SupplementRequest(
        at=requested_at,
        items=[str(i) for i in data.get("items") or [] if str(i).strip()],
        reason=str(data.get("reason") or ""),
        last_day=supplement_last_day(requested_at),
        sent=[
            SupplementSent(
                at=e.at,
                note=str(e.data.get("note") or ""),
                parts=[parts[pk] for pk in e.data.get("part_ids", []) if pk in parts],
            )
            for e in events
        ],
    )


def event_item(event: DossierEvent) -> dict[str, Any]:
    """An event as the API's events feed lists it and a webhook delivers it: one shape for
    both, so that a partner reads the two alike (``dossier`` and ``actor`` are read)."""
    return {
        "id": event.pk,
        "dossier": event.dossier.code,
        "type": event.type,
        "label": str(event.get_type_display()),
        "at": event.at,
        "actor": event.actor_label or (person_name(event.actor) if event.actor else ""),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "data": event.data,
        # The calling system, when the change came through the API with a token.
        "via": event.via,
    }


def dossier_pay_by(dossier: Dossier) -> dt.date | None:
    """The last day to pay a fee owed before processing, as the applicant was told when the
    dossier was received (the ``PAYMENT_REQUESTED`` event's ``pay_by``): lowering
    ``MOTCUA_PAYMENT_WAIT_DAYS`` later never stops a dossier before its told day, raising it
    never moves that day. A dossier received before the day was stored: from its receipt.
    None for one never received."""
    told = (
        DossierEvent.objects.filter(dossier_id=dossier.pk, type=EventType.PAYMENT_REQUESTED)
        .order_by("-at", "-id")
        .values_list("data", flat=True)
        .first()
    )
    if isinstance(told, dict) and told.get("pay_by"):
        try:
            return dt.date.fromisoformat(str(told["pay_by"]))
        except ValueError:
            pass
    return payment_last_day(dossier.received_at) if dossier.received_at else None
