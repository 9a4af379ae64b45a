"""Writes of the Government reporting link (``reports.govlink``): freezing a period's reports
into versions, sending them with retries, the schedule, and a manual resend.

- ``report_submit`` computes a report's figures for a period and scope with the functions
  every other page and export uses (``period_figures``' biểu II.06a table,
  ``indicators_for_year``), and compares their digest with the latest version's. Equal: nothing
  is made. Different (or forced, with a reason): a new version with the next number, its
  payload frozen in the row; a still-unsent older version is superseded by it, a sent one is
  never touched.
- ``report_submissions_send_due`` sends the due rows, each claimed with a conditional UPDATE
  (a lease, as ``notify.worker``), and records the outcome on the row (the send log). A
  failure is retried with the outbox's back-off, then every ``BACKOFF[-1]`` until it goes
  through: a quarterly report must arrive, however long the system is down. Only a refusal
  (4xx) stops the retries; ``report_submission_resend`` queues a row again by hand.
- ``report_submissions_schedule`` makes the previous quarter's reports once, from day
  ``MOTCUA_GOVREPORT_SEND_DAY`` of the next quarter on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from motcua.agencies.models import Agency
from motcua.core.audit import Actor, audit_log
from motcua.dossiers.classify import LOCAL
from motcua.notify.worker import BACKOFF
from motcua.reports.govlink import GovReportError, GovReportLink, GovReportRefused, govreport_link
from motcua.reports.models import ReportSubmission, SubmissionKind, SubmissionStatus
from motcua.reports.period import ReportError

logger = logging.getLogger(__name__)

SCHEMA = "motcua-govreport/1"
# The system's codes of the two reports: II.06a is the form number of TT 01/2020/TT-VPCP
# (Phụ lục II); the indicator set has no published code known here (docs/operations.md).
REPORT_CODES = {
    SubmissionKind.II06A: "II.06a/VPCP/KSTT",
    SubmissionKind.INDICATORS: "CHI-SO-QD766",
}
SEND_BATCH = 20
# Longer than any send may take (the request times out well before).
LEASE = dt.timedelta(minutes=10)
SYSTEM_ACTOR = "govreport"

_PERIOD = re.compile(r"^(\d{4})(?:Q([1-4]))?$")


@dataclass(frozen=True)
class ReportPeriod:
    code: str  # "2022Q3", or "2022" for a whole year
    date_from: dt.date
    date_to: dt.date


def report_period(code: str) -> ReportPeriod:
    """``2022Q3`` → 1/7/2022-30/9/2022; ``2022`` → the year. ``ReportError`` otherwise."""
    match = _PERIOD.match(code.strip().upper())
    if match is None:
        raise ReportError(f"{code!r} is not a period in the form 2022Q3 (a quarter) or 2022")
    year = int(match.group(1))
    if match.group(2) is None:
        return ReportPeriod(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))
    quarter = int(match.group(2))
    first = dt.date(year, 3 * quarter - 2, 1)
    after = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return ReportPeriod(f"{year}Q{quarter}", first, after - dt.timedelta(days=1))


def quarter_before(day: dt.date) -> ReportPeriod:
    """The quarter that ended before ``day``'s quarter began."""
    quarter = (day.month - 1) // 3 + 1
    if quarter == 1:
        return report_period(f"{day.year - 1}Q4")
    return report_period(f"{day.year}Q{quarter - 1}")


