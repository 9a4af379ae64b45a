"""``motcua report``: period figures (domain.md §7) and indicators (§8) from the command line.

    motcua report --from 2022-06-05 --to 2022-08-31 [--agency CODE] [--format json] [--output F]
    motcua report indicators --year 2022 [--to 2022-08-31] [--agency CODE] [--output F]
    motcua report send --period 2022Q3 [--agency CODE] [--kind ii06a|indicators]
                       [--resend | --force --reason TEXT]

``send`` freezes a period's reports for the Government reporting information system (a new
version only when the figures changed, or forced with a reason) and sends what is waiting;
``--resend`` queues the latest version's frozen payload again (``reports.sending``).

JSON goes to stdout unless ``--output`` names a file. Documents (docx, xlsx, pdf) are made by
``motcua.reports.documents`` when that module exists; see ``render_document`` below for the
hook it must provide.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from motcua.cli import date_arg

if TYPE_CHECKING:
    from motcua.agencies.models import Agency
    from motcua.cli import CLI

DOCUMENT_FORMATS = ("docx", "xlsx", "pdf")


_date = date_arg


def _agency(code: str | None) -> Agency | None:
    from motcua.agencies.models import Agency

    if code is None:
        return None
    try:
        return Agency.objects.get(code=code)
    except Agency.DoesNotExist:
        raise LookupError(f"no agency with code {code!r}") from None


def render_document(figures: dict[str, Any], fmt: str) -> bytes | None:
    """The documents hook: ``motcua.reports.documents.render(figures, fmt) -> bytes`` with a
    ``FORMATS`` collection of the formats it can make. ``None`` when no renderer exists for
    ``fmt`` (the module is absent or does not list the format)."""
    try:
        documents = importlib.import_module("motcua.reports.documents")
    except ModuleNotFoundError as exc:
        if exc.name != "motcua.reports.documents":
            raise
        return None
    if fmt not in getattr(documents, "FORMATS", ()):
        return None
    data: bytes = documents.render(figures, fmt)
    return data


def _write(data: str | bytes, output: str | None) -> None:
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(data)
        return
    path = Path(output)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def _ranking(args: argparse.Namespace) -> int:
    """``motcua report ranking [--period YYYY|YYYYQN] [--force]``: compute and keep the QĐ 766
    ranking of a period (``reports.ranking``), audited; the hourly job keeps the current ones."""
    from django.utils import timezone

    from motcua.reports.ranking import (
        current_periods,
        ranking_compute_audited,
        ranking_period_parse,
    )

    today = timezone.localdate()
    try:
        periods = (
            [ranking_period_parse(args.period, today=today)]
            if args.period
            else current_periods(today)
        )
    except ValueError as exc:
        print(f"motcua report ranking: --period {exc}", file=sys.stderr)
        return 2
    for period in periods:
        rows = ranking_compute_audited(period=period, actor="cli", force=args.force)
        if rows is None:
            print(f"ranking {period}: closed and already computed, kept (--force to redo)")
        else:
            print(f"ranking {period}: {len(rows)} agencies computed")
    return 0


def _report(args: argparse.Namespace) -> int:
    from motcua.reports.queries import ReportError

    try:
        agency = _agency(args.agency)
        if args.what == "send":
            return _send(args, agency)
        if args.what == "indicators":
            return _indicators(args, agency)
        if args.what == "ranking":
            return _ranking(args)
        if args.date_from is None or args.date_to is None:
            print("motcua report: --from and --to are required", file=sys.stderr)
            return 2
        if args.what == "fees":
            return _fees(args, agency)
        from motcua.reports.queries import period_figures

        figures = period_figures(date_from=args.date_from, date_to=args.date_to, agency=agency)
    except (LookupError, ReportError) as exc:
        print(f"motcua report: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        _write(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", args.output)
        return 0
    if args.output is None:
        print(f"motcua report: --format {args.format} needs --output FILE", file=sys.stderr)
        return 2
    document = render_document(figures, args.format)
    if document is None:
        print(
            f"motcua report: the {args.format} document is not yet available; use --format json",
            file=sys.stderr,
        )
        return 2
    _write(document, args.output)
    return 0


def _fees(args: argparse.Namespace, agency: Agency | None) -> int:
    """Fees collected per agency (``reports.fees_collected``): JSON, or the XLSX to a file."""
    from motcua.reports.fees_collected import fees_collected, fees_collected_xlsx

    if args.date_to < args.date_from:
        print("motcua report fees: --to is before --from", file=sys.stderr)
        return 2
    report = fees_collected(args.date_from, args.date_to, agency)
    if args.format == "xlsx":
        if args.output is None:
            print("motcua report fees: --format xlsx needs --output FILE", file=sys.stderr)
            return 2
        _write(fees_collected_xlsx(report), args.output)
        return 0
    if args.format != "json":
        print("motcua report fees: --format json or xlsx", file=sys.stderr)
        return 2
    data = {
        "from": report.date_from.isoformat(),
        "to": report.date_to.isoformat(),
        "scope": report.scope_name,
        "agencies": [
            {
                "code": r.agency_code,
                "name": r.agency_name,
                "receipts": r.receipts,
                "cash": r.cash,
                "transfer": r.transfer,
                "online": r.online,
                "total": r.total,
            }
            for r in report.rows
        ],
        "receipts": report.receipts,
        "total": report.column("total"),
    }
    _write(json.dumps(data, ensure_ascii=False, indent=2) + "\n", args.output)
    return 0


def _indicators(args: argparse.Namespace, agency: Agency | None) -> int:
    from motcua.reports.indicators import indicators_for_year

    if args.year is None:
        print("motcua report indicators: --year is required", file=sys.stderr)
        return 2
    if args.format != "json":
        print("motcua report indicators: only --format json is available", file=sys.stderr)
        return 2
    result = indicators_for_year(year=args.year, date_to=args.date_to, agency=agency)
    _write(json.dumps(result, ensure_ascii=False, indent=2) + "\n", args.output)
    return 0


def _send(args: argparse.Namespace, agency: Agency | None) -> int:
    from motcua.reports.govlink import GovReportError, govreport_enabled
    from motcua.reports.models import ReportSubmission, SubmissionKind
    from motcua.reports.sending import (
        report_period,
        report_submission_resend,
        report_submissions_send_due,
        report_submit,
    )

    if args.period is None:
        print("motcua report send: --period is required (e.g. 2022Q3)", file=sys.stderr)
        return 2
    if args.force and args.resend:
        print("motcua report send: --force and --resend exclude each other", file=sys.stderr)
        return 2
    period = report_period(args.period)
    scope = agency.code if agency else "toàn tỉnh"
    rows: list[ReportSubmission] = []
    for kind in [args.kind] if args.kind else SubmissionKind.values:
        latest = (
            ReportSubmission.objects.filter(kind=kind, period=period.code, agency=agency)
            .order_by("-version")
            .first()
        )
        if args.resend and latest is not None:
            queued = report_submission_resend(submission=latest, actor="cli")
            word = "đưa vào hàng đợi gửi lại" if queued else "đang gửi, không đưa lại"
            print(f"{kind} {period.code} {scope}: phiên bản {latest.version}, {word}")
            rows.append(latest)
            continue
        result = report_submit(
            period=period,
            agency=agency,
            kind=kind,
            actor="cli",
            force=args.force,
            reason=args.reason or "",
        )
        row = result.submission
        word = "phiên bản mới" if result.created else "số liệu không đổi"
        print(f"{kind} {period.code} {scope}: {word}, phiên bản {row.version} ({row.status})")
        rows.append(row)
    if not govreport_enabled():
        print("chưa cấu hình MOTCUA_GOVREPORT: báo cáo chờ gửi khi có liên thông")
        return 0
    try:
        sent = report_submissions_send_due()
    except GovReportError as exc:
        print(f"motcua report send: {exc}", file=sys.stderr)
        return 1
    print(f"đã gửi {sent.sent}, chờ gửi lại {sent.retrying}, bị từ chối {sent.failed}")
    for row in rows:
        row.refresh_from_db()
    return 0 if all(r.status in ("sent", "superseded") for r in rows) else 1


def register(cli: CLI) -> None:
    p = cli.commands.add_parser(
        "report",
        help="period report figures (JSON) or indicators",
        description="Figures of a period report (domain.md §7): `motcua report --from DATE "
        "--to DATE`; indicators of a year (§8): `motcua report indicators --year YYYY`.",
    )
    p.add_argument(
        "what",
        nargs="?",
        choices=["period", "indicators", "send", "fees", "ranking"],
        default="period",
        help="period (default), indicators, send (to the Government reporting system), "
        "fees (fees collected per agency, json or --format xlsx), or ranking (compute and keep "
        "the QĐ 766 ranking of --period, default the current year and quarter)",
    )
    p.add_argument("--from", dest="date_from", type=_date, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=_date, help="last day (YYYY-MM-DD), included")
    p.add_argument("--year", type=int, help="indicators: the year (to date)")
    p.add_argument("--agency", help="agency code: that agency and everything under it")
    p.add_argument(
        "--format", choices=["json", *DOCUMENT_FORMATS], default="json", help="default json"
    )
    p.add_argument("--output", "-o", help="file to write (default: stdout)")
    p.add_argument(
        "--period", help="send, ranking: the period, 2022Q3 (a quarter) or 2022 (a year)"
    )
    p.add_argument("--kind", choices=["ii06a", "indicators"], help="send: one report only")
    p.add_argument(
        "--resend", action="store_true", help="send: the latest version again, as frozen"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="send: a new version even if nothing changed; ranking: recompute a closed period",
    )
    p.add_argument("--reason", help="send: why a forced new version is made")
    p.set_defaults(handler=_report)
