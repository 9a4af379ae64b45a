"""The archive's periodic job, found and run by ``motcua worker`` (``notify.worker`` imports
the ``jobs`` module of every installed app):

- ``held_uploads_expire``: delete the uploads held for a failed form that nobody came back
  for within a day (``archive.services.HELD_FOR``), hourly.
"""

from __future__ import annotations

from motcua.archive.services import held_uploads_expire
from motcua.notify.worker import register_job

register_job("held_uploads_expire", 60 * 60, held_uploads_expire)
