"""Writes of the reports app: the period reports leaders ask for from the dashboard, and
the worker's job that makes them (``reports.jobs``).

The scope of a report comes from the user's profile, never from the request: the agency they
lead (a unit counts as its agency), whose figures are those of their dashboard
(``reports.period.scope_q``: a department's are the dossiers it decides; a service centre's,
those it received too); the provincial office the whole province. Until issue 11 a service
centre's manager got the report of the people's committee the centre serves, whose numbers
were not the ones on their dashboard.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.agencies.letterheads import letterhead_for
from motcua.agencies.models import Agency
from motcua.agencies.queries import scope_root
from motcua.core.access import staff_profile
from motcua.core.audit import audit_log
from motcua.dossiers.scope import LEADER_ROLES, READ_ALL_ROLES
from motcua.reports.cli import render_document
from motcua.reports.models import ReportFormat, ReportRequest, ReportStatus
from motcua.reports.queries import ReportError, period_figures

logger = logging.getLogger(__name__)

AnyUser = AbstractBaseUser | AnonymousUser

# A request taken by a worker that died is taken again after this long.
RUNNING_LEASE = dt.timedelta(minutes=30)


class ReportRefused(ValueError):
    """The user may not have this report (message in Vietnamese)."""


@dataclass(frozen=True)
class ReportScope:
    agency: Agency | None  # None: the whole province
    name: str


def report_scope(user: AnyUser, roles: Collection[str] = LEADER_ROLES) -> ReportScope | None:
    """The scope of the period report ``user`` may download; None if they may not (not of
    ``roles``: the fees collected add the accountant, issue 17)."""
    profile = staff_profile(user)
    if profile is None or profile.role not in roles:
        return None
    if profile.role in READ_ALL_ROLES:
        return ReportScope(None, _("Toàn tỉnh"))
    root = scope_root(profile.agency)
    # Named as the agency's documents of today print it (its letterhead of the date).
    return ReportScope(root, letterhead_for(root, timezone.localdate()).unit)


def report_request_create(
    *,
    actor: AnyUser,
    date_from: dt.date,
    date_to: dt.date,
    fmt: str,
    ip: str | None = None,
) -> ReportRequest:
    """Ask for the period report of the actor's scope; made by ``motcua worker``. The same
    report already asked for and not failed is returned instead of a second one."""
    scope = report_scope(actor)
    if scope is None:
        raise ReportRefused(_("Tài khoản này không được lập báo cáo kỳ."))
    if fmt not in ReportFormat.values:
        raise ReportRefused(_("Định dạng báo cáo không hợp lệ."))
    if date_to < date_from:
        raise ReportRefused(_("Kỳ báo cáo không hợp lệ: ngày kết thúc trước ngày bắt đầu."))
    assert isinstance(actor, User)
    with transaction.atomic():
        waiting = ReportRequest.objects.filter(
            requested_by=actor,
            agency=scope.agency,
            date_from=date_from,
            date_to=date_to,
            fmt=fmt,
            status__in=[ReportStatus.PENDING, ReportStatus.RUNNING],
        ).first()
        if waiting is not None:
            return waiting
        request = ReportRequest.objects.create(
            requested_by=actor,
            agency=scope.agency,
            date_from=date_from,
            date_to=date_to,
            fmt=fmt,
        )
        audit_log(
            actor=actor,
            action="report.request",
            object_type="report",
            object_id=request.pk,
            data={
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "agency": scope.agency.code if scope.agency else None,
                "fmt": fmt,
            },
            ip=ip,
        )
    return request


def _take_next() -> ReportRequest | None:
    """Claim the oldest waiting request (a conditional update: two workers never take the
    same one), or one whose worker died."""
    now = timezone.now()
    stale = now - RUNNING_LEASE
    candidates = ReportRequest.objects.filter(status=ReportStatus.PENDING) | (
        ReportRequest.objects.filter(status=ReportStatus.RUNNING, started_at__lt=stale)
    )
    for pk in candidates.order_by("created_at", "id").values_list("pk", flat=True)[:5]:
        taken = (
            ReportRequest.objects.filter(pk=pk)
            .filter(status__in=[ReportStatus.PENDING, ReportStatus.RUNNING])
            .exclude(status=ReportStatus.RUNNING, started_at__gte=stale)
            .update(status=ReportStatus.RUNNING, started_at=now)
        )
        if taken:
            return ReportRequest.objects.select_related("agency").get(pk=pk)
    return None


def report_request_make(request: ReportRequest) -> ReportRequest:
    """Make the document of a claimed request and store it (or the error)."""
    try:
        figures = period_figures(
            date_from=request.date_from, date_to=request.date_to, agency=request.agency
        )
        data = render_document(figures, request.fmt)
        if data is None:
            raise ReportError(f"no renderer for {request.fmt}")
    except Exception as exc:
        logger.exception("report request %s failed", request.pk)
        request.status = ReportStatus.FAILED
        request.error = f"{type(exc).__name__}: {exc}"[:2000]
        request.finished_at = timezone.now()
        request.save(update_fields=["status", "error", "finished_at"])
        return request
    scope = request.agency.code if request.agency else "toan-tinh"
    name = f"bao-cao-{scope}-{request.date_from:%Y%m%d}-{request.date_to:%Y%m%d}.{request.fmt}"
    request.file.save(name, ContentFile(data), save=False)
    request.status = ReportStatus.DONE
    request.finished_at = timezone.now()
    request.save(update_fields=["file", "status", "finished_at"])
    return request


def report_requests_make(*, limit: int = 1) -> int:
    """The worker's job: make up to ``limit`` waiting reports, oldest first (one per round by
    default, so that the outbox is not held up for long); returns how many."""
    made = 0
    while made < limit:
        request = _take_next()
        if request is None:
            break
        report_request_make(request)
        made += 1
    return made
