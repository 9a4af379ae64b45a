"""The national portal's two directions: pulling online submissions in, pushing statuses out.

- Pull (``portal_pull``): pages of submissions since the checkpoint, each created through
  ``dossier_submit`` with ``external_source="dvcqg"`` and the portal's code as
  ``external_ref``. The reference is unique, so a submission pulled twice is created once;
  the second time it counts as "already there". The checkpoint is inclusive and does not
  move past a submission that could not be created, so that one is tried again next time,
  for a few pulls (then it is skipped and waits in the sync log, ``PullFailure``, for a
  re-pull by hand).
- Push (``portal_pushes_send_due``): the rows ``queue.portal_push_queue`` wrote with each
  dossier event, sent in order per dossier (a dossier's later status waits while an earlier
  one is being retried), with the outbox's back-off (``notify.worker``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency
from motcua.catalog.models import Part
from motcua.catalog.queries import procedure_current_version
from motcua.core.audit import Actor, audit_log
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.errors import DossierError, DuplicateExternalRef
from motcua.dossiers.services import ExternalRef, PartFile, PartInput, dossier_submit
from motcua.dossiers.uploads import upload_check, upload_max_bytes
from motcua.integrations.dvcqg import (
    NationalPortal,
    PortalError,
    PortalRefused,
    RemoteSubmission,
    StatusUpdate,
    national_portal,
    parse_time,
    submission_parse,
)
from motcua.integrations.models import (
    SOURCE,
    PortalPush,
    PortalStatus,
    PullCheckpoint,
    PullFailure,
    PullFailureStatus,
    PushStatus,
    StatusMapping,
)
from motcua.integrations.queue import portal_sync_enabled
from motcua.notify.worker import retry_delay

logger = logging.getLogger(__name__)

# The actor named on the dossiers the pull creates and in the audit trail.
ACTOR = "dvcqg"
# Pages read in one pull at most (the rest comes next time, from the checkpoint).
MAX_PAGES = 100
PUSH_BATCH = 50
# Longer than any status request may take: then another sender may take the row over.
LEASE = dt.timedelta(minutes=5)


def _adapter(adapter: NationalPortal | None) -> NationalPortal:
    adapter = adapter or national_portal()
    if adapter is None:
        raise PortalError(_("Chưa cấu hình liên thông Cổng DVCQG (MOTCUA_NATIONAL_PORTAL)."))
    return adapter


# --- pull -------------------------------------------------------------------------------------


@dataclass
class PullReport:
    created: list[str] = field(default_factory=list)  # motcua's codes of the new dossiers
    existing: list[str] = field(default_factory=list)  # the portal's codes already here
    failed: dict[str, str] = field(default_factory=dict)  # the portal's code → why
    since: str | None = None  # the checkpoint after this pull


_APPLICANT_FIELDS = {f.name for f in fields(Applicant)}


def _part_inputs(
    adapter: NationalPortal, item: RemoteSubmission, parts: dict[int, Part]
) -> list[PartInput]:
    result = []
    for index, remote in enumerate(item.parts, start=1):
        part = parts.get(remote.position) if remote.position is not None else None
        if remote.position is not None and part is None:
            raise ValueError(
                _("Thủ tục không có thành phần hồ sơ thứ %(n)s.") % {"n": remote.position}
            )
        files: list[PartFile] = []
        if remote.url:
            # A file the portal cannot give (yet) makes the whole submission wait for the
            # next pull rather than be created without it.
            content = adapter.download(remote.url, max_bytes=upload_max_bytes())
            upload = SimpleUploadedFile(f"{item.code}-{index}", content)
            checked = upload_check(upload)
            files.append(PartFile(upload, checked.content_type, checked.sha256))
        result.append(
            PartInput(
                part=part,
                name=remote.name or (part.name if part else ""),
                kind=part.kind if part else "",
                copies=part.copies if part else 1,
                files=files,
            )
        )
    return result


def _submission_create(adapter: NationalPortal, item: RemoteSubmission) -> str:
    agency = None
    if item.agency:
        agency = Agency.objects.filter(code=item.agency).first()
        if agency is None:
            raise ValueError(_("Không có cơ quan mã %(code)s.") % {"code": item.agency})
    version = procedure_current_version(item.procedure, agency=agency)
    if version is None:
        raise ValueError(
            _("Không có thủ tục mã %(code)s đang có hiệu lực.") % {"code": item.procedure}
        )
    data = {k: v for k, v in item.applicant.items() if k in _APPLICANT_FIELDS}
    data.setdefault("kind", "citizen")
    data.setdefault("name", "")
    parts = {p.position: p for p in Part.objects.filter(version=version)}
    dossier = dossier_submit(
        procedure_version=version,
        applicant=Applicant(**data),
        actor=ACTOR,
        parts=_part_inputs(adapter, item, parts),
        external=ExternalRef(SOURCE, item.code),
    )
    return dossier.code


def pull_max_attempts() -> int:
    """``MOTCUA["NATIONAL_PORTAL_PULL_ATTEMPTS"]``: pulls that a failing submission holds the
    checkpoint for before it is skipped (default 5)."""
    return max(1, int(settings.MOTCUA.get("NATIONAL_PORTAL_PULL_ATTEMPTS", 5)))


def _raw_submitted_at(raw: object) -> dt.datetime | None:
    # A malformed item's time, when that much of it can be read.
    try:
        return parse_time(str(raw["submitted_at"]))  # type: ignore[index]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _failure_record(
    *, code: str, submitted_at: dt.datetime | None, since: dt.datetime | None, error: str
) -> PullFailure:
    """Count one more failure of ``code`` in the sync log; after ``pull_max_attempts`` the
    submission is skipped (logged as an error) so that it stops holding newer ones back."""
    now = timezone.now()
    failure, _new = PullFailure.objects.get_or_create(
        source=SOURCE,
        code=code[:100],
        defaults={"submitted_at": submitted_at, "pulled_since": since, "first_failed_at": now},
    )
    if failure.status == PullFailureStatus.RESOLVED:
        failure.status, failure.attempts, failure.resolved_at = PullFailureStatus.HOLDING, 0, None
    if failure.status == PullFailureStatus.HOLDING:
        failure.attempts += 1
        if failure.attempts >= pull_max_attempts():
            failure.status = PullFailureStatus.SKIPPED
            logger.error(
                "dvcqg pull: %s skipped after %s failed pulls: %s", code, failure.attempts, error
            )
    failure.submitted_at = submitted_at or failure.submitted_at
    if failure.pulled_since is None or (since is not None and since < failure.pulled_since):
        failure.pulled_since = since
    failure.last_error = error
    failure.last_failed_at = now
    failure.save()
    return failure


def portal_pull(*, adapter: NationalPortal | None = None, max_pages: int = MAX_PAGES) -> PullReport:
    """Fetch the online submissions made since the checkpoint and create each one once.

    A submission that cannot be created (malformed, or refused by ``dossier_submit``) is
    written to the sync log (``PullFailure``) and holds the checkpoint at it, to be tried
    again next time, for ``pull_max_attempts`` pulls; then it is skipped (newer submissions
    must not wait for it forever) until re-pulled by hand (``portal_pull_failures_retry``).

    ``PortalError`` when the portal cannot be read: nothing moves the checkpoint then, and
    what was created stays (the next pull counts it as already there)."""
    portal = _adapter(adapter)
    checkpoint, _created = PullCheckpoint.objects.get_or_create(source=SOURCE)
    since = checkpoint.since
    report = PullReport()
    latest = since
    held: dt.datetime | None = None  # the earliest submission that could not be created
    holding = False
    succeeded: list[str] = []  # the portal's codes created or already here
    page: int | None = 1

    def failed(code: str, submitted_at: dt.datetime | None, error: str) -> None:
        nonlocal held, holding
        report.failed[code] = error
        failure = _failure_record(code=code, submitted_at=submitted_at, since=since, error=error)
        if failure.status == PullFailureStatus.HOLDING:
            # Without its time, a malformed item holds the checkpoint where it is.
            at = submitted_at if submitted_at is not None else since
            if not holding or (held is not None and (at is None or at < held)):
                held = at
            holding = True

    for _round in range(max_pages):
        if page is None:
            break
        remote = portal.submissions(since=since, page=page)
        for raw in remote.items:
            code = str(raw.get("code", "?")) if isinstance(raw, dict) else "?"
            try:
                item = submission_parse(raw)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                failed(code, _raw_submitted_at(raw), f"malformed: {exc}"[:500])
                continue
            try:
                report.created.append(_submission_create(portal, item))
                succeeded.append(item.code)
            except DuplicateExternalRef:
                report.existing.append(item.code)
                succeeded.append(item.code)
            except (DossierError, ValueError, PortalError) as exc:
                failed(item.code, item.submitted_at, str(exc)[:500])
            latest = item.submitted_at if latest is None else max(latest, item.submitted_at)
        page = remote.next_page
    if succeeded:
        PullFailure.objects.filter(source=SOURCE, code__in=succeeded).exclude(
            status=PullFailureStatus.RESOLVED
        ).update(status=PullFailureStatus.RESOLVED, resolved_at=timezone.now())
    new_since = held if holding else latest
    report.since = new_since.isoformat() if new_since else None
    checkpoint.since = new_since
    checkpoint.last_run_at = timezone.now()
    checkpoint.last_report = {
        "created": len(report.created),
        "existing": len(report.existing),
        "failed": report.failed,
    }
    checkpoint.save()
    if report.created or report.failed:
        audit_log(
            actor=ACTOR,
            action="dvcqg.pull",
            object_type="integration",
            object_id=SOURCE,
            data={"created": report.created, "failed": report.failed},
        )
    for code, error in report.failed.items():
        logger.error("dvcqg pull: %s not created: %s", code, error)
    return report


def portal_pull_failures_retry(*, failures: Iterable[PullFailure], actor: Actor) -> int:
    """Pull the given failed submissions again (the admin's re-pull): each holds the
    checkpoint again with a fresh count of attempts, and the checkpoint goes back to where
    its page was read, so the next pull fetches it. Returns how many."""
    count = 0
    with transaction.atomic():
        checkpoint, _created = PullCheckpoint.objects.select_for_update().get_or_create(
            source=SOURCE
        )
        since = checkpoint.since
        for failure in failures:
            if failure.status == PullFailureStatus.RESOLVED:
                continue
            PullFailure.objects.filter(pk=failure.pk).update(
                status=PullFailureStatus.HOLDING, attempts=0
            )
            start = failure.submitted_at or failure.pulled_since
            if since is not None and (start is None or start < since):
                since = start
            count += 1
            audit_log(
                actor=actor,
                action="dvcqg.repull",
                object_type="integration",
                object_id=SOURCE,
                data={"code": failure.code, "since": start.isoformat() if start else None},
            )
        if since != checkpoint.since:
            checkpoint.since = since
            checkpoint.save(update_fields=["since"])
    return count


# --- push -------------------------------------------------------------------------------------


@dataclass
class PushReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __add__(self, other: PushReport) -> PushReport:
        return PushReport(
            self.sent + other.sent, self.retrying + other.retrying, self.failed + other.failed
        )


def _update(push: PortalPush) -> StatusUpdate:
    dossier = push.dossier
    came_from_portal = dossier.external_source == SOURCE and dossier.external_ref
    return StatusUpdate(
        code=dossier.external_ref if came_from_portal else dossier.code,
        local_code=dossier.code,
        status=push.portal_status,
        status_name=str(PortalStatus(push.portal_status).label),
        at=push.event.at,
        event=push.event.type,
        sequence=push.event_id,
    )


def _heads(now: dt.datetime, limit: int) -> list[PortalPush]:
    """The earliest pending row of each dossier, when it is due: a later one waits for it."""
    seen: set[int] = set()
    due = []
    pending = (
        PortalPush.objects.filter(status=PushStatus.PENDING)
        .select_related("dossier", "event")
        .order_by("id")
    )
    for push in pending[: limit * 20]:
        if push.dossier_id in seen:
            continue
        seen.add(push.dossier_id)
        if push.next_attempt_at <= now:
            due.append(push)
            if len(due) >= limit:
                break
    return due


def _send_one(portal: NationalPortal, push: PortalPush, now: dt.datetime) -> str | None:
    """Claim and send ``push``; its outcome (a ``PushStatus``, or "retrying"), or None when
    another sender took it first."""
    # The claim: the conditional UPDATE fails if another sender took the row meanwhile.
    taken = PortalPush.objects.filter(
        id=push.id, status=PushStatus.PENDING, next_attempt_at=push.next_attempt_at
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not taken:
        return None
    rows = PortalPush.objects.filter(id=push.id)
    try:
        portal.status_send(_update(push))
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        delay = None if isinstance(exc, PortalRefused) else retry_delay(push.attempts + 1)
        if delay is None:
            logger.error("dvcqg push %s failed for good: %s", push.id, error)
            rows.update(status=PushStatus.FAILED, last_error=error)
            return PushStatus.FAILED
        logger.warning("dvcqg push %s failed, retry in %s: %s", push.id, delay, error)
        rows.update(next_attempt_at=timezone.now() + delay, last_error=error)
        return "retrying"
    rows.update(status=PushStatus.SENT, sent_at=timezone.now(), last_error="")
    return PushStatus.SENT


def portal_pushes_send_due(
    *, adapter: NationalPortal | None = None, limit: int = PUSH_BATCH
) -> PushReport:
    """Send one batch of due statuses, each dossier's in order (after a status is accepted,
    the dossier's next one follows at once); record each outcome on its row (the sync log)."""
    portal = _adapter(adapter)
    report = PushReport()
    now = timezone.now()
    for head in _heads(now, limit):
        push: PortalPush | None = head
        while push is not None and report.sent + report.retrying + report.failed < limit:
            outcome = _send_one(portal, push, now)
            if outcome == PushStatus.SENT:
                report.sent += 1
            elif outcome == PushStatus.FAILED:
                report.failed += 1
            elif outcome == "retrying":
                report.retrying += 1
            if outcome not in (PushStatus.SENT, PushStatus.FAILED):
                break  # still waiting, or someone else's: the later ones wait behind it
            push = (
                PortalPush.objects.filter(dossier_id=head.dossier_id, status=PushStatus.PENDING)
                .select_related("dossier", "event")
                .order_by("id")
                .first()
            )
            if push is not None and push.next_attempt_at > now:
                break
    return report


def portal_pushes_drain(*, adapter: NationalPortal | None = None) -> PushReport:
    """Send everything due now, batch after batch (a failure is rescheduled, so this ends)."""
    total = PushReport()
    while True:
        report = portal_pushes_send_due(adapter=adapter)
        total = total + report
        if report.sent + report.retrying + report.failed < PUSH_BATCH:
            return total


def portal_push_resend(*, pushes: Iterable[PortalPush], actor: Actor) -> int:
    """Queue the given rows again (the admin's and the CLI's manual resend), now, with a
    fresh count of attempts. A row being sent right now is left alone. The portal orders a
    dossier's statuses by ``sequence`` (docs/api.md), so resending an older one is safe."""
    count = 0
    with transaction.atomic():
        for push in pushes:
            changed = (
                PortalPush.objects.filter(id=push.id)
                .exclude(status=PushStatus.PENDING, attempts__gt=0)
                .update(
                    status=PushStatus.PENDING,
                    attempts=0,
                    next_attempt_at=timezone.now(),
                    last_error="",
                )
            )
            if changed:
                count += 1
                audit_log(
                    actor=actor,
                    action="dvcqg.resend",
                    object_type="dossier",
                    object_id=push.dossier.code,
                    data={"push": push.id, "portal_status": push.portal_status},
                )
    return count


def status_mapping_set(*, mapping: StatusMapping, portal_status: int | None, actor: Actor) -> None:
    """Change what a kind of dossier event is sent as (from the next event on)."""
    before = StatusMapping.objects.filter(id=mapping.id).values_list("portal_status", flat=True)
    previous = before.first()
    mapping.portal_status = portal_status
    with transaction.atomic():
        mapping.save(update_fields=["portal_status"])
        audit_log(
            actor=actor,
            action="dvcqg.mapping",
            object_type="status_mapping",
            object_id=mapping.event_type,
            data={"from": previous, "to": portal_status},
        )


def portal_sync_summary() -> dict[str, Any]:
    """What ``motcua dvcqg status`` prints."""
    checkpoint = PullCheckpoint.objects.filter(source=SOURCE).first()
    counts = dict(
        PortalPush.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    failed = PortalPush.objects.filter(status=PushStatus.FAILED).select_related("dossier")[:10]
    return {
        "configured": portal_sync_enabled(),
        "pull_since": checkpoint.since.isoformat() if checkpoint and checkpoint.since else None,
        "pull_last_run": (
            checkpoint.last_run_at.isoformat() if checkpoint and checkpoint.last_run_at else None
        ),
        "pull_last_report": checkpoint.last_report if checkpoint else {},
        "pull_failures": [
            {"code": f.code, "status": f.status, "attempts": f.attempts, "error": f.last_error}
            for f in PullFailure.objects.filter(source=SOURCE).exclude(
                status=PullFailureStatus.RESOLVED
            )[:10]
        ],
        "push": {s.value: counts.get(s.value, 0) for s in PushStatus},
        "failed": [
            {
                "id": p.id,
                "dossier": p.dossier.code,
                "status": p.portal_status,
                "error": p.last_error,
            }
            for p in failed
        ],
    }


def pull_report_dict(report: PullReport) -> dict[str, Any]:
    return asdict(report)
