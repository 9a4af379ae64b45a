"""Reads of dossiers worth naming, and the one access function (domain.md §12).

``dossier_for`` is how every view, the API and the portal get a dossier: staff see the
dossiers of their agency's subtree (and what their service center received), citizens their
own; everyone else, and anything that does not exist, get the same ``DossierNotFound`` (a
``Dossier.DoesNotExist`` and an ``Http404``), so a code's existence is not revealed. Every
staff read is audited.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from motcua.core.audit import audit_log
from motcua.dossiers.models import Dossier
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


def dossier_lookup(code: str, secret: str) -> Dossier:
    """The public lookup: the code and the secret printed on the receipt, both exact."""
    dossier = Dossier.objects.filter(code=code.strip()).first()
    if dossier is None or not _same(dossier.secret, secret.strip().upper()):
        raise DossierNotFound(code)
    return dossier


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())
