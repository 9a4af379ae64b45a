"""The Government reporting link against a local fake reporting system (a real HTTP server on
127.0.0.1): the frozen payload round-trips, a send while the system is down is retried and
delivered later, a correction makes version 2 and leaves version 1 as sent, unchanged figures
make nothing, the schedule, the resend and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from pytest_django import Settings

from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier, Status
from motcua.notify.worker import JOBS, jobs_discover
from motcua.reports.fake_govlink import (
    FakeGovReportServer,
    FakeGovReportState,
    fake_govreport_start,
)
from motcua.reports.jobs import govreport_tick
from motcua.reports.models import ReportSubmission, SubmissionKind, SubmissionStatus
from motcua.reports.period import ReportError
from motcua.reports.sending import (
    figures_digest,
    report_period,
    report_submission_resend,
    report_submissions_send_due,
    report_submit,
)

from .builders import agency, dossier, procedure

pytestmark = pytest.mark.django_db

TOKEN = "bc-token"
Q3 = report_period("2022Q3")


@pytest.fixture
def fake() -> Iterator[FakeGovReportServer]:
    server = fake_govreport_start()
    server.state.token = TOKEN
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def system(fake: FakeGovReportServer, settings: Settings) -> FakeGovReportState:
    """The fake system's state, with motcua's adapter pointed at it."""
    settings.MOTCUA = {
        **settings.MOTCUA,
        "GOVREPORT": "motcua.reports.govlink.HttpAdapter",
        "GOVREPORT_URL": fake.url,
        "GOVREPORT_TOKEN": TOKEN,
        "GOVREPORT_TIMEOUT": "5",
        "GOVREPORT_UNIT": "H18",
        "GOVREPORT_AGENCIES": "",
        "GOVREPORT_SEND_DAY": "5",
    }
    return fake.state


@pytest.fixture
def open_dossier() -> Dossier:
    """A history in 2022Q3: one dossier resolved on time, one still open at the end."""
    pv = procedure(agency("000.00.01.H18", "Sở Tư pháp"))
    dossier(
        pv,
        received="2022-07-04T02:00",
        ended="2022-07-06T02:00",
        end_kind="result",
        cls="on_time",
        due="2022-07-11T10:00",
    )
    return dossier(pv, received="2022-08-01T02:00", due="2022-12-01T10:00")


def resolve(d: Dossier) -> None:
    """A correction of the history: the open dossier was in fact resolved in the quarter."""
    d.ended_at = dt.datetime(2022, 8, 3, 2, 0, tzinfo=dt.UTC)
    d.end_kind = "result"
    d.dossier_class = "on_time"
    d.status = Status.RESULT_READY
    d.save(update_fields=["ended_at", "end_kind", "dossier_class", "status"])


def ii06a_total(payload: dict[str, Any]) -> dict[str, int]:
    total: dict[str, int] = payload["figures"]["table_ii06a"]["by_agency"]["total"]
    return total


def test_the_frozen_payload_round_trips_to_the_system(
    system: FakeGovReportState, open_dossier: Dossier
) -> None:
    made = [
        report_submit(period=Q3, agency=None, kind=kind, actor="cli").submission
        for kind in SubmissionKind.values
    ]

    report = report_submissions_send_due()

    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert len(system.received) == 2
    for row, received in zip(made, system.received, strict=True):
        row.refresh_from_db()
        assert received == row.payload  # byte for byte what was frozen
        assert row.status == SubmissionStatus.SENT and row.response_id.startswith("BC-")
        assert received["figures_sha256"] == figures_digest(received["figures"]) == row.sha256
    ii06a = made[0].payload
    assert ii06a["report_code"] == "II.06a/VPCP/KSTT" and ii06a["version"] == 1
    assert ii06a["period"] == {"code": "2022Q3", "from": "2022-07-01", "to": "2022-09-30"}
    assert ii06a["unit"]["code"] == "H18" and ii06a["unit"]["agency"] is None
    total = ii06a_total(ii06a)
    assert (total["received_total"], total["resolved_total"], total["in_progress_total"]) == (
        2,
        1,
        1,
    )
    indicators = made[1].payload["figures"]
    assert indicators["period"] == {"from": "2022-01-01", "to": "2022-09-30"}


def test_unchanged_figures_make_no_new_version(
    system: FakeGovReportState, open_dossier: Dossier
) -> None:
    first = report_submit(period=Q3, agency=None, kind="ii06a", actor="cli")
    report_submissions_send_due()

    again = report_submit(period=Q3, agency=None, kind="ii06a", actor="cli")

    assert first.created and not again.created
    assert again.submission.pk == first.submission.pk
    assert ReportSubmission.objects.count() == 1
    assert report_submissions_send_due().sent == 0 and len(system.received) == 1


def test_a_correction_makes_version_2_and_version_1_stays_as_sent(
    system: FakeGovReportState, open_dossier: Dossier
) -> None:
    v1 = report_submit(period=Q3, agency=None, kind="ii06a", actor="cli").submission
    report_submissions_send_due()
    v1.refresh_from_db()
    frozen = json.loads(json.dumps(v1.payload))

    resolve(open_dossier)
    result = report_submit(period=Q3, agency=None, kind="ii06a", actor="cli")
    report_submissions_send_due()

    assert result.created and result.submission.version == 2
    v1.refresh_from_db()
    assert v1.payload == frozen and v1.status == SubmissionStatus.SENT
    assert ii06a_total(v1.payload)["resolved_total"] == 1
    v2 = ReportSubmission.objects.get(version=2)
    assert v2.status == SubmissionStatus.SENT and v2.sha256 != v1.sha256
    assert ii06a_total(v2.payload)["resolved_total"] == 2
    assert v2.payload["replaces"] == 1 and v2.payload["reason"] == "figures changed"
    assert [r["version"] for r in system.received] == [1, 2]
    assert system.received[1] == v2.payload
    assert AuditEvent.objects.filter(action="report.submit").count() == 2


def test_a_new_version_made_before_sending_supersedes_the_unsent_one(
    system: FakeGovReportState, open_dossier: Dossier
) -> None:
    report_submit(period=Q3, agency=None, kind="ii06a", actor="cli")
    resolve(open_dossier)
    report_submit(period=Q3, agency=None, kind="ii06a", actor="cli")

    report_submissions_send_due()

    statuses = dict(ReportSubmission.objects.values_list("version", "status"))
    assert statuses == {1: SubmissionStatus.SUPERSEDED, 2: SubmissionStatus.SENT}
    assert [r["version"] for r in system.received] == [2]
    assert system.received[0]["replaces"] is None  # nothing was sent before it


def test_a_forced_version_needs_a_reason(system: FakeGovReportState, open_dossier: Dossier) -> None:
    report_submit(period=Q3, agency=None, kind="ii06a", actor="cli")
    with pytest.raises(ReportError):
        report_submit(period=Q3, agency=None, kind="ii06a", actor="cli", force=True)

    forced = report_submit(
        period=Q3, agency=None, kind="ii06a", actor="cli", force=True, reason="Văn phòng yêu cầu"
    )

    assert forced.created and forced.submission.version == 2
    assert forced.submission.payload["reason"] == "Văn phòng yêu cầu"


def test_system_down_is_retried_with_back_off_and_delivered_after_it_is_back(
    system: FakeGovReportState, open_dossier: Dossier
) -> None:
    system.down = True
    # Day 5 of the quarter after 2022Q3 (MOTCUA_GOVREPORT_SEND_DAY), 08:00 local.
    with time_machine.travel(dt.datetime(2022, 10, 5, 1, 0, tzinfo=dt.UTC), tick=False) as t:
        govreport_tick()  # the worker's job: freezes the quarter's reports, tries to send

        rows = ReportSubmission.objects.order_by("kind")
        assert {(r.kind, r.period, r.version) for r in rows} == {
            ("ii06a", "2022Q3", 1),
            ("indicators", "2022Q3", 1),
        }
        assert all(r.status == SubmissionStatus.PENDING and r.attempts == 1 for r in rows)
        assert all("503" in r.last_error for r in rows)
        tried = system.requests

        system.down = False
        t.shift(dt.timedelta(seconds=30))  # before the first back-off (1 minute) is over
        govreport_tick()
        assert system.requests == tried and system.received == []

        t.shift(dt.timedelta(minutes=1))
        govreport_tick()

    rows = ReportSubmission.objects.order_by("kind")
    assert all(r.status == SubmissionStatus.SENT and r.attempts == 2 for r in rows)
    assert sorted(r["kind"] for r in system.received) == ["ii06a", "indicators"]
    assert ReportSubmission.objects.count() == 2  # the schedule made them once


def test_the_schedule_waits_for_the_send_day(
    system: FakeGovReportState, open_dossier: Dossier
) -> None:
    with time_machine.travel(dt.datetime(2022, 10, 3, 1, 0, tzinfo=dt.UTC), tick=False):
        govreport_tick()
    assert not ReportSubmission.objects.exists()
    jobs_discover()
    assert JOBS["govreport"].func is govreport_tick


def test_a_refusal_is_not_retried_until_resent_by_hand(
    system: FakeGovReportState, open_dossier: Dossier
) -> None:
    system.token = "another"  # 401: the system refuses our credentials
    row = report_submit(period=Q3, agency=None, kind="ii06a", actor="cli").submission

    assert report_submissions_send_due().failed == 1
    row.refresh_from_db()
    assert row.status == SubmissionStatus.FAILED and "401" in row.last_error
    assert report_submissions_send_due().failed == 0  # not tried again by itself

    system.token = TOKEN
    assert report_submission_resend(submission=row, actor="cli")
    assert report_submissions_send_due().sent == 1
    row.refresh_from_db()
    assert row.status == SubmissionStatus.SENT and row.attempts == 1
    assert AuditEvent.objects.filter(action="report.resend").count() == 1


def test_only_the_latest_version_can_be_resent(
    system: FakeGovReportState, open_dossier: Dossier
) -> None:
    v1 = report_submit(period=Q3, agency=None, kind="ii06a", actor="cli").submission
    resolve(open_dossier)
    report_submit(period=Q3, agency=None, kind="ii06a", actor="cli")

    assert not report_submission_resend(submission=v1, actor="cli")


def test_cli_send_and_resend(
    system: FakeGovReportState, open_dossier: Dossier, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["report", "send", "--period", "2022q3", "--agency", "000.00.01.H18"]
    assert main([*args, "--kind", "ii06a"]) == 0
    out = capsys.readouterr().out
    assert "ii06a 2022Q3 000.00.01.H18: phiên bản mới, phiên bản 1" in out
    assert "đã gửi 1" in out
    assert system.received[0]["unit"]["agency"] == "000.00.01.H18"

    assert main([*args, "--kind", "ii06a"]) == 0
    assert "số liệu không đổi" in capsys.readouterr().out

    assert main([*args, "--kind", "ii06a", "--resend"]) == 0
    assert len(system.received) == 2 and system.received[1] == system.received[0]
    row = ReportSubmission.objects.get()
    assert row.version == 1 and row.status == SubmissionStatus.SENT


def test_cli_says_what_is_wrong(
    system: FakeGovReportState, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "send"]) == 2
    assert "--period is required" in capsys.readouterr().err
    assert main(["report", "send", "--period", "2022Q5"]) == 2
    assert "2022Q3" in capsys.readouterr().err


def test_periods() -> None:
    q4 = report_period("2022Q4")
    assert (q4.date_from, q4.date_to) == (dt.date(2022, 10, 1), dt.date(2022, 12, 31))
    q1 = report_period("2023Q1")
    assert (q1.date_from, q1.date_to) == (dt.date(2023, 1, 1), dt.date(2023, 3, 31))
    year = report_period("2022")
    assert (year.code, year.date_to) == ("2022", dt.date(2022, 12, 31))
