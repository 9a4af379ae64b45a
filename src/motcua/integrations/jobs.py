"""The national portal's periodic jobs, run by ``motcua worker`` (no-ops without a portal)."""

from __future__ import annotations

from django.conf import settings

from motcua.integrations.queue import portal_sync_enabled
from motcua.notify.worker import register_job


def dvcqg_pull() -> None:
    from motcua.integrations.services import portal_pull

    if portal_sync_enabled():
        portal_pull()


def dvcqg_push() -> None:
    from motcua.integrations.services import portal_pushes_drain

    if portal_sync_enabled():
        portal_pushes_drain()


register_job("dvcqg_pull", float(settings.MOTCUA["NATIONAL_PORTAL_PULL_SECONDS"]), dvcqg_pull)
register_job("dvcqg_push", float(settings.MOTCUA["NATIONAL_PORTAL_PUSH_SECONDS"]), dvcqg_push)
