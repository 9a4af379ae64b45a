"""The API's periodic job, found and run by ``motcua worker`` (``notify.worker`` imports the
``jobs`` module of every installed app):

- ``idempotency_keys_expire``: delete the ``Idempotency-Key`` answers older than 24 hours
  (``api.idempotency``), hourly.
"""

from __future__ import annotations

from motcua.api.idempotency import idempotency_keys_expire
from motcua.notify.worker import register_job

register_job("idempotency_keys_expire", 60 * 60, idempotency_keys_expire)
