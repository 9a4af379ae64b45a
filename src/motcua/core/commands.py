"""Operator subcommands: migrate, serve, demo, worker-less basics."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.cli import CLI

logger = logging.getLogger(__name__)

DEFAULT_BIND = "127.0.0.1:8000"
# gunicorn's threaded worker, with motcua's change to how it takes new connections (see
# motcua.core.server). Python runs one thread of a process at a time, so one worker process
# per CPU uses the machine; two threads per worker overlap the waits on the database.
# More threads cost more than they overlap: on 2 CPUs under 200 paced lookup clients
# (bench/lookup_load.py) 4 threads per worker gave p99 2.9 s and 192 req/s at saturation,
# 2 threads p99 0.14 s and 329 req/s (the threads of a process contend for the GIL).
WORKER_CLASS = "motcua.core.server.ThreadWorker"
# gunicorn's access log without the public lookup's secret, built for less CPU per request.
LOGGER_CLASS = "motcua.core.server.AccessLogger"
DEFAULT_THREADS = 2
# Seconds an idle connection is kept open. gunicorn's 2 s assumes a proxy in front that
# keeps its own connections; a citizen reading the page a few seconds between two lookups
# would otherwise reconnect each time. Idle connections wait in the event loop, not in a
# thread, so keeping them costs a socket each, nothing more.
DEFAULT_KEEPALIVE = 5


def _migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    return 0


def _check_secret_key(insecure_ok: bool) -> None:
    if not os.environ.get("SECRET_KEY") and not insecure_ok:
        sys.exit(
            "motcua serve: SECRET_KEY is not set. Set it in the environment "
            "(or pass --insecure-dev-key for a local trial)."
        )


def default_workers() -> int:
    """One worker process per CPU this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def serve(
    bind: str = DEFAULT_BIND,
    workers: int | None = None,
    insecure_ok: bool = False,
    worker: bool = True,
    *,
    threads: int = DEFAULT_THREADS,
    keepalive: int = DEFAULT_KEEPALIVE,
    worker_class: str = WORKER_CLASS,
    access_log: bool = True,
    worker_interval: float | None = None,
) -> int:
    """Serve the application with gunicorn (a production WSGI server, not runserver), and
    by default one `motcua worker` process beside it, so that notifications go out, kept
    running by a ``WorkerSupervisor``."""
    _check_secret_key(insecure_ok)
    from motcua.core.server import application

    argv = [
        "motcua serve",
        "--bind",
        bind,
        "--workers",
        str(workers or default_workers()),
        "--worker-class",
        worker_class,
        "--threads",
        str(threads),
        "--keep-alive",
        str(keepalive),
        *(["--access-logfile", "-"] if access_log else []),
        "--logger-class",
        LOGGER_CLASS,
        "--timeout",
        "120",
        # The application is loaded and warmed up once, before the workers are forked
        # (motcua.core.warmup): a worker answers its first request as fast as its hundredth.
        "--preload",
        "motcua.wsgi:application",
    ]
    sys.argv = argv
    owner = os.getpid()
    command = [sys.executable, "-m", "motcua.cli", "worker", "--parent-pid", str(owner)]
    if worker_interval is not None:
        command += ["--interval", f"{worker_interval:g}"]
    supervisor = WorkerSupervisor(command) if worker else None
    if supervisor is not None:
        supervisor.start()
    try:
        application("%(prog)s [OPTIONS] [APP_MODULE]", prog="motcua serve").run()
    finally:
        # Only here, not in a forked gunicorn worker that unwinds through this frame.
        if supervisor is not None and os.getpid() == owner:
            supervisor.stop()
    return 0


