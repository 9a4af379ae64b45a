"""``motcua archive export`` (the hand-over package) and ``motcua archive expired``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.cli import CLI


def _export(args: argparse.Namespace) -> int:
    from motcua.archive.handover import HandoverError, archive_export

    try:
        report = archive_export(
            agency_code=args.agency, year=args.year, output=args.output, actor=args.actor
        )
    except HandoverError as exc:
        print(f"motcua archive export: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        name = exc.filename or args.output
        print(f"motcua archive export: {name}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(
        f"motcua archive export: {report.documents} document(s), {report.bytes} byte(s) → "
        f"{report.path} (documents_sha256 {report.documents_sha256})"
    )
    return 0


def _expired(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from motcua.archive.handover import documents_expired

    on = args.on or timezone.localdate()
    count = 0
    print("id\tkind\tcode\tdossier\tname\tstored_on\tretention_years\tretain_until\tfile")
    for document in documents_expired(on).iterator(chunk_size=500):
        dossier = document.dossier.code if document.dossier is not None else ""
        print(
            "\t".join(
                str(value)
                for value in (
                    document.pk,
                    document.kind,
                    document.code or "-",
                    dossier or "-",
                    document.name,
                    timezone.localtime(document.created_at).date().isoformat(),
                    document.retention_years,
                    document.retain_until.isoformat() if document.retain_until else "-",
                    document.file.name,
                )
            )
        )
        count += 1
    print(
        f"motcua archive expired: {count} document(s) past their retention on "
        f"{on.isoformat()}; nothing deleted (disposal is the records office's decision)",
        file=sys.stderr,
    )
    return 0


def _year(value: str) -> int:
    if not (len(value) == 4 and value.isdigit()):
        raise argparse.ArgumentTypeError(f"{value!r} is not a year (YYYY)")
    return int(value)


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def register(cli: CLI) -> None:
    p = cli.commands.add_parser(
        "archive",
        help="hand stored documents over to the records office; list expired ones",
        description="The archive of stored documents (archive.Document).",
    )
    sub = p.add_subparsers(dest="archive_command", metavar="WHAT", required=True)

    e = sub.add_parser(
        "export",
        help="write an agency's documents of a year as a hand-over package",
        description="Write the documents of the dossiers that AGENCY decided and that ended in "
        "YEAR into DIR: files/<document id><extension> and manifest.json (each document's "
        "metadata, size and SHA-256, and a hash of the whole list), with manifest.json.sha256. "
        "Every file is checked against its recorded SHA-256. DIR must be new or empty; on any "
        "error nothing is left in it. Exit 0: written; 1: refused (unknown agency, DIR not "
        "empty, a file missing or changed); 2: wrong options.",
    )
    e.add_argument("--agency", required=True, metavar="CODE", help="the agency's code")
    e.add_argument("--year", required=True, type=_year, metavar="YYYY")
    e.add_argument("--output", required=True, type=Path, metavar="DIR")
    e.add_argument("--actor", default="archive-export", help="name recorded in the audit trail")
    e.set_defaults(handler=_export)

    x = sub.add_parser(
        "expired",
        help="list the documents past their retention period (never deletes)",
        description="List, tab-separated on stdout, the stored documents whose retention "
        "period ended before DATE (default today): retention years by kind, "
        "archive.models.RETENTION_YEARS. Nothing is deleted.",
    )
    x.add_argument("--on", type=_day, default=None, metavar="DATE", help="YYYY-MM-DD")
    x.set_defaults(handler=_expired)
