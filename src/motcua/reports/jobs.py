"""Background work of the reports app, run by ``motcua worker``: the period reports asked for
from the dashboard (``reports.services.report_requests_make``), and the Government reporting
link (``reports.sending``; a no-op without ``MOTCUA_GOVREPORT``), and the kept QĐ 766
ranking of the current periods (``reports.ranking``)."""

from __future__ import annotations

from motcua.notify.worker import register_job
from motcua.reports.services import report_requests_make


def govreport_tick() -> None:
    """Freeze the previous quarter's reports when due, then send what is waiting."""
    from motcua.reports.govlink import govreport_enabled
    from motcua.reports.sending import report_submissions_schedule, report_submissions_send_due

    if govreport_enabled():
        report_submissions_schedule()
        report_submissions_send_due()


def ranking_tick() -> None:
    """Refresh the kept QĐ 766 ranking of the current year and quarter."""
    from motcua.reports.ranking import ranking_refresh

    ranking_refresh()


# Checked every few seconds: a leader waits for the file on the dashboard.
register_job("reports_make", 5, report_requests_make)
# Every five minutes: a report is due once a quarter; a failed send waits minutes to hours.
register_job("govreport", 300, govreport_tick)
# Hourly, like the rollup's checkpoints: the pages show when the ranking was computed.
register_job("ranking_snapshots", 3600, ranking_tick)
