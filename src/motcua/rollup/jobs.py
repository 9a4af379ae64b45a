"""Background work of the rollup, run by ``motcua worker``: the monthly balance checkpoints
follow the calendar (``rollup.services.rollup_balances_extend``)."""

from __future__ import annotations

from django.utils import timezone

from motcua.dossiers.classify import LOCAL
from motcua.notify.worker import register_job


def rollup_balances_tick() -> None:
    """Make this month's checkpoint once it has begun (a no-op the rest of the month)."""
    from motcua.rollup.services import rollup_balances_extend

    rollup_balances_extend(timezone.now().astimezone(LOCAL).date())


# Hourly: the first hour of a month makes its checkpoint; until then a period starting this
# month reads last month's checkpoint and one month of rows more.
register_job("rollup_balances", 3600, rollup_balances_tick)
