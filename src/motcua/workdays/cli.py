"""``motcua calendar …``: the legal clock from the command line.

``motcua calendar due`` is the batch interface (JSONL in, JSONL out) used by operators and
by independent checkers of §5; ``explain`` shows one computation for a person; ``list``
shows a year's days off and make-up days with their reasons.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from motcua.cli import CLI
    from motcua.workdays.calendar import WorkCalendar
    from motcua.workdays.clock import ClockRules

DUE_HELP = """\
Read cases as JSON Lines on stdin, one per line:
  {"received_at": "2022-08-29T10:00:00+07:00", "duration": 3,
   "unit": "working_days", "cutoff": true}
and write one JSON line per case, in the same order:
  {"due_at": "2022-09-05T17:00:00+07:00"}

Fields: received_at is ISO-8601 with a UTC offset (any offset; "Z" is accepted; a time
without offset is an error). duration is a number >= 0 (fractions of a day round up to
the whole day; working_hours may be fractional). unit is working_days, calendar_days or
working_hours. cutoff (the 15:00 rule, domain.md §5) is optional and defaults to true.
Blank lines are skipped and produce no output line.

A bad line produces {"error": "line N: field: what is wrong"} in its place; the other
lines are still computed, and the command exits with status 1 at the end.
"""


def _calendar() -> WorkCalendar:
    """The installation's calendar; the seeded one if the database is not migrated yet."""
    from django.db import DatabaseError

    from motcua.workdays.calendar import get_calendar

    try:
        return get_calendar()
    except DatabaseError:
        import importlib

        from motcua.workdays.calendar import Override, WorkCalendar

        seed = importlib.import_module("motcua.workdays.migrations.0004_override_reference_date")
        print(
            "motcua calendar: the database is not migrated; using the built-in official "
            "schedule without local overrides.",
            file=sys.stderr,
        )
        return WorkCalendar(
            Override(day=d, working=k == "working", legal_reference=r, note=n, reference_date=i)
            for d, k, r, i, n in seed.OVERRIDES
        )


class CaseError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")


def parse_instant(value: Any, field: str = "received_at") -> datetime:
    if not isinstance(value, str):
        raise CaseError(field, "must be an ISO-8601 string with a UTC offset")
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CaseError(field, f"not an ISO-8601 date-time: {value!r}") from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise CaseError(field, f"no UTC offset (e.g. +07:00) in {value!r}")
    return instant


