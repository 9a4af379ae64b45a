"""Periodic job (discovered by ``motcua worker``): warn about PAKN past their answer date."""

from __future__ import annotations

from motcua.feedback.services import feedback_flag_overdue
from motcua.notify.worker import register_job

register_job("feedback_flag_overdue", 15 * 60, feedback_flag_overdue)
