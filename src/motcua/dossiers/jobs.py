"""The dossiers' periodic jobs, found and run by ``motcua worker`` (``notify.worker``
imports the ``jobs`` module of every installed app). All are idempotent and take no
arguments, as ``register_job`` asks:

- ``dossiers_flag_overdue``: flag the online dossiers not accepted in time and the open
  ones past their due date, every 15 minutes (a flag is at most that late);
- ``dossiers_stop_expired_supplements``: stop the dossiers whose supplement did not come
  within the time allowed (ND 118/2025 Điều 19.5; form 05), hourly: the limit is a whole
  local day;
- ``dossiers_stop_unpaid``: stop the dossiers whose fee, owed before processing, was not
  paid by the last day (issue 17), daily: the limit is a whole local day, and the job
  stops nothing before the day after it, whenever in the day it runs;
- ``files_orphaned_set_aside``: move aside the stored files of transactions that never
  committed (a killed process), hourly (``archive.files``).

It also registers the outbox channel "postal" (pickup orders, ``postal_order_send``).
"""

from __future__ import annotations

from motcua.archive.files import files_orphaned_set_aside
from motcua.dossiers.postal_orders import postal_order_send
from motcua.dossiers.services.scans import (
    dossiers_flag_overdue,
    dossiers_stop_expired_supplements,
    dossiers_stop_unpaid,
)
from motcua.notify.models import Channel
from motcua.notify.worker import register_channel, register_job

register_job("dossiers_flag_overdue", 15 * 60, dossiers_flag_overdue)
register_job("dossiers_stop_expired_supplements", 60 * 60, dossiers_stop_expired_supplements)
register_job("dossiers_stop_unpaid", 24 * 60 * 60, dossiers_stop_unpaid)
register_job("files_orphaned_set_aside", 60 * 60, files_orphaned_set_aside)

# Pickup orders to the postal service go through the outbox (dossiers.postal_orders).
register_channel(Channel.POSTAL, postal_order_send)