def parse_case(raw: str) -> tuple[datetime, int | Decimal, str, bool]:
    from motcua.workdays.clock import UNITS

    try:
        case = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CaseError("json", f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(case, dict):
        raise CaseError("json", "expected an object")
    for name in ("received_at", "duration", "unit"):
        if name not in case:
            raise CaseError(name, "missing")
    received = parse_instant(case["received_at"])
    duration = case["duration"]
    if isinstance(duration, bool) or not isinstance(duration, int | float):
        raise CaseError("duration", f"must be a number, got {duration!r}")
    if isinstance(duration, float):
        if not math.isfinite(duration):
            raise CaseError("duration", f"must be finite, got {duration!r}")
        duration_value: int | Decimal = Decimal(repr(duration))
    else:
        duration_value = duration
    if duration_value < 0:
        raise CaseError("duration", f"must be >= 0, got {duration!r}")
    unit = case["unit"]
    if unit not in UNITS:
        raise CaseError("unit", f"must be one of {', '.join(UNITS)}, got {unit!r}")
    cutoff = case.get("cutoff", True)
    if not isinstance(cutoff, bool):
        raise CaseError("cutoff", f"must be true or false, got {cutoff!r}")
    return received, duration_value, unit, cutoff


def run_due(stdin: TextIO, stdout: TextIO, calendar: WorkCalendar, rules: ClockRules) -> int:
    from motcua.workdays.calendar import MAX_YEAR, MIN_YEAR
    from motcua.workdays.clock import due_at

    failed = 0
    out: list[str] = []
    for number, raw in enumerate(stdin, start=1):
        if not raw.strip():
            continue
        try:
            received, duration, unit, cutoff = parse_case(raw)
            try:
                due = due_at(
                    received, duration, unit, cutoff=cutoff, calendar=calendar, rules=rules
                )
            except (ValueError, OverflowError) as exc:
                # parse_case checked every field; what is left is a date outside the
                # calendar's range, reached by the receipt itself or by the duration.
                in_range = MIN_YEAR <= received.year <= MAX_YEAR
                raise CaseError(
                    "duration" if in_range else "received_at",
                    f"outside the calendar's range {MIN_YEAR}–{MAX_YEAR} ({exc})",
                ) from None
            out.append(f'{{"due_at": "{due.isoformat()}"}}\n')
        except CaseError as exc:
            failed += 1
            out.append(json.dumps({"error": f"line {number}: {exc}"}, ensure_ascii=False) + "\n")
        if len(out) >= 4096:
            stdout.write("".join(out))
            out.clear()
    stdout.write("".join(out))
    stdout.flush()
    return 1 if failed else 0


def _due(args: argparse.Namespace) -> int:
    from motcua.workdays.clock import get_rules

    return run_due(sys.stdin, sys.stdout, _calendar(), get_rules())


def _explain(args: argparse.Namespace) -> int:
    from motcua.workdays.clock import UNITS, explain, get_rules

    try:
        received = parse_instant(args.received, "--received")
        duration = Decimal(args.duration)
        if not duration.is_finite() or duration < 0:
            raise CaseError("--duration", f"must be a number >= 0, got {args.duration!r}")
    except CaseError as exc:
        print(f"motcua calendar explain: {exc}", file=sys.stderr)
        return 2
    except ArithmeticError:
        print(
            f"motcua calendar explain: --duration: not a number: {args.duration!r}",
            file=sys.stderr,
        )
        return 2
    if args.unit not in UNITS:
        print(f"motcua calendar explain: --unit: must be one of {', '.join(UNITS)}")
        return 2
    result = explain(
        received,
        duration,
        args.unit,
        cutoff=not args.no_cutoff,
        calendar=_calendar(),
        rules=get_rules(),
    )
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(result.as_text(args.lang))
    return 0


def _list(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _

    from motcua.workdays.calendar import WEEKDAY_NAMES_VI
    from motcua.workdays.references import pending_reason, reference_display

    calendar = _calendar()
    rows = calendar.year_exceptions(args.year)
    flagged = 0
    for info in rows:
        if args.unconfirmed and not info.unconfirmed:
            continue
        status = _("làm việc") if info.working else _("nghỉ")
        day = f"{info.day.day}/{info.day.month}/{info.day.year}"
        weekday = WEEKDAY_NAMES_VI[info.day.weekday()]
        if info.kind == "pending":
            basis = pending_reason(info.day) or ""
        elif info.unconfirmed:
            flagged += 1
            basis = _("chưa có căn cứ — cần xác nhận")
        else:
            basis = _("Căn cứ: %(reference)s") % {
                "reference": reference_display(info.reference, info.reference_date)
            }
        print(f"{day:<10}  {weekday:<8}  {status:<8}  {info.label}  |  {basis}")
    working = sum(
        calendar.is_working_day(date.fromordinal(o))
        for o in range(date(args.year, 1, 1).toordinal(), date(args.year, 12, 31).toordinal() + 1)
    )
    print(_("Số ngày làm việc năm %(year)s: %(count)s") % {"year": args.year, "count": working})
    if flagged:
        print(
            _(
                "%(count)s ngày chỉ theo gói holidays, chưa có căn cứ — cần xác nhận: ghi văn "
                "bản vào lịch điều chỉnh (quản trị: Lịch điều chỉnh)."
            )
            % {"count": flagged}
        )
    return 0


def register(cli: CLI) -> None:
    parser = cli.commands.add_parser(
        "calendar",
        help="the working calendar and the legal clock (due dates)",
        description="The working calendar and the legal clock of domain.md §5.",
    )
    sub = parser.add_subparsers(dest="calendar_command", metavar="SUBCOMMAND", required=True)

    due = sub.add_parser(
        "due",
        help="compute due dates for JSONL cases on stdin",
        description=DUE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    due.set_defaults(handler=_due)

    exp = sub.add_parser(
        "explain",
        help="show how one due date is computed (days counted and skipped)",
        description="Show how a due date is computed: the deemed receipt day and every day "
        "counted or skipped, with the reason (weekend, holiday, override, cut-off).",
    )
    exp.add_argument(
        "--received", required=True, help="ISO-8601 with offset, e.g. 2022-08-31T15:30:00+07:00"
    )
    exp.add_argument("--duration", required=True, help="number of units, e.g. 3 or 4.5")
    exp.add_argument("--unit", required=True, help="working_days, calendar_days or working_hours")
    exp.add_argument("--no-cutoff", action="store_true", help="the procedure has no 15:00 rule")
    exp.add_argument("--json", action="store_true", help="print the stored JSON form")
    exp.add_argument("--lang", choices=["vi", "en"], default="vi", help="text language")
    exp.set_defaults(handler=_explain)

    lst = sub.add_parser(
        "list",
        help="days off and make-up working days of a year, with reasons",
        description="List the holidays, official days off and make-up working days of a "
        "year (weekends are not listed), each with its label and legal reference; a day that "
        "only the holidays package asserts is flagged for the administrator to confirm.",
    )
    lst.add_argument("--year", type=int, default=date.today().year)
    lst.add_argument(
        "--unconfirmed",
        action="store_true",
        help="only the days with no legal reference recorded (to be confirmed)",
    )
    lst.set_defaults(handler=_list)
