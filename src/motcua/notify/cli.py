"""``motcua worker``: send the notification outbox and run the periodic jobs."""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.cli import CLI


def _busy_timeout_for_worker() -> None:
    """The worker waits longer for SQLite's write lock than a web request does (see
    settings.py): set before its first connection is opened."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        timeout = float(settings.MOTCUA["WORKER_SQLITE_BUSY_TIMEOUT"])
        connection.settings_dict.setdefault("OPTIONS", {})["timeout"] = timeout


def _worker(args: argparse.Namespace) -> int:
    from motcua.notify.worker import worker_run

    if args.interval <= 0:
        print("motcua worker: --interval must be a positive number of seconds")
        return 2
    logging.getLogger("motcua.notify").setLevel(logging.INFO)
    _busy_timeout_for_worker()
    if not args.once:
        print(f"motcua worker: gửi thông báo mỗi {args.interval:g} giây (Ctrl+C để dừng)")

    def log(msg: str) -> None:
        print(f"motcua worker: {msg}", flush=True)

    report = worker_run(
        once=args.once,
        interval=args.interval,
        parent_pid=args.parent_pid,
        log=(lambda _msg: None) if args.once else log,
    )
    if args.once:
        print(
            f"motcua worker: đã gửi {report.sent}, chờ gửi lại {report.retrying}, "
            f"gửi không thành công {report.failed}"
        )
    return 0


def register(cli: CLI) -> None:
    p = cli.commands.add_parser(
        "worker",
        help="send queued notifications and run periodic jobs",
        description="Send the e-mail and SMS notifications waiting in the outbox (retrying "
        "failures with back-off) and run the periodic jobs (overdue scan, …). Several "
        "workers may run at once. Stops cleanly on SIGTERM or Ctrl+C.",
    )
    p.add_argument("--once", action="store_true", help="process what is due now, then exit")
    p.add_argument(
        "--interval",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="how often to look for due messages and jobs (default 5)",
    )
    # Used by `motcua serve`: exit when the process that started this worker is gone.
    p.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    p.set_defaults(handler=_worker)
