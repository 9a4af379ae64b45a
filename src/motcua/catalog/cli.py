"""``motcua import catalog FILE`` and ``motcua export catalog [--output FILE]``; the province's
boundary-free list: ``motcua import province-wide FILE`` and ``motcua export province-wide``;
the citizen's guide (conditions, steps, blank forms): ``motcua import procedure-guides DIR``
and ``motcua export procedure-guides DIR``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from motcua.core.interchange_cli import export_write, import_report

if TYPE_CHECKING:
    from motcua.cli import CLI


def _read_document(path: str) -> Any:
    """The parsed JSON of ``path``; exits with file:line:column on a syntax error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SystemExit(f"{path}: not UTF-8 text: {exc}") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SystemExit(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from exc


def _import(args: argparse.Namespace) -> int:
    from motcua.catalog.services import CatalogImportError, catalog_import, catalog_validate

    try:
        document = _read_document(args.file)
    except SystemExit as exc:
        print(f"motcua import catalog: {exc}", file=sys.stderr)
        return 1
    if args.check:
        issues = catalog_validate(document)
        for issue in issues:
            print(f"{args.file}: {issue}", file=sys.stderr)
        if issues:
            print(f"{args.file}: {len(issues)} error(s); nothing imported.", file=sys.stderr)
            return 1
        print(f"{args.file}: valid.")
        return 0
    try:
        summary = catalog_import(document, actor="motcua import catalog")
    except CatalogImportError as exc:
        for issue in exc.issues:
            print(f"{args.file}: {issue}", file=sys.stderr)
        print(f"{args.file}: {len(exc.issues)} error(s); nothing imported.", file=sys.stderr)
        return 1
    print(
        f"{args.file}: agencies {summary.agencies_created} created, "
        f"{summary.agencies_updated} updated; procedure versions {summary.versions_created} "
        f"created ({summary.versions_superseded} replacing a previous version), "
        f"{summary.versions_updated} with new validity, {summary.versions_closed} closed, "
        f"{summary.versions_unchanged} unchanged."
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from motcua.catalog.services import catalog_export

    text = json.dumps(catalog_export(), ensure_ascii=False, indent=2) + "\n"
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"motcua export catalog: {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def _import_province_wide(args: argparse.Namespace) -> int:
    from motcua.catalog.province_wide_import import ProvinceWideImportError, province_wide_import

    return import_report(
        args.file,
        lambda: province_wide_import(args.file),
        ProvinceWideImportError,
        _(
            "%(file)s: %(written)s dòng danh mục tiếp nhận không phụ thuộc địa giới hành chính "
            "được ghi, %(unchanged)s không đổi."
        ),
    )


def _export_province_wide(args: argparse.Namespace) -> int:
    from motcua.catalog.province_wide_import import province_wide_export

    return export_write("province-wide", province_wide_export(), args.output)


def _import_guides(args: argparse.Namespace) -> int:
    from motcua.catalog.guides import GuideImportError, procedure_guides_import

    return import_report(
        args.folder,
        lambda: procedure_guides_import(args.folder),
        GuideImportError,
        _("%(file)s: %(changed)s phiên bản thủ tục được cập nhật, %(unchanged)s không đổi."),
    )


def _export_guides(args: argparse.Namespace) -> int:
    from motcua.catalog.guides import procedure_guides_export

    try:
        count = procedure_guides_export(args.folder)
    except OSError as exc:
        print(f"motcua export procedure-guides: {args.folder}: {exc}", file=sys.stderr)
        return 1
    print(f"{args.folder}: {count}")
    return 0


def register(cli: CLI) -> None:
    p = cli.imports.add_parser(
        "catalog",
        help="agencies and procedure versions from a JSON document",
        description="Import agencies and procedure versions (catalog.schema.json). The whole "
        "file is validated first; any error imports nothing. Re-importing the same file "
        "changes nothing; a changed procedure becomes a new version.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--check", action="store_true", help="validate only, write nothing")
    p.set_defaults(handler=_import)

    p = cli.exports.add_parser(
        "catalog",
        help="agencies and procedure versions as a JSON document",
        description="Write every agency and every procedure version in force or past "
        "(not superseded) as one JSON document that `motcua import catalog` accepts.",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(handler=_export)

    p = cli.imports.add_parser(
        "province-wide",
        help="the province's list of procedures received regardless of administrative "
        "boundaries (ND 118/2025)",
        description="Import the procedures a decision of the provincial chairman lists as "
        "received regardless of administrative boundaries, from a CSV file with the columns "
        "province, procedure, decision, valid_from and optionally valid_to. The whole file is "
        "checked first; any error imports nothing. Re-importing the same file changes nothing.",
    )
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=_import_province_wide)

    p = cli.exports.add_parser(
        "province-wide",
        help="the boundary-free list as CSV",
        description="Write every listing as the CSV that `motcua import province-wide` reads.",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(handler=_export_province_wide)

    p = cli.imports.add_parser(
        "procedure-guides",
        help="conditions, applicant steps and blank forms of procedure versions (a folder)",
        description="Import from DIR/guides.jsonl (one JSON object a line: code, optionally "
        "version, conditions, steps, forms with name, number and a PDF or DOCX file relative "
        "to DIR). The whole folder is checked first; any error imports nothing. Re-importing "
        "the same folder changes nothing.",
    )
    p.add_argument("folder", metavar="DIR")
    p.set_defaults(handler=_import_guides)

    p = cli.exports.add_parser(
        "procedure-guides",
        help="conditions, applicant steps and blank forms as a folder that "
        "`motcua import procedure-guides` reads",
    )
    p.add_argument("folder", metavar="DIR")
    p.set_defaults(handler=_export_guides)
