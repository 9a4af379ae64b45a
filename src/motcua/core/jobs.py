"""The core app's periodic job, run by ``motcua worker`` (``notify.worker``):

- ``partitions_ensure``: daily, give the tables partitioned by year (``core.partitions``)
  their partition for the coming year well before it starts; idempotent, nothing on SQLite.
"""

from __future__ import annotations

from motcua.core.partitions import partitions_ensure
from motcua.notify.worker import register_job

register_job("partitions_ensure", 24 * 60 * 60, partitions_ensure)
