"""Queueing a dossier's status for the national portal: a listener of every dossier event
(``dossiers.listeners``, registered in ``IntegrationsConfig.ready``), run inside the event's
transaction, so a rolled-back change queues nothing."""

from __future__ import annotations

from django.conf import settings

from motcua.dossiers.models import DossierEvent
from motcua.integrations.models import SOURCE, PortalPush, StatusMapping


def portal_sync_enabled() -> bool:
    return bool(settings.MOTCUA.get("NATIONAL_PORTAL", ""))


def portal_push_queue(event: DossierEvent) -> PortalPush | None:
    """Queue ``event``'s portal status when the dossier is synchronised and the event's kind
    is mapped to one (``StatusMapping``); otherwise nothing.

    Synchronised: a dossier that came from the portal, or every dossier when the province
    synchronises all (``MOTCUA_NATIONAL_PORTAL_SYNC_ALL``, QĐ 766 "dossiers synchronised")."""
    if not portal_sync_enabled():
        return None
    dossier = event.dossier
    if dossier.external_source != SOURCE and not settings.MOTCUA.get("NATIONAL_PORTAL_SYNC_ALL"):
        return None
    portal_status = (
        StatusMapping.objects.filter(event_type=event.type)
        .values_list("portal_status", flat=True)
        .first()
    )
    if portal_status is None:
        return None
    return PortalPush.objects.create(dossier=dossier, event=event, portal_status=portal_status)
