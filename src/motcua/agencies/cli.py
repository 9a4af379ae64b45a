"""``motcua import letterheads FILE``: letterhead data of agencies (``letterhead_import``)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from motcua.cli import CLI


def _import(args: argparse.Namespace) -> int:
    from motcua.agencies.letterhead_import import LetterheadImportError, letterheads_import

    try:
        written, unchanged = letterheads_import(args.file)
    except LetterheadImportError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        print(
            _("%(file)s: %(n)s lỗi; không nhập gì.") % {"file": args.file, "n": len(exc.issues)},
            file=sys.stderr,
        )
        return 1
    print(
        _("%(file)s: %(written)s dòng thể thức văn bản được ghi, %(unchanged)s không đổi.")
        % {"file": args.file, "written": written, "unchanged": unchanged}
    )
    return 0


def register(cli: CLI) -> None:
    p = cli.imports.add_parser(
        "letterheads",
        help="what agencies' documents print (superior body, place, head's title), by date",
        description="Import letterhead data from a CSV file with the columns agency, "
        "valid_from, superior, unit_name, place_name, head_title, abbreviation. The whole file "
        "is checked first; any error imports nothing.",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=_import)
