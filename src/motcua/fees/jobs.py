"""The fees' periodic job, run by ``motcua worker`` (``notify.worker`` imports every app's
``jobs``): ``payments_refund`` sends the refunds queued when a dossier paid online was refused
at intake, every 5 minutes; idempotent (a refund is sent once: its row moves to refunded)."""

from __future__ import annotations

from motcua.fees.services import payments_refund
from motcua.notify.worker import register_job

register_job("payments_refund", 5 * 60, payments_refund)
