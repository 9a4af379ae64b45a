"""Demo dossier histories: 2022 of Đắk Nông reproducing the seed report, and a year of the
two-level Lâm Đồng (11/2025 → 11/2026).

The histories are records valid under ``spec/dossier-history.schema.json`` and go through the
real import (``motcua.dossiers.importing.import_dossier_records``), so the demo exercises the
import path and the classification. The 2022 part is built backwards from the seed's section
III (the constants below): every dossier is given its outcome first (carried over or received in the
period, channel, end kind and class, postal return, late reason and step), then a receipt
instant and a procedure for which that outcome is possible under the legal clock, by
rejection sampling. All of Đắk Nông's 2022 dossiers are of provincial agencies, handled by
the provincial service center, which is what the seed reports: the report for the whole
province, or for ``000.00.00.H18`` (UBND tỉnh Đắk Nông), over 5/6–31/8/2022 gives the seed's
figures exactly (tests/reports/test_demo.py).

Deterministic (fixed seed) and idempotent (skipped when its first dossier exists).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from motcua.core.demo import Login, Progress
from motcua.dossiers.classify import LOCAL

SEED_RANDOM = 20220831

# The seed report (Đắk Nông, Q3 2022), section III.
SEED_FROM, SEED_TO = dt.date(2022, 6, 5), dt.date(2022, 8, 31)
RECEIVED = {"online": 14054, "postal": 721, "direct": 17946 - 14054 - 721}
CARRIED_OVER = 1137
EARLY, ON_TIME = 8367, 8543
POSTAL_RETURN = 2929
GUIDANCE = {"direct": 1717, "outgoing_call": 1738, "incoming_call": 1070}
CUMULATIVE = {
    "received": 44717,
    "online": 33590,
    "postal": 1488,
    "resolved": 42501,
    "guidance": 10623,
}
# Footnote 2: dossiers returned (refused) by agency.
REFUSED = {
    "000.00.04.H18": 13,  # Sở Kế hoạch và Đầu tư
    "000.00.08.H18": 2,  # Sở Giao thông Vận tải
    "000.00.16.H18": 13,  # Sở Y tế
    "000.00.10.H18": 3,  # Sở Tài nguyên và Môi trường
    "000.00.09.H18": 9,  # Sở Xây dựng
    "000.00.02.H18": 3,  # Sở Nội vụ
    "000.00.15.H18": 1,  # Sở Giáo dục và Đào tạo
    "000.00.07.H18": 63,  # Sở Nông nghiệp và Phát triển nông thôn
    "000.00.12.H18": 1,  # Sở Lao động - Thương binh và Xã hội
    "000.00.13.H18": 1,  # Sở Văn hóa, Thể thao và Du lịch
    "000.00.40.H18": 861,  # Bảo hiểm xã hội tỉnh
}


@dataclass(frozen=True)
class Late:
    """Footnote 1: late dossiers of one agency with one reason and failing step."""

    agency: str
    procedure: str
    count: int
    reason: str
    step: str
    apology: bool


LATE = [
    Late(
        "000.00.03.H18",
        "2.000488",
        13,
        "Có án tích, chờ xác minh của Trung tâm Lý lịch tư pháp quốc gia (chờ xác minh theo "
        "quy định)",
        "Trung tâm Lý lịch tư pháp quốc gia",
        True,
    ),
    Late(
        "000.00.04.H18",
        "1.009645",
        1,
        "Các đơn vị chậm trễ trong việc cho ý kiến thẩm định",
        "Sở Kế hoạch và Đầu tư; UBND tỉnh",
        False,
    ),
    Late(
        "000.00.04.H18",
        "1.009646",
        5,
        "Chờ ý kiến Thường trực UBND tỉnh",
        "UBND tỉnh",
        False,
    ),
    Late(
        "000.00.10.H18",
        "1.004227",
        4,
        "Trễ hạn tại bước thẩm định",
        "Phòng Quy hoạch - Giao đất - Sở Tài nguyên và Môi trường",
        False,
    ),
    Late(
        "000.00.40.H18",
        "1.000354",
        14,
        "Cán bộ xử lý muộn, viên chức làm chậm",
        "Phòng Chế độ bảo hiểm xã hội",
        True,
    ),
    Late("000.00.40.H18", "1.000402", 3, "Lỗi phần mềm", "Phòng Chế độ bảo hiểm xã hội", True),
]
# Chosen (the seed does not say): withdrawn/stopped in the period, and how the rest of the
# received + carried over were still in progress at the end.
WITHDRAWN, STOPPED = 30, 15
IN_PROGRESS_OVERDUE = 12
IN_PROGRESS_WAITING = 40  # waiting for a supplement at the end (within due)
# Every dossier in progress at the end ends later in 2022 (none stays open for ever).
PRE_REFUSED, PRE_WITHDRAWN = 60, 23  # of the dossiers received and ended before 5/6
# Section V (year to date, 1/1-31/8/2022), built like section III: of the dossiers received and
# resolved before 5/6, these many are of district and commune committees (resolved, late),
# and these many provincial ones are late; all with an apology letter. With the period's 40
# late provincial dossiers: 1.4.1 = 41.559/41.601 = 99,90 %, 1.4.2 = 490/500 = 98,00 %, 1.4.3 =
# 388/400 = 97,00 %; 1.4.4 = 54/64 (footnote 1's 10 dossiers had no letter, whatever the
# seed's "100 %", which states the obligation).
PRE_LOCAL = {"district": (500, 10), "commune": (400, 12)}
PRE_LATE_PROVINCE = 2
# Section V 2.1.5 and 2.2.1 (procedures in force on 31/8/2022, counted by the indicator code):
# the demo catalogue has 93 Đắk Nông services with online service, 58 of them flagged on the
# national portal (58/93 = 62,37 %, the seed's "62%"), and every online dossier of 2022 goes
# to these four services, weighted (4/93 = 4,30 %, the seed's "4,3 %"). Other dossiers go to
# any procedure of their agency; the few that must stay with an agency or a procedure without
# one of these services (refusals, footnote 1's late dossiers, district and commune ones) are
# given a counter or postal channel.
ONLINE_2022 = {
    ("1.000354", "000.00.40.H18"): 40,
    ("1.000402", "000.00.40.H18"): 30,
    ("2.000488", "000.00.03.H18"): 15,
    ("1.002804", "000.00.08.H18"): 15,
}

# Share of the work per provincial agency (the seed's BHXH dominates).
AGENCY_WEIGHTS_2022 = {
    "000.00.40.H18": 40,
    "000.00.03.H18": 12,
    "000.00.04.H18": 7,
    "000.00.10.H18": 9,
    "000.00.08.H18": 10,
    "000.00.07.H18": 6,
    "000.00.16.H18": 4,
    "000.00.09.H18": 3,
    "000.00.12.H18": 3,
    "000.00.15.H18": 2,
    "000.00.13.H18": 2,
    "000.00.02.H18": 1,
    "000.00.06.H18": 1,
}
CENTER_2022 = "000.01.01.H18"
FIRST_CODE_MARKER = "demo-2022"

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "H'", "Y"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hương", "Lan", "Long", "Mai", "Nam", "Phúc", "Tâm"]
COMPANIES = ["Công ty TNHH Cà phê Đắk Mil", "Công ty CP Nông sản Tây Nguyên", "HTX Tiêu Gia Nghĩa"]


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=LOCAL)


@dataclass(frozen=True)
class Proc:
    code: str
    agency: str
    duration: Decimal
    unit: str
    cutoff: bool
    online: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    level: str


class Clock:
    """The legal clock the import uses, memoised on what the due date depends on."""

    def __init__(self) -> None:
        from motcua.workdays import clock
        from motcua.workdays.calendar import get_calendar

        self._clock = clock
        self.calendar = get_calendar()
        self._rules = clock.get_rules()
        self._cache: dict[tuple[Any, ...], dt.datetime] = {}

    def due(self, received: dt.datetime, proc: Proc) -> dt.datetime:
        loc = received.astimezone(LOCAL)
        key = (loc.date(), loc.hour >= 15, proc.duration, proc.unit, proc.cutoff)
        found = self._cache.get(key)
        if found is None:
            found = self._clock.due_at(
                received,
                proc.duration,
                proc.unit,
                cutoff=proc.cutoff,
                calendar=self.calendar,
                rules=self._rules,
            )
            self._cache[key] = found
        return found

    def working(self, day: dt.date) -> bool:
        return bool(self.calendar.is_working_day(day))


class Generator:
    def __init__(self, procs: list[Proc], clock: Clock, rng: random.Random) -> None:
        self.clock = clock
        self.rng = rng
        self.by_agency: dict[str, list[Proc]] = defaultdict(list)
        for p in procs:
            self.by_agency[p.agency].append(p)
        self.by_code = {(p.code, p.agency): p for p in procs}
        self.sequences: Counter[tuple[str, dt.date]] = Counter()
        self._working_days: dict[tuple[dt.date, dt.date], list[dt.date]] = {}

    # --- instants -----------------------------------------------------------------------
    def working_days(self, first: dt.date, last: dt.date) -> list[dt.date]:
        key = (first, last)
        if key not in self._working_days:
            days, d = [], first
            while d <= last:
                if self.clock.working(d):
                    days.append(d)
                d += dt.timedelta(days=1)
            self._working_days[key] = days
        return self._working_days[key]

    def office_instant(self, first: dt.date, last: dt.date) -> dt.datetime:
        """A random instant in office hours on a working day in [first, last]."""
        day = self.rng.choice(self.working_days(first, last))
        minute = self.rng.choice(
            [*range(7 * 60 + 15, 11 * 60 + 20), *range(13 * 60 + 40, 16 * 60 + 50)]
        )
        return local(day.year, day.month, day.day, minute // 60, minute % 60)

    def instant_between(self, lo: dt.datetime, hi: dt.datetime) -> dt.datetime | None:
        """An office-hours instant in [lo, hi), or None when there is none."""
        if hi <= lo:
            return None
        for _ in range(20):
            first = lo.astimezone(LOCAL).date()
            last = (hi - dt.timedelta(seconds=1)).astimezone(LOCAL).date()
            if not self.working_days(first, last):
                return None
            t = self.office_instant(first, last)
            if lo <= t < hi:
                return t
        return None

    # --- one record ----------------------------------------------------------------------
    def code(self, agency: str, received: dt.datetime) -> str:
        day = received.astimezone(LOCAL).date()
        self.sequences[(agency, day)] += 1
        return f"{agency}-{day:%y%m%d}-{self.sequences[(agency, day)]:04d}"

    def applicant(self) -> dict[str, Any]:
        if self.rng.random() < 0.15:
            return {"kind": "organization", "name": self.rng.choice(COMPANIES)}
        name = " ".join(
            (self.rng.choice(SURNAMES), self.rng.choice(MIDDLE), self.rng.choice(GIVEN))
        )
        return {
            "kind": "citizen",
            "name": name,
            "id_number": f"0{self.rng.randrange(10**10, 10**11)}",
            "phone": f"09{self.rng.randrange(10**7, 10**8)}",
        }

    def record(
        self,
        proc: Proc,
        received: dt.datetime,
        channel: str,
        events: list[dict[str, Any]],
        **extra: Any,
    ) -> dict[str, Any]:
        rec: dict[str, Any] = {
            "code": self.code(proc.agency, received),
            "procedure": proc.code,
            "agency": proc.agency,
            "channel": channel,
            "applicant": self.applicant(),
            "received_at": received.astimezone(dt.UTC).isoformat(),
            "events": [
                {**e, "at": e["at"].astimezone(dt.UTC).isoformat()}
                | (
                    {"new_due_at": e["new_due_at"].astimezone(dt.UTC).isoformat()}
                    if "new_due_at" in e
                    else {}
                )
                for e in events
            ],
        }
        rec.update({k: v for k, v in extra.items() if v is not None})
        return rec


def _iso(d: dt.datetime) -> str:
    return d.astimezone(dt.UTC).isoformat()


class Plan2022:
    """Outcomes first, then receipt and procedure where the outcome fits the clock."""

    def __init__(self, gen: Generator, local_procs: list[Proc] | None = None) -> None:
        self.gen = gen
        # District and commune procedures (section V's 1.4.2 and 1.4.3).
        self.local: dict[str, list[Proc]] = defaultdict(list)
        for proc in local_procs or []:
            self.local[proc.level].append(proc)
        self.rng = gen.rng
        self.start = local(2022, 6, 5)
        self.end = local(2022, 9, 1)
        self.last_day = local(2022, 8, 31)
        self.year = local(2022, 1, 1)
        self.carry_from = local(2022, 4, 20)
        weights = AGENCY_WEIGHTS_2022
        self.agencies = [a for a in weights if gen.by_agency.get(a)]
        self.weights = [weights[a] for a in self.agencies]
        missing = [key for key in ONLINE_2022 if key not in gen.by_code]
        if missing:
            raise RuntimeError(f"the demo catalogue lacks the 2022 online services {missing}")
        self.online = [gen.by_code[key] for key in ONLINE_2022]
        self.online_weights = list(ONLINE_2022.values())
        self.online_agencies = {p.agency for p in self.online}

    def pick_agency(self) -> str:
        return self.rng.choices(self.agencies, self.weights)[0]

    def pick_proc(self, online: bool, agency: str | None = None) -> Proc:
        """A procedure for a dossier: online ones among ``ONLINE_2022`` (of ``agency`` if
        given), the others any procedure of ``agency`` (or of an agency picked by weight)."""
        if online:
            pairs = [
                (p, w)
                for p, w in zip(self.online, self.online_weights, strict=True)
                if agency is None or p.agency == agency
            ]
            if not pairs:
                raise RuntimeError(f"no 2022 online service of {agency}")
            return self.rng.choices([p for p, _ in pairs], [w for _, w in pairs])[0]
        return self.rng.choice(self.gen.by_agency[agency or self.pick_agency()])

    def offline_only(self, kind: str, arg: Any) -> bool:
        """Whether a dossier of this outcome cannot be an online one (its agency or procedure,
        fixed by the seed, has none of the 2022 online services)."""
        if kind == "late":
            return (arg.procedure, arg.agency) not in ONLINE_2022
        if kind == "refused":
            return arg not in self.online_agencies
        return False

    def deal(self, channels: list[str], offline: list[bool]) -> list[str]:
        """``channels`` given out in order to positions, except that the positions flagged
        ``offline`` take the first non-online channels (same totals per channel)."""
        assert len(channels) == len(offline)
        spare = [i for i, c in enumerate(channels) if c != "online"][: sum(offline)]
        if len(spare) < sum(offline):
            raise RuntimeError("not enough counter and postal dossiers for the offline ones")
        taken = set(spare)
        rest = iter([c for i, c in enumerate(channels) if i not in taken])
        firsts = iter([channels[i] for i in spare])
        return [next(firsts) if off else next(rest) for off in offline]

    def receipt_window(self, carried: bool) -> tuple[dt.datetime, dt.datetime]:
        return (self.carry_from, self.start) if carried else (self.start, self.end)

    def ended_record(
        self,
        *,
        carried: bool,
        channel: str,
        kind: str,
        cls: str = "",
        agency: str | None = None,
        proc: Proc | None = None,
        postal_return: bool = False,
        end_lo: dt.datetime | None = None,
        end_hi: dt.datetime | None = None,
    ) -> dict[str, Any]:
        """A dossier ended in [end_lo, end_hi) (default: the period) by ``kind``; for a result,
        of class ``cls`` under the legal clock."""
        end_lo = end_lo or self.start
        end_hi = end_hi or self.end
        lo, hi = self.receipt_window(carried)
        for _ in range(500):
            p = proc or self.pick_proc(channel == "online", agency)
            received = self.gen.office_instant(
                lo.date(), (hi - dt.timedelta(seconds=1)).astimezone(LOCAL).date()
            )
            if not lo <= received < hi:
                continue
            due = self.gen.clock.due(received, p)
            due_day = local(due.year, due.month, due.day)
            earliest = max(received + dt.timedelta(minutes=30), end_lo)
            if kind == "result" and cls == "early":
                window = (earliest, min(due_day, end_hi))
            elif kind == "result" and cls == "on_time":
                window = (max(earliest, due_day), min(due, end_hi))
            elif kind == "result" and cls == "late":
                window = (max(earliest, due_day + dt.timedelta(days=1)), end_hi)
            else:
                window = (earliest, min(end_hi, received + dt.timedelta(days=60)))
            ended = self.gen.instant_between(*window)
            if ended is None:
                continue
            event_type = {"result": "result_ready"}.get(kind, kind)
            events: list[dict[str, Any]] = [{"type": event_type, "at": ended}]
            if kind in ("refused", "withdrawn", "stopped"):
                events[0]["reason"] = {
                    "refused": "Hồ sơ không đủ điều kiện giải quyết",
                    "withdrawn": "Công dân xin rút hồ sơ",
                    "stopped": "Quá thời hạn bổ sung hồ sơ",
                }[kind]
            if kind == "result":
                delivered = ended + dt.timedelta(hours=self.rng.randint(2, 96))
                how = (
                    "postal" if postal_return else ("online" if channel == "online" else "counter")
                )
                events.append({"type": "result_delivered", "at": delivered, "channel": how})
            return self.gen.record(p, received, channel, events)
        raise RuntimeError(f"no receipt fits {kind}/{cls} for {agency or 'any agency'}")

    def late_record(
        self, late: Late, channel: str, carried: bool, postal_return: bool
    ) -> dict[str, Any]:
        proc = self.gen.by_code[(late.procedure, late.agency)]
        lo, hi = self.receipt_window(carried)
        for _ in range(500):
            received = self.gen.office_instant(lo.date(), (hi - dt.timedelta(seconds=1)).date())
            due = self.gen.clock.due(received, proc)
            due_day = local(due.year, due.month, due.day)
            ended = self.gen.instant_between(
                max(due_day + dt.timedelta(days=1), self.start), self.end
            )
            if ended is None:
                continue
            events: list[dict[str, Any]] = [
                {"type": "handover", "at": received + dt.timedelta(hours=1), "unit": late.step}
            ]
            if late.apology:
                # ND 118 Điều 19.6: the apology letter and the new appointment, a few working
                # days before the due date.
                letter = self.gen.instant_between(
                    received + dt.timedelta(hours=2), due_day - dt.timedelta(days=3)
                )
                if letter is None:
                    continue
                events.append(
                    {
                        "type": "extension",
                        "at": letter,
                        "apology": True,
                        "reason": late.reason,
                        "new_due_at": ended + dt.timedelta(days=2),
                    }
                )
            events.append({"type": "result_ready", "at": ended})
            events.append(
                {
                    "type": "result_delivered",
                    "at": ended + dt.timedelta(hours=20),
                    "channel": "postal" if postal_return else "counter",
                }
            )
            return self.gen.record(
                proc, received, channel, events, late_reason=late.reason, late_step=late.step
            )
        raise RuntimeError(f"no receipt fits a late dossier of {late.agency}")

    def open_record(
        self, *, carried: bool, channel: str, overdue: bool, waiting: bool, ended_after: bool
    ) -> dict[str, Any]:
        """In progress at the end of the period."""
        lo, hi = self.receipt_window(carried)
        if not overdue and not waiting and not carried:
            lo = max(lo, local(2022, 8, 8))
        for _ in range(1000):
            p = self.pick_proc(channel == "online")
            received = self.gen.office_instant(lo.date(), (hi - dt.timedelta(seconds=1)).date())
            due = self.gen.clock.due(received, p)
            due_before_last_day = due < self.last_day
            if not waiting and overdue != due_before_last_day:
                continue
            events: list[dict[str, Any]] = []
            if waiting:
                asked = self.gen.instant_between(
                    received + dt.timedelta(hours=1),
                    min(received + dt.timedelta(days=3), self.end),
                )
                if asked is None:
                    continue
                events.append(
                    {"type": "supplement_requested", "at": asked, "reason": "Thiếu giấy tờ"}
                )
            if ended_after:
                ended = self.gen.instant_between(self.end, local(2022, 10, 31))
                assert ended is not None
                if waiting:
                    events.append({"type": "supplement_received", "at": ended})
                    ended += dt.timedelta(hours=2)
                events.append({"type": "result_ready", "at": ended})
            return self.gen.record(p, received, channel, events)
        raise RuntimeError("no receipt fits an open dossier")

    def records(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        # --- the period population: received in the period + carried over ------------------
        received_n = sum(RECEIVED.values())
        carried_n = CARRIED_OVER
        channels = [c for c, n in RECEIVED.items() for _ in range(n)]
        rng.shuffle(channels)
        # Outcomes, each tagged with what it needs.
        outcomes: list[tuple[str, Any]] = []
        for late in LATE:
            outcomes += [("late", late)] * late.count
        outcomes += [("refused", a) for a, n in REFUSED.items() for _ in range(n)]
        outcomes += [("withdrawn", None)] * WITHDRAWN + [("stopped", None)] * STOPPED
        outcomes += [("early", None)] * EARLY + [("on_time", None)] * ON_TIME
        resolved_n = len([o for o in outcomes if o[0] in ("late", "early", "on_time")])
        open_n = received_n + carried_n - len(outcomes)
        assert open_n > IN_PROGRESS_OVERDUE + IN_PROGRESS_WAITING
        opens = [("open", ("overdue", True))] * IN_PROGRESS_OVERDUE + [
            ("open", ("waiting", True))
        ] * IN_PROGRESS_WAITING
        opens += [("open", ("due", True))] * (open_n - len(opens))
        # Carried-over dossiers take their outcomes from the same pool, except the in-progress
        # ones within due (a dossier from April is overdue by August unless it waits).
        pool = outcomes + opens
        rng.shuffle(pool)
        carried_ok = [i for i, o in enumerate(pool) if o[0] != "open" or o[1][0] == "overdue"]
        carried_idx = set(rng.sample(carried_ok[: len(carried_ok)], carried_n))
        postal_flags = [True] * POSTAL_RETURN + [False] * (resolved_n - POSTAL_RETURN)
        rng.shuffle(postal_flags)
        pre_channels: list[str] = []
        cum = CUMULATIVE
        pre_online = cum["online"] - RECEIVED["online"]
        pre_postal = cum["postal"] - RECEIVED["postal"]
        pre_total = cum["received"] - received_n
        pre_channels = ["online"] * pre_online + ["postal"] * pre_postal
        pre_channels += ["direct"] * (pre_total - len(pre_channels))
        rng.shuffle(pre_channels)
        # Received 1/1–4/6 and ended before 5/6: (kind, late, level), the late ones and the
        # district and commune ones counted exactly.
        pre_resolved = cum["resolved"] - resolved_n
        kinds: list[tuple[str, bool, str]] = []
        for level, (count, late_n) in PRE_LOCAL.items():
            kinds += [("result", True, level)] * late_n + [("result", False, level)] * (
                count - late_n
            )
        province_resolved = pre_resolved - len(kinds)
        kinds += [("result", True, "province")] * PRE_LATE_PROVINCE
        kinds += [("result", False, "province")] * (province_resolved - PRE_LATE_PROVINCE)
        kinds += [("refused", False, "province")] * PRE_REFUSED
        kinds += [("withdrawn", False, "province")] * PRE_WITHDRAWN
        assert len(kinds) == pre_total - carried_n, (len(kinds), pre_total - carried_n)
        rng.shuffle(kinds)
        # Channels: the period's to the dossiers received in it, the earlier ones to the
        # carried-over and the early-year dossiers; offline where the outcome requires it.
        new_idx = [i for i in range(len(pool)) if i not in carried_idx]
        old_idx = [i for i in range(len(pool)) if i in carried_idx]
        channel_of = dict(
            zip(
                new_idx,
                self.deal(channels, [self.offline_only(*pool[i]) for i in new_idx]),
                strict=True,
            )
        )
        old_channels = self.deal(
            pre_channels,
            [self.offline_only(*pool[i]) for i in old_idx]
            + [level != "province" for _, _, level in kinds],
        )
        channel_of.update(zip(old_idx, old_channels, strict=False))
        rest = old_channels[len(old_idx) :]
        postal_iter = iter(postal_flags)
        for i, (kind, arg) in enumerate(pool):
            carried = i in carried_idx
            channel = channel_of[i]
            if kind == "late":
                yield self.late_record(arg, channel, carried, next(postal_iter))
            elif kind in ("early", "on_time"):
                yield self.ended_record(
                    carried=carried,
                    channel=channel,
                    kind="result",
                    cls=kind,
                    postal_return=next(postal_iter),
                )
            elif kind == "refused":
                yield self.ended_record(
                    carried=carried, channel=channel, kind="refused", agency=arg
                )
            elif kind in ("withdrawn", "stopped"):
                yield self.ended_record(carried=carried, channel=channel, kind=kind)
            else:
                state, ended_after = arg
                yield self.open_record(
                    carried=carried,
                    channel=channel,
                    overdue=state == "overdue",
                    waiting=state == "waiting",
                    ended_after=ended_after,
                )
        # --- received 1/1–4/6 and ended before 5/6 -----------------------------------------
        for (kind, is_late, level), channel in zip(kinds, rest, strict=True):
            cls = ""
            if kind == "result":
                cls = "late" if is_late else rng.choices(["early", "on_time"], [55, 44])[0]
            yield self.ended_pre(kind, cls, channel, level)

    def ended_pre(
        self, kind: str, cls: str, channel: str, level: str = "province"
    ) -> dict[str, Any]:
        for _ in range(200):
            try:
                return self._ended_pre(kind, cls, channel, level)
            except _Retry:
                continue
        raise RuntimeError("no receipt fits an early-year dossier")

    def _ended_pre(self, kind: str, cls: str, channel: str, level: str) -> dict[str, Any]:
        if level == "province":
            p = self.pick_proc(channel == "online")
        else:
            # Offline (``records`` deals the channels): no district or commune service
            # received online dossiers in 2022 (2.2.1).
            p = self.rng.choice(self.local[level])
        received = self.gen.office_instant(dt.date(2022, 1, 1), dt.date(2022, 6, 3))
        due = self.gen.clock.due(received, p)
        due_day = local(due.year, due.month, due.day)
        earliest = received + dt.timedelta(minutes=30)
        if cls == "early":
            window = (earliest, min(due_day, self.start))
        elif cls == "on_time":
            window = (max(earliest, due_day), min(due, self.start))
        elif cls == "late":
            window = (due_day + dt.timedelta(days=1), self.start)
        else:
            window = (earliest, min(self.start, received + dt.timedelta(days=30)))
        ended = self.gen.instant_between(*window)
        if ended is None:
            raise _Retry
        event_type = {"result": "result_ready"}.get(kind, kind)
        events: list[dict[str, Any]] = []
        if cls == "late":
            # The apology letter with a new appointment, sent before the due date (ND 61/2018
            # in 2022; ND 118 Điều 19.6 today).
            letter = self.gen.instant_between(
                received + dt.timedelta(hours=2), due_day - dt.timedelta(days=1)
            )
            if letter is None:
                raise _Retry
            events.append(
                {
                    "type": "extension",
                    "at": letter,
                    "apology": True,
                    "reason": "Cần thêm thời gian xác minh",
                    "new_due_at": ended + dt.timedelta(days=2),
                }
            )
        events.append({"type": event_type, "at": ended})
        if kind == "result" and self.rng.random() < 0.9:
            how = (
                "online"
                if channel == "online"
                else ("postal" if self.rng.random() < 0.17 else "counter")
            )
            events.append(
                {"type": "result_delivered", "at": ended + dt.timedelta(hours=3), "channel": how}
            )
        return self.gen.record(p, received, channel, events)


class _Retry(Exception):
    pass


class GuidanceBook:
    """Guidance records; two contacts at the same second of the same kind and unit would be
    one line twice (the import skips repeated lines), so instants are made distinct."""

    def __init__(self, gen: Generator, rng: random.Random) -> None:
        self.gen, self.rng = gen, rng
        self.rows: list[dict[str, Any]] = []
        self.seen: set[tuple[str, str, str]] = set()

    def add(self, first: dt.date, last: dt.date, kind: str, unit: str) -> None:
        while True:
            at = self.gen.office_instant(first, last) + dt.timedelta(seconds=self.rng.randrange(60))
            key = (_iso(at), kind, unit)
            if key not in self.seen:
                self.seen.add(key)
                self.rows.append({"at": key[0], "kind": kind, "unit": unit})
                return


def guidance_2022(rng: random.Random, gen: Generator) -> list[dict[str, Any]]:
    book = GuidanceBook(gen, rng)
    period = GUIDANCE
    for kind, n in period.items():
        for _ in range(n):
            book.add(dt.date(2022, 6, 6), dt.date(2022, 8, 31), kind, CENTER_2022)
    cumulative = CUMULATIVE
    kinds = ["direct", "outgoing_call", "incoming_call"]
    for _ in range(cumulative["guidance"] - sum(period.values())):
        book.add(dt.date(2022, 1, 4), dt.date(2022, 6, 3), rng.choice(kinds), CENTER_2022)
    return book.rows


# --- 11/2025 → 11/2026: the two-level structure ---------------------------------------------
CURRENT_FROM, CURRENT_TO = dt.date(2025, 11, 1), dt.date(2026, 11, 15)
CURRENT_COUNT = 3000


def records_current(gen: Generator, rng: random.Random) -> Iterator[dict[str, Any]]:
    """A year of Lâm Đồng after the merger: provincial departments and communes."""
    agencies = [
        a
        for a, procs in gen.by_agency.items()
        if a.endswith(".H38")
        and any(p.valid_from and p.valid_from >= dt.date(2025, 7, 1) for p in procs)
    ]
    if not agencies:
        return
    stop = local(2026, 11, 20)
    for _ in range(CURRENT_COUNT):
        ag = rng.choice(agencies)
        p = rng.choice(gen.by_agency[ag])
        channel = rng.choices(["online", "direct", "postal"], [70, 27, 3])[0]
        if p.online == "none" and channel == "online":
            channel = "direct"
        received = gen.office_instant(CURRENT_FROM, CURRENT_TO)
        due = gen.clock.due(received, p)
        roll = rng.random()
        events: list[dict[str, Any]] = []
        if roll < 0.03:
            ended = gen.instant_between(
                received + dt.timedelta(hours=1), received + dt.timedelta(days=10)
            )
            kind = "refused"
        elif roll < 0.04:
            ended = gen.instant_between(
                received + dt.timedelta(hours=1), received + dt.timedelta(days=10)
            )
            kind = "withdrawn"
        else:
            kind = "result_ready"
            target = due + dt.timedelta(days=rng.choice([-6, -3, -2, -1, 0, 0, 0, 2]))
            ended = gen.instant_between(
                received + dt.timedelta(hours=1), max(target, received + dt.timedelta(days=2))
            )
        if ended is None:  # no office hour in the window (e.g. a holiday bridge)
            ended = received + dt.timedelta(hours=3)
        if ended < stop:
            events.append({"type": kind, "at": ended})
            if kind == "result_ready" and ended + dt.timedelta(hours=4) < stop:
                how = (
                    "online"
                    if channel == "online"
                    else rng.choice(["counter", "counter", "postal"])
                )
                events.append(
                    {
                        "type": "result_delivered",
                        "at": ended + dt.timedelta(hours=4),
                        "channel": how,
                    }
                )
        yield gen.record(p, received, channel, events)


def guidance_current(gen: Generator, rng: random.Random) -> list[dict[str, Any]]:
    book = GuidanceBook(gen, rng)
    units = ["000.01.01.H38", "000.11.60.H38", "000.14.60.H38"]
    kinds = ["direct", "outgoing_call", "incoming_call"]
    for _ in range(1200):
        book.add(CURRENT_FROM, CURRENT_TO, rng.choice(kinds), rng.choice(units))
    return book.rows


def _procedures() -> list[Proc]:
    from motcua.catalog.models import DurationUnit, ProcedureVersion

    rows = ProcedureVersion.objects.select_related("procedure", "agency").order_by(
        "procedure__code", "agency__code", "number"
    )
    procs = {}
    for v in rows:
        if v.unit == DurationUnit.WORKING_HOURS:
            continue  # "early" needs a due date after the receipt day
        procs[(v.procedure.code, v.agency.code, v.valid_from)] = Proc(
            code=v.procedure.code,
            agency=v.agency.code,
            duration=v.duration,
            unit=v.unit,
            cutoff=v.cutoff,
            online=v.online,
            valid_from=v.valid_from,
            valid_to=v.valid_to,
            level=v.level,
        )
    return list(procs.values())


def build(rng: random.Random | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every demo dossier record and guidance record (pure, apart from reading the catalogue
    and the calendar)."""
    rng = rng or random.Random(SEED_RANDOM)
    procs = _procedures()
    day_2022 = dt.date(2022, 6, 1)
    in_2022 = [
        p
        for p in procs
        if p.level == "province"
        and (p.valid_from is None or p.valid_from <= dt.date(2022, 1, 1))
        and (p.valid_to is None or p.valid_to >= dt.date(2022, 9, 30))
        and p.agency.endswith(".H18")
        and day_2022
    ]
    local_2022 = [
        p
        for p in procs
        if p.level in PRE_LOCAL
        and (p.valid_from is None or p.valid_from <= dt.date(2022, 1, 1))
        and (p.valid_to is None or p.valid_to >= dt.date(2022, 9, 30))
        and p.agency.endswith(".H18")
    ]
    current = [p for p in procs if p.valid_from is not None and p.valid_from >= dt.date(2025, 7, 1)]
    clock = Clock()
    gen_2022 = Generator(in_2022, clock, rng)
    missing = [
        a for a in (*REFUSED, *(late.agency for late in LATE)) if a not in gen_2022.by_agency
    ]
    if missing:
        raise RuntimeError(f"the demo catalogue lacks procedures of {sorted(set(missing))}")
    dossiers = list(Plan2022(gen_2022, local_2022).records())
    guidance = guidance_2022(rng, gen_2022)
    gen_now = Generator(current, clock, rng)
    dossiers += list(records_current(gen_now, rng))
    guidance += guidance_current(gen_now, rng)
    return dossiers, guidance


def load(progress: Progress) -> list[Login]:
    """Import the demo histories through the real import (idempotent)."""
    from motcua.dossiers.importing import import_dossier_records, import_guidance_records
    from motcua.dossiers.models import Guidance

    if Guidance.objects.filter(note=FIRST_CODE_MARKER).exists():
        progress("Hồ sơ demo: đã có, bỏ qua.")
        return []
    dossiers, guidance = build()
    progress(f"Hồ sơ demo: nhập {len(dossiers):,} hồ sơ và {len(guidance):,} lượt hướng dẫn…")
    import_dossier_records(dossiers, actor="demo", progress=progress)
    guidance[0]["note"] = FIRST_CODE_MARKER
    import_guidance_records(guidance, actor="demo", progress=progress)
    return []
