"""Operator subcommands: migrate, serve, demo, worker-less basics."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.cli import CLI

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
) -> int:
    """Serve the application with gunicorn (a production WSGI server, not runserver), and
    by default one `motcua worker` process beside it, so that notifications go out."""
    _check_secret_key(insecure_ok)
    from gunicorn.app.wsgiapp import WSGIApplication

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
        "motcua.wsgi:application",
    ]
    sys.argv = argv
    owner = os.getpid()
    background = (
        subprocess.Popen([sys.executable, "-m", "motcua.cli", "worker", "--parent-pid", str(owner)])
        if worker
        else None
    )
    try:
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]", prog="motcua serve").run()
    finally:
        # Only here, not in a forked gunicorn worker that unwinds through this frame.
        if background is not None and os.getpid() == owner:
            background.terminate()  # SIGTERM: the worker finishes its message and exits
            background.wait(timeout=30)
    return 0


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
    )


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
    p.set_defaults(handler=_serve)

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
