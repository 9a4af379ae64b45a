"""The periodic scans of deadlines, run by the worker (``notify.jobs``)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from motcua.core.audit import audit_log
from motcua.dossiers.classify import local_date
from motcua.dossiers.errors import (
    TransitionError,
)
from motcua.dossiers.models import (
    Dossier,
    Flag,
    Status,
)
from motcua.dossiers.services.base import (
    _add_flag,
    _now,
    _save,
    _setting,
)
from motcua.dossiers.services.ends import dossier_stop

# --- scans for the worker ---------------------------------------------------------------------


def dossiers_stop_expired_supplements(now: dt.datetime | None = None) -> list[Dossier]:
    """Stop the dossiers whose supplement has not come within the time allowed (form 05).

    "15 days" are calendar days (the law says "ngày", not "ngày làm việc"); the whole 15th
    local day is allowed, so a request on 1/3 stops on 17/3."""
    now = now or _now()
    days = int(_setting("SUPPLEMENT_WAIT_DAYS", 15))
    today = local_date(now)
    stopped = []
    candidates = Dossier.objects.filter(
        status=Status.SUPPLEMENT_REQUESTED,
        supplement_requested_at__lt=now - dt.timedelta(days=days),
    ).only("pk", "supplement_requested_at")
    for dossier in candidates:
        assert dossier.supplement_requested_at is not None
        if (today - local_date(dossier.supplement_requested_at)).days <= days:
            continue
        try:
            stopped.append(
                dossier_stop(
                    dossier=dossier,
                    actor="system",
                    reason=str(
                        _("Không nhận được hồ sơ bổ sung trong thời hạn %(days)s ngày")
                        % {"days": days}
                    ),
                )
            )
        except TransitionError:
            continue  # supplemented or ended meanwhile: nothing to stop
    return stopped


def dossiers_flag_overdue(now: dt.datetime | None = None) -> int:
    """Flag online dossiers not accepted in time and open dossiers past their due date.

    Flags only (no status change): the scan of the worker; returns how many were flagged."""
    now = now or _now()
    count = 0
    targets = [
        (
            Dossier.objects.filter(status=Status.SUBMITTED, accept_by__lt=now),
            Flag.ACCEPTANCE_OVERDUE,
        ),
        (Dossier.objects.filter(status=Status.PROCESSING, due_at__lt=now), Flag.OVERDUE),
    ]
    for queryset, flag in targets:
        for pk in queryset.values_list("pk", flat=True):
            with transaction.atomic():
                locked = Dossier.objects.select_for_update().get(pk=pk)
                if flag.value in (locked.flags or []):
                    continue
                _add_flag(locked, flag)
                _save(locked, None, ["flags"])
                audit_log(
                    actor="system",
                    action="flag",
                    object_type="dossier",
                    object_id=locked.code,
                    data={"flag": flag.value},
                )
                count += 1
    return count
