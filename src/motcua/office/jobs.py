"""Background work of the staff application, run by ``motcua worker``: the period reports
asked for from the dashboard (``office.services.report_requests_make``)."""

from __future__ import annotations

from motcua.notify.worker import register_job
from motcua.office.services import report_requests_make

# Checked every few seconds: a leader waits for the file on the dashboard.
register_job("office_reports_make", 5, report_requests_make)
