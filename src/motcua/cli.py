"""The ``motcua`` command: the operator's interface.

Each part of the system adds its subcommands through a ``register(cli)`` function in its own
``cli`` module (listed in ``COMMAND_MODULES``), so this file stays small.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

COMMAND_MODULES = [
    "motcua.core.commands",
    "motcua.workdays.cli",
    "motcua.catalog.cli",
    "motcua.agencies.cli",
    "motcua.dossiers.cli",
    "motcua.reports.cli",
    "motcua.rollup.cli",
    "motcua.notify.cli",
    "motcua.webhooks.cli",
    "motcua.archive.signing_cli",
    "motcua.archive.cli",
    "motcua.integrations.cli",
    "motcua.fees.cli",
]

Handler = Callable[[argparse.Namespace], int]


@dataclass
class CLI:
    """The parsers that command modules add to."""

    commands: argparse._SubParsersAction
    imports: argparse._SubParsersAction
    exports: argparse._SubParsersAction


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="motcua",
        description="motcua — hệ thống thông tin giải quyết thủ tục hành chính "
        "(one-stop information system for administrative procedures).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    imp = commands.add_parser(
        "import",
        help="import data from a file (all or nothing)",
        description="Import data from a file. A file with any invalid record imports nothing.",
    )
    imports = imp.add_subparsers(dest="what", metavar="WHAT", required=True)
    exp = commands.add_parser("export", help="export data to a file or stdout")
    exports = exp.add_subparsers(dest="what", metavar="WHAT", required=True)
    cli = CLI(commands=commands, imports=imports, exports=exports)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(cli)
    return parser


def date_arg(value: str) -> dt.date:
    """An argparse type: a day as YYYY-MM-DD, with a precise error otherwise."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date in the form YYYY-MM-DD (e.g. 2022-08-31)"
        ) from None


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    # `motcua manage ...` passes everything after it to Django untouched.
    if args_list and args_list[0] == "manage":
        setup_django()
        from django.core.management import execute_from_command_line

        execute_from_command_line(["motcua manage", *args_list[1:]])
        return 0
    parser = build_parser()
    args = parser.parse_args(args_list)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    setup_django()
    from django.db import DatabaseError

    try:
        return handler(args)
    except DatabaseError as exc:
        pending = _unapplied_migrations()
        if not pending:
            raise
        # A database never migrated (or behind the code) fails deep in a query ("no such
        # table", "relation does not exist"): say what to do rather than print a traceback.
        print(
            f"motcua: {pending} migrations are not applied to this database; "
            f"run `motcua migrate` first ({exc})",
            file=sys.stderr,
        )
        return 1


def _unapplied_migrations() -> int:
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
