"""``motcua import letterheads FILE``: letterhead data of agencies (``letterhead_import``);
``motcua import agency-contacts FILE`` and ``motcua export agency-contacts``: address, hours
and phones of agencies (``contacts``)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from motcua.core.interchange_cli import export_write, import_report

if TYPE_CHECKING:
    from motcua.cli import CLI


def _import(args: argparse.Namespace) -> int:
    from motcua.agencies.letterhead_import import LetterheadImportError, letterheads_import

    return import_report(
        args.file,
        lambda: letterheads_import(args.file),
        LetterheadImportError,
        _("%(file)s: %(written)s dòng thể thức văn bản được ghi, %(unchanged)s không đổi."),
    )


def _import_contacts(args: argparse.Namespace) -> int:
    from motcua.agencies.contacts import AgencyContactImportError, agency_contacts_import

    return import_report(
        args.file,
        lambda: agency_contacts_import(args.file),
        AgencyContactImportError,
        _("%(file)s: %(written)s dòng địa chỉ liên hệ được ghi, %(unchanged)s không đổi."),
    )


def _export_contacts(args: argparse.Namespace) -> int:
    from motcua.agencies.contacts import agency_contacts_export

    return export_write("agency-contacts", agency_contacts_export(), args.output)


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

    p = cli.imports.add_parser(
        "agency-contacts",
        help="address, opening hours, phone, hotline, e-mail and map link of agencies",
        description="Import agencies' contacts from a CSV file with the column agency and any "
        "of address, opening_hours (day ranges separated by ';'), phone, hotline, email, "
        "map_url. The whole file is checked first; any error imports nothing. Re-importing "
        "the same file changes nothing.",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=_import_contacts)

    p = cli.exports.add_parser(
        "agency-contacts",
        help="agencies' contacts as the CSV that `motcua import agency-contacts` reads",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(handler=_export_contacts)
