"""Background work of the rollup, run by ``motcua worker``: the monthly balance checkpoints
follow the calendar (``rollup.services.rollup_balances_extend``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from motcua.dossiers.classify import LOCAL
from motcua.notify.worker import register_job


def rollup_balances_tick() -> None:
    """Make this month's checkpoint a day after it began (a no-op the rest of the month):
    by then no change of the month before is still uncommitted (the write path appends
    without a lock, ``rollup.services``)."""
    from motcua.rollup.services import rollup_balances_extend

    rollup_balances_extend(timezone.now().astimezone(LOCAL).date() - dt.timedelta(days=1))


def rollup_compact_tick() -> None:
    from motcua.rollup.services import rollup_compact

    rollup_compact()


# Hourly: the first hour of a month's second day makes its checkpoint; until then a period
# starting this month reads last month's checkpoint and one month of rows more.
register_job("rollup_balances", 3600, rollup_balances_tick)
# Every ten minutes: the changes appended since are folded into one row per key.
register_job("rollup_compact", 600, rollup_compact_tick)
