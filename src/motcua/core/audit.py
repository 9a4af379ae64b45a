"""Appending to the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

from motcua.core.models import AuditEvent

Actor = AbstractBaseUser | AnonymousUser | str | None


def actor_label(actor: Actor) -> str:
    """A readable name for whoever acted: a user, a system name such as ``import``, or none."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    if isinstance(actor, AnonymousUser) or not actor.is_authenticated:
        return "anonymous"
    return actor.get_username()


def audit_log(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | int,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one row to the audit trail and return it."""
    user = actor if isinstance(actor, User) and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        data=data or {},
        ip=ip,
    )
