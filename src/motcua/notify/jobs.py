"""The worker's own periodic job (``notify.worker`` imports every app's ``jobs``):

- ``partitions_ensure``: daily, give the tables partitioned by year (``core.partitions``:
  dossier events, audit trail, this outbox, webhook deliveries) their partition for the
  coming year well before it starts; idempotent, nothing on SQLite.
"""

from __future__ import annotations

from motcua.core.partitions import partitions_ensure
from motcua.notify.worker import register_job

register_job("partitions_ensure", 24 * 60 * 60, partitions_ensure)