def figures_digest(figures: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of ``figures`` (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def report_figures(kind: str, period: ReportPeriod, agency: Agency | None) -> dict[str, Any]:
    """The figures of one report, from the one function that computes them for every page.
    Names and labels in the installation's language, whoever asks (worker, CLI, admin)."""
    from motcua.reports.indicators import indicators_for_year
    from motcua.reports.queries import period_figures

    with translation.override(settings.LANGUAGE_CODE):
        if kind == SubmissionKind.II06A:
            figures = period_figures(
                date_from=period.date_from, date_to=period.date_to, agency=agency
            )
            return {
                "table_ii06a": figures["table_ii06a"],
                "identity": figures["identity"],
            }
        if kind == SubmissionKind.INDICATORS:
            return indicators_for_year(
                year=period.date_to.year, date_to=period.date_to, agency=agency
            )
    raise ReportError(f"unknown report kind {kind!r}")


def _payload(
    kind: str,
    period: ReportPeriod,
    agency: Agency | None,
    version: int,
    figures: dict[str, Any],
    digest: str,
    replaces: int | None,
    reason: str,
) -> dict[str, Any]:
    with translation.override(settings.LANGUAGE_CODE):
        scope_name = agency.name if agency else str(translation.gettext("Toàn tỉnh"))
    return {
        "schema": SCHEMA,
        "report_code": REPORT_CODES[SubmissionKind(kind)],
        "kind": kind,
        "period": {
            "code": period.code,
            "from": period.date_from.isoformat(),
            "to": period.date_to.isoformat(),
        },
        "unit": {
            "code": settings.MOTCUA.get("GOVREPORT_UNIT", ""),
            "agency": agency.code if agency else None,
            "name": scope_name,
        },
        "version": version,
        "replaces": replaces,
        "reason": reason,
        "made_at": timezone.now().isoformat(),
        "figures_sha256": digest,
        "figures": figures,
    }


@dataclass(frozen=True)
class SubmitResult:
    submission: ReportSubmission  # the new version, or the latest when nothing changed
    created: bool


def _versions(kind: str, period: str, agency: Agency | None) -> Any:
    return ReportSubmission.objects.filter(kind=kind, period=period, agency=agency)


def report_submit(
    *,
    period: ReportPeriod,
    agency: Agency | None,
    kind: str,
    actor: Actor,
    force: bool = False,
    reason: str = "",
) -> SubmitResult:
    """Freeze the report of ``period`` and ``agency`` (None: the province) as a new version
    when its figures differ from the latest version's, or when ``force``d with a ``reason``;
    the new version is queued for sending. Otherwise the latest version, unchanged."""
    if force and not reason.strip():
        raise ReportError("a forced new version needs a reason")
    SubmissionKind(kind)  # ValueError for an unknown kind
    figures = report_figures(kind, period, agency)
    digest = figures_digest(figures)
    with transaction.atomic():
        latest = _versions(kind, period.code, agency).select_for_update().order_by("-version")
        last = latest.first()
        if last is not None and last.sha256 == digest and not force:
            return SubmitResult(last, created=False)
        last_sent = (
            _versions(kind, period.code, agency)
            .filter(status=SubmissionStatus.SENT)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
        )
        version = (last.version if last else 0) + 1
        if last is not None and not reason:
            reason = "figures changed"
        # An unsent older version would only carry stale figures: the new one replaces it.
        # One being sent right now still ends as sent if the system takes it (_send_one).
        _versions(kind, period.code, agency).filter(status=SubmissionStatus.PENDING).update(
            status=SubmissionStatus.SUPERSEDED
        )
        submission = ReportSubmission.objects.create(
            kind=kind,
            period=period.code,
            date_from=period.date_from,
            date_to=period.date_to,
            agency=agency,
            version=version,
            payload=_payload(kind, period, agency, version, figures, digest, last_sent, reason),
            sha256=digest,
            reason=reason,
            created_by=str(getattr(actor, "username", actor) or "")[:150],
        )
        audit_log(
            actor=actor,
            action="report.submit",
            object_type="report_submission",
            object_id=submission.pk,
            data={
                "kind": kind,
                "period": period.code,
                "agency": agency.code if agency else None,
                "version": version,
                "sha256": digest,
                "reason": reason,
            },
        )
    return SubmitResult(submission, created=True)


def report_submission_resend(*, submission: ReportSubmission, actor: Actor) -> bool:
    """Queue the latest version of a report again, now, with a fresh count of attempts (its
    frozen payload unchanged). False for an older version or one being sent right now."""
    latest = (
        _versions(submission.kind, submission.period, submission.agency)
        .order_by("-version")
        .values_list("pk", flat=True)
        .first()
    )
    if latest != submission.pk:
        return False
    with transaction.atomic():
        changed = (
            ReportSubmission.objects.filter(pk=submission.pk)
            .exclude(status=SubmissionStatus.PENDING, attempts__gt=0)
            .update(
                status=SubmissionStatus.PENDING,
                attempts=0,
                next_attempt_at=timezone.now(),
                last_error="",
            )
        )
        if changed:
            audit_log(
                actor=actor,
                action="report.resend",
                object_type="report_submission",
                object_id=submission.pk,
                data={"period": submission.period, "version": submission.version},
            )
    return bool(changed)


def retry_after(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failure: the outbox's back-off, then its longest."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _send_one(link: GovReportLink, row: ReportSubmission, now: dt.datetime) -> str | None:
    taken = ReportSubmission.objects.filter(
        pk=row.pk, status=SubmissionStatus.PENDING, next_attempt_at=row.next_attempt_at
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not taken:
        return None  # another sender has it
    rows = ReportSubmission.objects.filter(pk=row.pk)
    attempts = row.attempts + 1
    try:
        receipt = link.submit(row.payload)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if isinstance(exc, GovReportRefused):
            logger.error("govreport %s refused: %s", row.pk, error)
            rows.update(status=SubmissionStatus.FAILED, last_error=error)
            return SubmissionStatus.FAILED
        delay = retry_after(attempts)
        logger.warning("govreport %s failed, retry in %s: %s", row.pk, delay, error)
        rows.update(next_attempt_at=timezone.now() + delay, last_error=error)
        return "retrying"
    # Sent is the truth even if a newer version superseded this one meanwhile.
    rows.update(
        status=SubmissionStatus.SENT,
        sent_at=timezone.now(),
        response_id=receipt[:128],
        last_error="",
    )
    return SubmissionStatus.SENT


def report_submissions_send_due(
    *, adapter: GovReportLink | None = None, limit: int = SEND_BATCH
) -> SendReport:
    """Send the versions due now, oldest first; each outcome is recorded on its row."""
    link = adapter or govreport_link()
    if link is None:
        raise GovReportError("MOTCUA_GOVREPORT is not set: no reporting link")
    now = timezone.now()
    report = SendReport()
    due = ReportSubmission.objects.filter(
        status=SubmissionStatus.PENDING, next_attempt_at__lte=now
    ).order_by("id")[:limit]
    for row in list(due):
        outcome = _send_one(link, row, now)
        if outcome == SubmissionStatus.SENT:
            report.sent += 1
        elif outcome == SubmissionStatus.FAILED:
            report.failed += 1
        elif outcome == "retrying":
            report.retrying += 1
    return report


def report_scopes() -> list[Agency | None]:
    """The scopes sent on schedule: the province, then the agencies of
    ``MOTCUA_GOVREPORT_AGENCIES``."""
    codes = [c.strip() for c in settings.MOTCUA.get("GOVREPORT_AGENCIES", "").split(",")]
    codes = [c for c in codes if c]
    found = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    for code in codes:
        if code not in found:
            logger.error("MOTCUA_GOVREPORT_AGENCIES: no agency with code %r", code)
    return [None, *(found[c] for c in codes if c in found)]


def report_submissions_schedule(*, now: dt.datetime | None = None) -> list[ReportSubmission]:
    """From day N (``MOTCUA_GOVREPORT_SEND_DAY``) of a quarter on, freeze the previous
    quarter's reports of every scope that has none yet; later corrections are made by hand
    (``motcua report send``), so the figures of a sent period do not move by themselves."""
    today = (now or timezone.now()).astimezone(LOCAL).date()
    send_day = int(settings.MOTCUA.get("GOVREPORT_SEND_DAY", "5"))
    quarter_first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if today < quarter_first + dt.timedelta(days=max(send_day, 1) - 1):
        return []
    period = quarter_before(today)
    made = []
    for agency in report_scopes():
        for kind in SubmissionKind.values:
            if _versions(kind, period.code, agency).exists():
                continue
            made.append(report_submit(period=period, agency=agency, kind=kind, actor=SYSTEM_ACTOR))
    return [m.submission for m in made]
