"""The periodic jobs of the whole system, run by `motcua worker`.

The worker imports the ``jobs`` module of every installed app (``worker.jobs_discover``);
an app adds a job with ``register_job(name, every_seconds, func)`` at import time. The
dossier deadlines are registered here because the services that do the work live in
``dossiers.services``, and this module only schedules them:

- ``dossiers_flag_overdue()``: mark open dossiers whose due date has passed (every 15 min);
- ``dossiers_stop_expired_supplements()``: close dossiers whose supplement did not arrive
  within 15 days (ND 118 Điều 19.5), hourly.

Each is registered only if ``dossiers.services`` defines it, so that this module works
before and after that code exists. Both must be idempotent (a job may run again after a
crash) and take no arguments.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from motcua.notify.worker import register_job

DOSSIER_JOBS = {
    "dossiers_flag_overdue": 15 * 60,
    "dossiers_stop_expired_supplements": 60 * 60,
}


def _dossier_services() -> ModuleType | None:
    try:
        return importlib.import_module("motcua.dossiers.services")
    except ModuleNotFoundError as exc:
        if exc.name != "motcua.dossiers.services":
            raise
        return None


_services = _dossier_services()
for _name, _every in DOSSIER_JOBS.items():
    _func = getattr(_services, _name, None)
    if callable(_func):
        register_job(_name, _every, _func)
