"""Background work of the reports app, run by ``motcua worker``: the period reports asked for
from the dashboard (``reports.services.report_requests_make``)."""

from __future__ import annotations

from motcua.notify.worker import register_job
from motcua.reports.services import report_requests_make

# Checked every few seconds: a leader waits for the file on the dashboard.
register_job("reports_make", 5, report_requests_make)
