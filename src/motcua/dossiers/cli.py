"""``motcua import dossiers`` and ``motcua import guidance``."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from motcua.cli import CLI


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _run(args: argparse.Namespace, what: str) -> int:
    from motcua.dossiers.importing import ImportFailed, import_dossier_file, import_guidance_file

    importer = import_dossier_file if what == "dossiers" else import_guidance_file
    started = time.monotonic()
    try:
        result = importer(args.file, actor=args.actor, progress=_progress)
    except FileNotFoundError:
        print(f"motcua import {what}: {args.file}: no such file", file=sys.stderr)
        return 2
    except UnicodeDecodeError as exc:
        print(f"motcua import {what}: {args.file}: not UTF-8 ({exc.reason})", file=sys.stderr)
        return 1
    except ImportFailed as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        print(
            f"motcua import {what}: {len(exc.errors)} error(s); nothing was imported",
            file=sys.stderr,
        )
        return 1
    print(
        f"{args.file}: {result.read} line(s) read, {result.created} {what} imported, "
        f"{result.skipped} already present ({time.monotonic() - started:.1f} s)"
    )
    return 0


def _dossiers(args: argparse.Namespace) -> int:
    return _run(args, "dossiers")


def _guidance(args: argparse.Namespace) -> int:
    return _run(args, "guidance")


def register(cli: CLI) -> None:
    p = cli.imports.add_parser(
        "dossiers",
        help="import dossier histories from a JSONL file (dossier-history.schema.json)",
        description="Import dossiers with their history from an earlier system, one JSON "
        "object per line. Every line is checked first; if any is invalid nothing is imported "
        "and each error is printed as FILE:LINE: FIELD: message. Lines already imported with "
        "the same content are skipped; the same code with other content is an error.",
    )
    p.add_argument("file", help="the JSONL file")
    p.add_argument("--actor", default="import", help="name recorded in the audit trail")
    p.set_defaults(handler=_dossiers)

    p = cli.imports.add_parser(
        "guidance",
        help="import guidance contacts from a JSONL file (guidance.schema.json)",
        description="Import guidance contacts (hướng dẫn), one JSON object per line; all or "
        "nothing, idempotent (a line already imported is skipped).",
    )
    p.add_argument("file", help="the JSONL file")
    p.add_argument("--actor", default="import", help="name recorded in the audit trail")
    p.set_defaults(handler=_guidance)
