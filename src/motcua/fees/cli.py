"""``motcua import fees FILE``, ``motcua export fees``, ``motcua fake-payment-platform``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from motcua.core.interchange_cli import export_write, import_report

if TYPE_CHECKING:
    from motcua.cli import CLI


def _import(args: argparse.Namespace) -> int:
    from motcua.fees.interchange import FeeImportError, fees_import

    return import_report(
        args.file,
        lambda: fees_import(args.file),
        FeeImportError,
        _("%(file)s: %(written)s bảng phí, lệ phí được ghi, %(unchanged)s không đổi."),
    )


def _export(args: argparse.Namespace) -> int:
    from motcua.fees.interchange import fees_export

    return export_write("fees", fees_export(), args.output)


def _fake_platform(args: argparse.Namespace) -> int:
    from motcua.fees.fake_platform import FakePlatform

    platform = FakePlatform(secret=args.secret, port=args.port, callback_token=args.token)
    print(f"fake payment platform on {platform.url} (Ctrl-C stops)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        platform.serve_forever()
    return 0


def _reconcile(args: argparse.Namespace) -> int:

    from motcua.fees.reconcile import StatementInvalid, day_parse, reconcile

    try:
        day = day_parse(args.day)
    except StatementInvalid as exc:
        print(f"--day: {exc.problem}", file=sys.stderr)
        return 2
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        mismatches = reconcile(text, day)
    except StatementInvalid as exc:
        # FILE:LINE: column: problem, as compilers and linters print theirs.
        where = ":".join(str(part) for part in (args.file, exc.line or "") if part != "")
        column = f" {exc.column}:" if exc.column else ""
        print(f"{where}:{column} {exc.problem}", file=sys.stderr)
        return 2
    for mismatch in mismatches:
        print(mismatch)
    print(_("%(n)s chênh lệch.") % {"n": len(mismatches)})
    return 1 if mismatches else 0


def register(cli: CLI) -> None:
    p = cli.imports.add_parser(
        "fees",
        help="fee rules (phí, lệ phí) of procedure versions from a CSV file",
        description="Import the fee tables: one line per rule with the columns procedure, "
        "version_from, kind, label, amount, per, applicant, exemptions, legal_basis "
        "(docs/operations.md). The whole file is checked first; any error imports nothing.",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=_import)

    p = cli.exports.add_parser(
        "fees",
        help="fee rules as CSV",
        description="Write every fee rule as the CSV that `motcua import fees` reads.",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(handler=_export)

    p = cli.commands.add_parser(
        "fake-payment-platform",
        help="run the local fake online payment platform (demo and tests)",
        description="A payment platform on 127.0.0.1 for the demo: set MOTCUA_PAYMENT_PLATFORM"
        "=fake, MOTCUA_PAYMENT_PLATFORM_URL to its address and the same MOTCUA_PAYMENT_SECRET.",
    )
    p.add_argument("--port", type=int, default=8099)
    p.add_argument("--secret", required=True)
    p.add_argument(
        "--token",
        default="",
        help="an API token of the payment_callback scope (motcua manage api_token create "
        "--scope payment_callback), sent with each callback",
    )
    p.set_defaults(handler=_fake_platform)

    p = cli.commands.add_parser(
        "reconcile-payments",
        help="compare a day's online payments with the platform's statement (CSV)",
        description="List every difference between the platform's statement of DAY (columns "
        "order_id, transaction_id, amount, status) and the online payments recorded; exits 1 "
        "when there is any. Reads only.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--day", required=True, metavar="YYYY-MM-DD")
    p.set_defaults(handler=_reconcile)
