"""``motcua signing check``: open each agency's configured certificate and say whether it
can sign today (README, "Digital signatures")."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from motcua.cli import CLI


def signing_check(out: TextIO) -> int:
    """One line per ``<code>.p12`` of ``MOTCUA_SIGNING_DIR``; 1 when any cannot sign now."""
    from django.utils import timezone

    from motcua.agencies.models import Agency
    from motcua.archive.signing import (
        SignatureError,
        agency_certificate_codes,
        agency_signer,
        signing_dir,
        trust_roots_load,
    )

    folder = signing_dir()
    if folder is None:
        print(
            "Chưa cấu hình MOTCUA_SIGNING_DIR: kết quả được lưu như tải lên, không ký số.",
            file=out,
        )
        return 0
    if not folder.is_dir():
        print(f"Thư mục chứng thư số {folder} không tồn tại.", file=out)
        return 1
    failed = False
    try:
        roots = trust_roots_load()
        print(f"Chứng thư gốc tin cậy: {len(roots)}", file=out)
    except SignatureError as exc:
        print(str(exc), file=out)
        failed = True
    codes = agency_certificate_codes()
    if not codes:
        print(f"Không có tệp <mã cơ quan>.p12 nào trong {folder}.", file=out)
    names = dict(Agency.objects.filter(code__in=codes).values_list("code", "name"))
    now = timezone.now()
    for code in codes:
        agency = names.get(code, "(không có cơ quan mang mã này)")
        try:
            signer = agency_signer(code)
        except SignatureError as exc:
            print(f"{code}\t{agency}\tLỖI: {exc}", file=out)
            failed = True
            continue
        assert signer is not None
        refusal = signer.refusal_at(now)
        if refusal:
            print(f"{code}\t{agency}\tLỖI: {refusal}", file=out)
            failed = True
            continue
        until = timezone.localtime(signer.not_after).strftime("%d/%m/%Y")
        print(f"{code}\t{agency}\t{signer.common_name}\thiệu lực đến {until}", file=out)
    return 1 if failed else 0


def _check(args: argparse.Namespace) -> int:
    return signing_check(sys.stdout)


def register(cli: CLI) -> None:
    p = cli.commands.add_parser(
        "signing",
        help="the agencies' signing certificates",
        description="Digital signatures of results (README, 'Digital signatures').",
    )
    sub = p.add_subparsers(dest="signing_command", metavar="COMMAND", required=True)
    check = sub.add_parser(
        "check",
        help="open each configured PKCS#12 and report its validity",
        description="Open each <agency code>.p12 of MOTCUA_SIGNING_DIR with its password and "
        "report who it names and until when it may sign. Exits 1 when any cannot sign today.",
    )
    check.set_defaults(handler=_check)
