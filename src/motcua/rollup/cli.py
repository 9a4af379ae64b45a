"""``motcua rollup rebuild [--from DATE] [--to DATE]``: recompute the daily rollup from the
dossiers (after an upgrade that adds it, a restore, or a correction made outside the
services). Without dates, every day that has a dossier.

``motcua rollup ranking [--period YYYY|YYYY-QN] [--force]``: compute and keep the QĐ 766
ranking of a period (``reports.ranking``)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from django.utils import timezone

from motcua.cli import date_arg as _date

if TYPE_CHECKING:
    from motcua.cli import CLI


def _rebuild(args: argparse.Namespace) -> int:
    from motcua.rollup.services import rollup_rebuild_audited

    rows = rollup_rebuild_audited(actor="cli", date_from=args.date_from, date_to=args.date_to)
    print(f"rollup rebuilt: {rows} rows")
    return 0


def _ranking(args: argparse.Namespace) -> int:
    from motcua.reports.ranking import (
        current_periods,
        ranking_compute_audited,
        ranking_period_parse,
    )

    try:
        periods = (
            [ranking_period_parse(args.period)]
            if args.period
            else current_periods(timezone.localdate())
        )
    except ValueError as exc:
        print(f"--period {exc}", file=sys.stderr)
        return 2
    for period in periods:
        rows = ranking_compute_audited(period=period, actor="cli", force=args.force)
        if rows is None:
            print(f"ranking {period}: closed and already computed, kept (--force to redo)")
        else:
            print(f"ranking {period}: {len(rows)} agencies computed")
    return 0


def register(cli: CLI) -> None:
    p = cli.commands.add_parser("rollup", help="the daily rollup of the period figures")
    sub = p.add_subparsers(dest="rollup_command", metavar="ACTION", required=True)
    r = sub.add_parser("rebuild", help="recompute the daily rollup from the dossiers")
    r.add_argument("--from", dest="date_from", type=_date, help="first day (YYYY-MM-DD)")
    r.add_argument("--to", dest="date_to", type=_date, help="last day (YYYY-MM-DD), included")
    r.set_defaults(handler=_rebuild)
    k = sub.add_parser("ranking", help="compute and keep the QĐ 766 ranking of a period")
    k.add_argument(
        "--period", help="YYYY (the year) or YYYY-QN (a quarter); default: the current ones"
    )
    k.add_argument("--force", action="store_true", help="recompute a closed period too")
    k.set_defaults(handler=_ranking)