class WorkerSupervisor:
    """Keeps one `motcua worker` running beside gunicorn: started at once, started again
    whenever it exits (killed, crashed, out of memory) until ``stop()``.

    Without this a dead worker stayed dead and notifications and the periodic scans stopped
    silently. Restarts back off (1 s, doubling to ``RESTART_CAP``) so that a worker that
    cannot start at all (a broken configuration) does not spin; a worker that ran for
    ``HEALTHY_RUN`` seconds counts as having started well and resets the back-off.
    """

    RESTART_FIRST = 1.0
    RESTART_CAP = 60.0
    HEALTHY_RUN = 60.0

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="motcua-worker-supervisor")
        self._thread.daemon = True

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        with self._lock:
            if not self._stopping.is_set():
                self.process = subprocess.Popen(self.command)

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            process = self.process
            if process is None:
                return
            started = time.monotonic()
            # gunicorn's arbiter reaps any child that exits (waitpid(-1)): when it is first,
            # Popen reports 0 and the real status is lost, hence "stopped", not "exited 0".
            code = process.wait()
            if self._stopping.is_set():
                return
            failures = 1 if time.monotonic() - started >= self.HEALTHY_RUN else failures + 1
            delay = min(self.RESTART_CAP, self.RESTART_FIRST * 2 ** (failures - 1))
            logger.error(
                "motcua serve: the worker (pid %s) stopped%s; restarting it in %g s",
                process.pid,
                f" (status {code})" if code else "",
                delay,
            )
            if self._stopping.wait(delay):
                return
            self._spawn()
            self.restarts += 1
            if self.process is not None:
                logger.warning("motcua serve: worker restarted (pid %s)", self.process.pid)

    def stop(self, timeout: float = 30) -> None:
        """Stop the worker (SIGTERM: it finishes the message it is sending) and stop
        restarting it."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            with contextlib.suppress(ChildProcessError, subprocess.TimeoutExpired):
                process.wait(timeout=timeout)


def _serve(args: argparse.Namespace) -> int:
    return serve(
        args.bind,
        args.workers,
        args.insecure_dev_key,
        worker=not args.no_worker,
        threads=args.threads,
        keepalive=args.keep_alive,
        worker_class=args.worker_class,
        access_log=not args.no_access_log,
        worker_interval=args.worker_interval,
    )


def _backup(args: argparse.Namespace) -> int:
    from motcua.core.backup import BackupError, backup_create

    try:
        report = backup_create(args.output)
    except BackupError as exc:
        print(f"motcua backup: {exc}", file=sys.stderr)
        return 1
    print(f"motcua backup: xong, {report.path}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    from motcua.core.backup import BackupError, backup_restore

    try:
        backup_restore(args.source, force=args.force)
    except BackupError as exc:
        print(f"motcua restore: {exc}", file=sys.stderr)
        return 1
    print("motcua restore: xong; chạy `motcua migrate` nếu bản sao lưu từ phiên bản cũ hơn")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from motcua.core.demo import load_demo, print_logins

    call_command("migrate", interactive=False, verbosity=0)
    logins = load_demo(progress=print)
    print_logins(logins)
    if args.no_serve:
        return 0
    print(f"\nmotcua demo: http://{args.bind}/  (Ctrl+C to stop)\n", flush=True)
    return serve(args.bind, args.workers, insecure_ok=True, worker=not args.no_worker)


def _db_partitions(args: argparse.Namespace) -> int:
    from django.db import connection

    from motcua.core.partitions import partitions_ensure, partitions_list

    if connection.vendor != "postgresql":
        print("motcua db partitions: SQLite has no partitions; nothing to do")
        return 0
    if args.years < 0:
        print("motcua db partitions: --years must be 0 or more", file=sys.stderr)
        return 2
    created = partitions_ensure(args.years)
    for name in created:
        print(f"created {name}")
    if not created:
        print("partitions up to date")
    if args.list:
        for p in partitions_list():
            print(f"{p.table}\t{p.name}\t{p.bounds}\t~{p.rows} rows")
    return 0


def register(cli: CLI) -> None:
    p = cli.commands.add_parser(
        "migrate",
        help="create or update the database tables",
        description="Apply every pending database migration (safe to run repeatedly).",
    )
    p.add_argument("-v", "--verbosity", type=int, default=1)
    p.set_defaults(handler=_migrate)

    p = cli.commands.add_parser(
        "serve",
        help="serve the web application (gunicorn)",
        description="Serve motcua with gunicorn. Needs SECRET_KEY in the environment.",
    )
    p.add_argument("--bind", default=DEFAULT_BIND, help=f"address:port (default {DEFAULT_BIND})")
    p.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: one per CPU)"
    )
    p.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=f"threads per worker (default {DEFAULT_THREADS})",
    )
    p.add_argument(
        "--keep-alive",
        type=int,
        default=DEFAULT_KEEPALIVE,
        help=f"seconds an idle connection stays open (default {DEFAULT_KEEPALIVE})",
    )
    p.add_argument("--worker-class", default=WORKER_CLASS, help=argparse.SUPPRESS)
    p.add_argument("--no-access-log", action="store_true", help="no access log on stdout")
    p.add_argument(
        "--insecure-dev-key",
        action="store_true",
        help="allow the built-in development SECRET_KEY (never in production)",
    )
    p.add_argument("--no-worker", action="store_true", help="do not start `motcua worker`")
    p.add_argument(
        "--worker-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="the worker's --interval (default: the worker's own, 5)",
    )
    p.set_defaults(handler=_serve)

    p = cli.commands.add_parser(
        "backup",
        help="back up the database and the stored files",
        description="Copy the database (SQLite's online backup API, or pg_dump -Fc for "
        "PostgreSQL) and the stored files (MOTCUA_DATA_DIR/media) into a new folder with a "
        "manifest of SHA-256 hashes. Safe while the server runs.",
    )
    p.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="DIR",
        help="a new or empty folder (default MOTCUA_DATA_DIR/backups/motcua-<time>)",
    )
    p.set_defaults(handler=_backup)

    p = cli.commands.add_parser(
        "restore",
        help="restore a backup made by `motcua backup`",
        description="Check every hash of the backup, then restore its database and stored "
        "files into this installation. Stop `motcua serve` first. Refuses an installation "
        "that already has data unless --force (its old files are then moved aside).",
    )
    p.add_argument("source", type=Path, metavar="DIR", help="the backup folder")
    p.add_argument("--force", action="store_true", help="replace the data of this installation")
    p.set_defaults(handler=_restore)

    p = cli.commands.add_parser(
        "db",
        help="database upkeep (yearly partitions)",
        description="Database upkeep on PostgreSQL.",
    )
    db = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    part = db.add_parser(
        "partitions",
        help="create this year's and the coming years' partitions (idempotent)",
        description="Give every table partitioned by year (dossier events, audit trail, "
        "outbox, webhook deliveries) a partition for this year and the next N years; rows "
        "of those years waiting in the default partition move into it. The worker does "
        "the same daily. Does nothing on SQLite.",
    )
    part.add_argument(
        "--years", type=int, default=1, metavar="N", help="years ahead to create (default 1)"
    )
    part.add_argument("--list", action="store_true", help="then list every partition")
    part.set_defaults(handler=_db_partitions)

    p = cli.commands.add_parser(
        "demo",
        help="migrate, load demo data, print demo logins and serve",
        description="Set up a demonstration province: migrate, load the demo catalogue, "
        "agencies, users and dossiers (idempotent), print the demo logins, then serve.",
    )
    p.add_argument("--bind", default=DEFAULT_BIND)
    p.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    p.add_argument("--no-serve", action="store_true", help="load the data, do not serve")
    p.add_argument("--no-worker", action="store_true", help="do not start `motcua worker`")
    p.set_defaults(handler=_demo)
