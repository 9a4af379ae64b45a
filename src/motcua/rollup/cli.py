"""``motcua rollup rebuild [--from DATE] [--to DATE]``: recompute the daily rollup from the
dossiers (after an upgrade that adds it, a restore, or a correction made outside the
services). Without dates, every day that has a dossier.

``motcua rollup compact``: fold the changes appended since the last run now (the worker does
it every ten minutes)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from motcua.cli import date_arg as _date

if TYPE_CHECKING:
    from motcua.cli import CLI


def _rebuild(args: argparse.Namespace) -> int:
    from motcua.rollup.services import rollup_rebuild_audited

    rows = rollup_rebuild_audited(actor="cli", date_from=args.date_from, date_to=args.date_to)
    print(f"rollup rebuilt: {rows} rows")
    return 0


def _compact(args: argparse.Namespace) -> int:
    from motcua.rollup.services import rollup_compact

    print(f"rollup compacted: {rollup_compact()} rows folded away")
    return 0


def register(cli: CLI) -> None:
    p = cli.commands.add_parser("rollup", help="the daily rollup of the period figures")
    sub = p.add_subparsers(dest="rollup_command", metavar="ACTION", required=True)
    r = sub.add_parser("rebuild", help="recompute the daily rollup from the dossiers")
    r.add_argument("--from", dest="date_from", type=_date, help="first day (YYYY-MM-DD)")
    r.add_argument("--to", dest="date_to", type=_date, help="last day (YYYY-MM-DD), included")
    r.set_defaults(handler=_rebuild)
    c = sub.add_parser("compact", help="fold the changes appended since the last compaction")
    c.set_defaults(handler=_compact)
