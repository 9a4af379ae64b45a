"""The staff application's busiest pages over loopback on a province-sized database.

Builds a throwaway database (a SQLite file in a temporary MOTCUA_DATA_DIR, or the PostgreSQL
database named by DATABASE_URL, dropped and re-created), migrates, loads the demo catalogue
and the demo staff accounts, then fills it with N dossiers (default 1,000,000) with a bulk
loader (COPY on PostgreSQL, executemany in one transaction on SQLite): spread over the demo
agencies' procedure versions in force on each receipt day from 2022 to today, most of the old
ones ended, many of the recent ones open; a quarter of them with a hand-over and two events.

Then ``motcua serve`` (gunicorn, 2 workers, its default threads) runs on 127.0.0.1 as a separate
process; demo staff log in through the login form (CSRF cookie and token) and request the
inbox, dossier pages of their agency and the dashboard, first one request at a time, then
from a few concurrent clients, each bounded in count and time. Printed per page and user:

* p50 and p95 of the page time over loopback (sequential, and concurrent);
* the number of SQL queries of the page, counted in this process with Django's test client
  and ``CaptureQueriesContext``, after 1,000 dossiers and after N (must be equal);
* the baseline: the same SQL queries replayed as raw SQL on a cursor (the database's share),
  its slowest query, and the ratio page p50 / raw SQL.

Target (issue "The staff application"): p95 under 300 ms on both databases, and the same
number of queries at any data size.

Run (SQLite, a temporary file):
    .venv/bin/python bench/office_pages.py [--n 100000] [--alternatives] [--explain]
Run (PostgreSQL, database ``officebench`` is dropped and re-created):
    DATABASE_URL=postgres://postgres@127.0.0.1:54330/officebench \\
        .venv/bin/python bench/office_pages.py

Building a million dossiers takes minutes (COPY on PostgreSQL; about 8 minutes on SQLite on
a busy machine), so a database can be kept and measured again: ``--build-only`` builds and
stops, ``--reuse`` keeps a database that already holds exactly N dossiers (it still migrates,
so new indexes apply, refreshes the demo accounts and runs ANALYZE) and builds it otherwise.
On SQLite both need ``--data-dir DIR`` (or MOTCUA_DATA_DIR) for a file that outlives the run:
    .venv/bin/python bench/office_pages.py --build-only --data-dir /work/benchdata/office
    .venv/bin/python bench/office_pages.py --reuse --data-dir /work/benchdata/office
A reused database's queries are counted at N only: the count at 1,000 comes from a run with
``--n 1000`` (seconds), which the first build also prints.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC
FIRST_DAY = dt.date(2022, 1, 1)
SMALL = 1_000  # the first data size at which queries are counted

# (who, username): the demo accounts of motcua.office.demo.
CLERK, SPECIALIST, LEADER = "tiepnhan", "chuyenvien", "lanhdao"
MANAGER, PROVINCIAL = "giamdoc", "vanphong"
DETAIL_PER_USER = 8  # different dossiers whose page each user opens


def dossiers_held() -> int | None:
    """How many dossiers the configured database already holds; None when it (or its
    dossiers table) does not exist. Read without Django, before any migration."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        try:
            with psycopg.connect(url) as conn:
                row = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
        except psycopg.Error:
            return None
        return int(row[0]) if row else None
    import sqlite3

    path = Path(os.environ["MOTCUA_DATA_DIR"]) / "motcua.sqlite3"
    if not path.exists():
        return None
    try:
        with sqlite3.connect(path) as conn:
            return int(conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0])
    except sqlite3.Error:
        return None


def fresh_database(data_dir: str | None) -> str:
    """A new empty database; returns a description. DATABASE_URL (postgres) names the
    database, which is dropped and re-created; otherwise a SQLite file in ``data_dir`` (set as
    MOTCUA_DATA_DIR, the settings' default place; emptied) or in a temporary directory."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _, name = url.rpartition("/")
        if name in ("", "postgres", "template0", "template1"):
            raise SystemExit(f"DATABASE_URL must name a throwaway database, not {name!r}")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"PostgreSQL database {name}"
    os.environ.pop("DATABASE_URL", None)
    if data_dir is None:
        data_dir = tempfile.mkdtemp(prefix="motcua-officebench-")
    else:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(data_dir, f"motcua.sqlite3{suffix}").unlink(missing_ok=True)
    os.environ["MOTCUA_DATA_DIR"] = data_dir
    return f"SQLite file {data_dir}/motcua.sqlite3"


def where_reused(data_dir: str | None) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        return f"PostgreSQL database {url.rpartition('/')[2]} (reused)"
    if data_dir is None:
        raise SystemExit("--reuse and --build-only need --data-dir DIR on SQLite")
    os.environ["MOTCUA_DATA_DIR"] = data_dir
    return f"SQLite file {data_dir}/motcua.sqlite3 (reused)"


# --- the data ----------------------------------------------------------------------------------


@dataclass
class Catalogue:
    """What the generator needs of the demo catalogue, read once."""

    # (valid_from, valid_to, version id, agency id, field id, level, receiving unit id, name)
    versions: list[tuple[dt.date, dt.date, int, int, int, str, int | None, str]]
    by_month: dict[tuple[int, int], list[int]] = field(default_factory=dict)


def catalogue_read() -> Catalogue:
    from motcua.agencies.models import Agency, AgencyKind
    from motcua.catalog.models import ProcedureVersion

    agencies = {a.pk: a for a in Agency.objects.all()}
    centers = [a for a in agencies.values() if a.kind == AgencyKind.SERVICE_CENTER]

    def receiving(agency: Agency, level: str) -> int | None:
        """The one-stop unit that receives for ``agency``: the service center under the same
        people's committee of the same level (the province's center for departments)."""
        suffix = agency.code[-3:]
        same = [c for c in centers if c.code.endswith(suffix) and c.level == level]
        near = [c for c in same if agency.path.startswith(c.path.rsplit("/", 2)[0] + "/")]
        pick = near or same
        return pick[0].pk if pick else None

    versions = []
    for v in ProcedureVersion.objects.filter(superseded_at__isnull=True).order_by("pk"):
        agency = agencies[v.agency_id]
        versions.append(
            (
                v.valid_from or FIRST_DAY,
                v.valid_to or dt.date(2100, 1, 1),
                v.pk,
                v.agency_id,
                v.field_id,
                v.level,
                receiving(agency, v.level),
                agency.name,
            )
        )
    cat = Catalogue(versions)
    day = FIRST_DAY.replace(day=15)
    today = dt.date.today()
    while day <= today + dt.timedelta(days=31):
        cat.by_month[(day.year, day.month)] = [
            i for i, v in enumerate(versions) if v[0] <= day <= v[1]
        ]
        day = (day + dt.timedelta(days=31)).replace(day=15)
    return cat


FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quang")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Lan", "Long", "Mai", "Nam", "Phúc", "Tâm")


def dossier_rows(start: int, n: int, cat: Catalogue, now: dt.datetime) -> tuple[list[str], Any]:
    """Row tuples for every concrete Dossier column, in the returned columns' order; the
    ``start``-th to the ``start + n``-th dossier of a deterministic stream, received from
    2022 to now in increasing order."""
    from motcua.dossiers.models import Dossier, search_words

    fields = [f for f in Dossier._meta.concrete_fields if f.column != "id"]
    columns = [str(f.column) for f in fields]
    # JSON columns as their text: the loader writes rows without the ORM (a JSON field added
    # to the dossier since this was written broke it until they were all handled alike).
    defaults = {f.column: column_default(f) for f in fields}
    defaults.update(applicant_kind="citizen")
    defaults.update(created_at=now, updated_at=now)
    first = dt.datetime.combine(FIRST_DAY, dt.time(8), tzinfo=LOCAL).timestamp()
    span = now.timestamp() - first

    def rows() -> Any:
        rng = random.Random(start)
        for k, i in enumerate(range(start, start + n)):
            # Receipt times increase with the id, as rows are inserted in real life (which
            # matters to how a range on received_at lies on disk).
            received = dt.datetime.fromtimestamp(first + (k + rng.random()) / n * span, tz=UTC)
            local = received.astimezone(LOCAL)
            pool = cat.by_month.get((local.year, local.month)) or range(len(cat.versions))
            _f, _t, v_id, ag_id, field_id, level, unit_id, _name = cat.versions[rng.choice(pool)]
            age = (now - received).days
            due = received + dt.timedelta(days=14)
            row = dict(defaults)
            row.update(
                code=f"BENCH-{local:%y%m%d}-{i:07d}",
                secret=f"S{i:07d}",
                procedure_version_id=v_id,
                agency_id=ag_id,
                field_id=field_id,
                level=level,
                receiving_unit_id=unit_id,
                channel=rng.choice(("online", "online", "direct", "direct", "postal")),
                applicant_name=(f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"),
                applicant_phone=f"09{rng.randrange(10**8):08d}",
                submitted_at=received,
                received_at=received,
                due_at=due,
                printed_due_at=due,
                status="processing",
            )
            r = rng.random()
            open_share = 0.6 if age < 21 else (0.2 if age < 60 else 0.01)
            if age < 2 and r < 0.1:
                # Online, not yet accepted: no receipt, no receiving unit, no due date.
                row.update(
                    status="submitted",
                    received_at=None,
                    due_at=None,
                    printed_due_at=None,
                    receiving_unit_id=None,
                    channel="online",
                    accept_by=received + dt.timedelta(hours=8),
                )
            elif r < open_share:
                row.update(current_unit_id=ag_id, current_step_since=received)
                if rng.random() < 0.1:
                    row.update(
                        status="supplement_requested",
                        supplement_requested_at=received + dt.timedelta(days=2),
                        supplement_count=1,
                    )
            else:
                ended = received + dt.timedelta(hours=rng.randint(4, 24 * 18))
                if ended > now:
                    ended = now - dt.timedelta(minutes=1)
                kind = "result" if r < 0.95 else rng.choice(("refused", "withdrawn", "stopped"))
                row.update(ended_at=ended, end_kind=kind, status=kind)
                if kind == "result":
                    late = ended > due
                    row.update(
                        dossier_class="late" if late else "early",
                        status="delivered" if rng.random() < 0.9 else "result_ready",
                    )
                    # Results are collected within weeks: one in ten of the last month's is
                    # still waiting, one in a hundred of the older ones (never collected).
                    if (now - ended).days >= 30 and i % 10:
                        row.update(status="delivered")
                    if late:
                        row.update(late_reason="Chờ ý kiến cơ quan phối hợp", has_apology=True)
                    if row["status"] == "delivered":
                        row.update(delivered_at=ended, delivery_channel="counter")
            # Written without ``save``: the search column as the write path keeps it.
            row["applicant_search"] = search_words(row["applicant_name"])
            yield tuple(row[c] for c in columns)

    return columns, rows()


def column_default(field: Any) -> Any:
    """A field's default as the bulk loader writes it: JSON as its text."""
    from django.db.models import JSONField

    value = field.get_default()
    return json.dumps(value) if isinstance(field, JSONField) else value


def with_defaults(model: Any, columns: list[str], rows: Any) -> tuple[list[str], Any]:
    """``columns`` and ``rows`` completed with every other column of ``model`` at its
    default: the loader writes without the ORM, and a column added to the model since (with
    a default in Django, none in the database) must not break it."""
    rest = [f for f in model._meta.concrete_fields if f.column not in columns and not f.primary_key]
    tail = tuple(column_default(f) for f in rest)
    return [*columns, *(str(f.column) for f in rest)], (row + tail for row in rows)


def copy_rows(table: str, columns: list[str], rows: Any) -> None:
    """COPY on PostgreSQL, executemany in batches on SQLite (one transaction either way)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        batch: list[Any] = []
        for row in rows:
            batch.append([adapt(v) if isinstance(v, dt.datetime) else v for v in row])
            if len(batch) == 20000:
                cur.executemany(sql, batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)


HANDOVER_COLUMNS = [
    *("dossier_id", "position", "from_unit_label", "to_unit_id", "to_unit_label", "at"),
    *("giver", "receiver"),
    *("step_name", "result", "note"),
]


def bulk_fill(start: int, n: int, cat: Catalogue, now: dt.datetime) -> None:
    """Dossiers ``start`` … ``start + n - 1``; every fourth gets a hand-over (to the competent
    agency; received by the demo specialist for every second of those) and two events."""
    from django.db import connection

    from motcua.dossiers.models import DossierEvent, Handover

    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM dossiers_dossier")
        last_id = cur.fetchone()[0]
    columns, rows = dossier_rows(start, n, cat, now)
    copy_rows("dossiers_dossier", columns, rows)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, received_at, current_unit_id FROM dossiers_dossier "
            "WHERE id > %s AND received_at IS NOT NULL AND id %% 4 = 0",
            [last_id],
        )
        picked = cur.fetchall()

    def when(value: Any) -> dt.datetime:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    copy_rows(
        "dossiers_handover",
        *with_defaults(
            Handover,
            HANDOVER_COLUMNS,
            (
                (
                    *(d_id, 1, "Bộ phận Một cửa", unit, "" if unit else "Phòng chuyên môn"),
                    *(when(at) + dt.timedelta(hours=2), "Nguyễn Thị Lan"),
                    *(SPECIALIST if d_id % 8 == 0 else "", "", "", ""),
                )
                for d_id, at, unit in picked
            ),
        ),
    )
    copy_rows(
        "dossiers_dossierevent",
        *with_defaults(
            DossierEvent,
            ["dossier_id", "type", "at", "actor_label", "from_status", "to_status", "data"],
            (
                (d_id, kind, when(at) + dt.timedelta(hours=h), "Nguyễn Thị Lan", frm, to, "{}")
                for d_id, at, _unit in picked
                for kind, h, frm, to in (
                    ("received", 0, "", "processing"),
                    ("handover", 2, "processing", "processing"),
                )
            ),
        ),
    )


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


# --- the pages ---------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    user: str
    paths: list[str]
    queries: dict[int, int] = field(default_factory=dict)  # data size → queries
    cpu_ms: float = 0.0  # in this process, through the test client: CPU time of the page
    sql: list[str] = field(default_factory=list)
    seq: list[float] = field(default_factory=list)
    conc: list[float] = field(default_factory=list)
    raw_ms: float = 0.0
    slowest: tuple[float, str] = (0.0, "")


def detail_codes(username: str, k: int) -> list[str]:
    """``k`` dossiers the user may see, with hand-overs and events and parts added to them
    (the page lists these), spread over their open and ended dossiers."""
    from django.contrib.auth.models import User

    from motcua.dossiers.models import Dossier, DossierEvent, DossierPart, Handover
    from motcua.office.queries import dossiers_for

    user = User.objects.get(username=username)
    scope = dossiers_for(user).filter(received_at__isnull=False)
    picked = list(scope.order_by("-id")[:k])
    now = dt.datetime.now(UTC)
    # Half of them open, so that every inbox has rows at the small data size too (an empty
    # page runs one query fewer, which is not what the count compares).
    Dossier.objects.filter(pk__in=[d.pk for d in picked[: k // 2]]).update(
        status="processing",
        ended_at=None,
        end_kind="",
        dossier_class="",
        delivered_at=None,
        delivery_channel="",
        due_at=now + dt.timedelta(days=3),
    )
    for d in picked:
        if Handover.objects.filter(dossier=d, position__gt=1).exists():
            continue  # prepared by an earlier run on this database (--reuse)
        base = Handover.objects.filter(dossier=d).count()
        Handover.objects.bulk_create(
            Handover(
                dossier=d,
                position=base + i + 1,
                from_unit=None if i == 0 else d.agency,
                from_unit_label="Bộ phận Một cửa" if i == 0 else "",
                to_unit=d.agency,
                at=now - dt.timedelta(hours=10 - i),
                giver="Nguyễn Thị Lan",
                receiver=SPECIALIST,
            )
            for i in range(3)
        )
        DossierEvent.objects.bulk_create(
            DossierEvent(dossier=d, type=t, at=now - dt.timedelta(hours=9 - i), actor=user)
            for i, t in enumerate(("handover", "supplement_requested", "supplement_received"))
        )
        DossierPart.objects.bulk_create(
            DossierPart(dossier=d, part=p, name=p.name, copies=p.copies)
            for p in d.procedure_version.parts.all()
        )
        Dossier.objects.filter(pk=d.pk).update(current_unit=d.agency, current_unit_label="")
    return [d.code for d in picked]


def pages_build() -> list[Page]:
    out = []
    for user in (CLERK, SPECIALIST, LEADER):
        out.append(Page("inbox", user, ["/can-bo/"]))
    for user in (CLERK, SPECIALIST, LEADER):
        codes = detail_codes(user, DETAIL_PER_USER)
        out.append(Page("dossier", user, [f"/can-bo/ho-so/{c}/" for c in codes]))
    for user in (LEADER, MANAGER, PROVINCIAL):
        out.append(Page("dashboard", user, ["/can-bo/lanh-dao/"]))
    return out


def count_queries(pages: list[Page], size: int) -> None:
    """The queries of each page, in this process through Django's test client."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=page.user))
        client.get(page.paths[0])  # first-use reads (content types) are not the page's
        counts, cpu = set(), []
        for path in page.paths[:3]:
            with CaptureQueriesContext(connection) as captured:
                start = time.process_time()
                response = client.get(path)
                cpu.append(time.process_time() - start)
            if response.status_code != 200:
                raise SystemExit(f"{path} as {page.user}: HTTP {response.status_code}")
            counts.add(len(captured))
            page.sql = [q["sql"] for q in captured.captured_queries]
        page.queries[size] = max(counts)
        page.cpu_ms = statistics.median(cpu) * 1000


def raw_baseline(pages: list[Page], repeat: int = 3) -> None:
    """Replay each page's reads as raw SQL (the database's share of the page)."""
    from django.db import connection

    for page in pages:
        best = float("inf")
        for _ in range(repeat):
            total, slowest = 0.0, (0.0, "")
            with connection.cursor() as cur:
                for sql in page.sql:
                    if not sql.lstrip().upper().startswith("SELECT"):
                        continue
                    t0 = time.perf_counter()
                    cur.execute(sql.replace("%", "%%"))
                    cur.fetchall()
                    t = time.perf_counter() - t0
                    total += t
                    slowest = max(slowest, (t, sql))
            if total < best:
                best, page.raw_ms, page.slowest = (
                    total,
                    total * 1000,
                    (slowest[0] * 1000, slowest[1]),
                )


def alternatives() -> None:
    """What would make the slow aggregates fast, measured on the same data (best of 3), with
    a check that each gives the same numbers as the application's query:

    * dashboard: the figures counted as before 26/11/2026 (one grouped pass with a FILTER
      per figure over every dossier open or ended since the period's start) and as now
      (``period_counts``: grouped counts over index ranges that hold every column read);
    * inbox tab counts: count the live tabs over the live statuses only, which the
      ``dossier_inbox`` index (agency, status, due_at) serves; the "ended" and "late without
      apology" tabs count all of history and are left out."""
    from django.contrib.auth.models import User
    from django.db.models import Count, Q
    from django.utils import timezone

    from motcua.office.dashboard import default_period, period_counts, period_filters
    from motcua.office.queries import dossiers_for, inbox_filters
    from motcua.office.risk import risk_clock

    def best(fn: Any, *args: Any) -> tuple[float, Any]:
        out, times = None, []
        for _ in range(3):
            t0 = time.perf_counter()
            out = fn(*args)
            times.append(time.perf_counter() - t0)
        return min(times) * 1000, out

    now = timezone.now()
    d_from, d_to = default_period(timezone.localdate())
    start = dt.datetime.combine(d_from, dt.time(0), tzinfo=LOCAL)
    risk = risk_clock(now)
    filters = period_filters(d_from, d_to, risk)
    print("\nalternatives (in this process, ms, best of 3): before → now")
    for name in (LEADER, MANAGER, PROVINCIAL):
        user = User.objects.get(username=name)

        def one_pass(user: Any = user) -> dict[tuple[int, str], int]:
            rows: Any = (
                dossiers_for(user)
                .filter(
                    Q(ended_at__isnull=True) | Q(ended_at__gte=start), received_at__isnull=False
                )
                .values("agency_id")
                .annotate(**{f.key: Count("pk", filter=f.q) for f in filters})
                .order_by()
            )
            return {(r["agency_id"], f.key): r[f.key] for r in rows for f in filters if r[f.key]}

        def ranges(user: Any = user) -> dict[tuple[int, str], int]:
            per = period_counts(user, date_from=d_from, date_to=d_to, risk=risk)
            return {(a, k): n for a, c in per.items() for k, n in c.items() if n}

        t1, a = best(one_pass)
        t2, b = best(ranges)
        print(
            f"  dashboard {name:<10} one pass {t1:7.1f} → index ranges {t2:6.1f} "
            f"(×{t1 / t2:.1f})   same numbers: {a == b}"
        )
    live = ["processing", "supplement_requested", "submitted", "result_ready"]

    def counts(q: Any, tabs: Any) -> Any:
        return q.aggregate(**{f.key: Count("pk", filter=f.q) for f in tabs})

    for name in (CLERK, SPECIALIST, LEADER):
        qs = dossiers_for(User.objects.get(username=name))
        tabs = inbox_filters(now)
        kept = [f for f in tabs if f.key not in ("ended", "late_no_apology")]
        t1, a = best(counts, qs, tabs)
        t2, b = best(counts, qs.filter(status__in=live), kept)
        print(
            f"  inbox counts {name:<10} all tabs {t1:7.1f} → live tabs {t2:6.1f}   "
            f"same numbers: {all(a[k] == b[k] for k in b)}"
        )


# --- over loopback ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Session:
    """One logged-in browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int, username: str, password: str) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        body = self.request("GET", "/dang-nhap/")[1]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if token is None:
            raise SystemExit("no CSRF token on the login page")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
            }
        )
        status, _ = self.request(
            "POST", "/dang-nhap/", form, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login as {username} failed (HTTP {status})")

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.conn.request(method, path, body, h)
                response = self.conn.getresponse()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn closed the keep-alive connection: open a new one, once.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        data = response.read()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def timed_get(self, path: str) -> float:
        t0 = time.perf_counter()
        status, _ = self.request("GET", path)
        elapsed = time.perf_counter() - t0
        if status != 200:
            raise SystemExit(f"GET {path}: HTTP {status}")
        return elapsed


def serve(port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, MOTCUA_INSECURE_DEV_KEY="1")
    motcua = Path(sys.executable).with_name("motcua")
    command = [str(motcua), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    command += ["--no-worker", "--insecure-dev-key"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            raise SystemExit(f"motcua serve exited: {proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
    proc.terminate()
    raise SystemExit("motcua serve did not answer /healthz within 60 s")


def measure(page: Page, sessions: list[Session], requests: int, seconds: float) -> None:
    """Sequential (one client), then concurrent (one thread per session); each phase stops
    after ``requests`` requests or ``seconds``, whichever comes first."""
    for s in sessions[:1]:
        s.timed_get(page.paths[0])  # warm the worker's caches
    deadline = time.monotonic() + seconds
    for i in range(requests):
        if time.monotonic() > deadline:
            break
        page.seq.append(sessions[0].timed_get(page.paths[i % len(page.paths)]))
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.monotonic() + seconds

    def client(s: Session) -> None:
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            t = s.timed_get(page.paths[i % len(page.paths)])
            with lock:
                page.conc.append(t)

    with concurrent.futures.ThreadPoolExecutor(len(sessions)) as pool:
        for f in [pool.submit(client, s) for s in sessions]:
            f.result()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="dossiers (default 1,000,000)")
    parser.add_argument("--requests", type=int, default=200, help="requests per page and phase")
    parser.add_argument("--seconds", type=float, default=20, help="time cap per page and phase")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument(
        "--alternatives", action="store_true", help="time the fixes proposed for slow aggregates"
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN each page's slowest query")
    parser.add_argument(
        "--only", choices=("inbox", "dossier", "dashboard"), help="measure one kind of page"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database if it already holds N dossiers (still migrates and refreshes "
        "the demo accounts); otherwise build it",
    )
    parser.add_argument(
        "--build-only", action="store_true", help="build the database (kept), then stop"
    )
    parser.add_argument(
        "--data-dir",
        help="SQLite: the MOTCUA_DATA_DIR that keeps motcua.sqlite3 (needed by --reuse and "
        "--build-only; default MOTCUA_DATA_DIR if set, else a temporary directory)",
    )
    args = parser.parse_args()
    data_dir = args.data_dir or (
        os.environ.get("MOTCUA_DATA_DIR") if args.reuse or args.build_only else None
    )
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        os.environ.pop("DATABASE_URL", None)
        if data_dir is None and (args.reuse or args.build_only):
            raise SystemExit("--reuse and --build-only need --data-dir DIR on SQLite")
    reused = False
    if args.reuse:
        if data_dir is not None:
            os.environ["MOTCUA_DATA_DIR"] = data_dir
        reused = dossiers_held() == args.n
    where = where_reused(data_dir) if reused else fresh_database(data_dir)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from motcua.catalog.demo import load as catalog_demo_load
    from motcua.core.commands import DEFAULT_THREADS
    from motcua.office.demo import DEMO_PASSWORD
    from motcua.office.demo import load as office_demo_load

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0
    catalog_demo_load(lambda _m: None)
    office_demo_load(lambda _m: None)
    cat = catalogue_read()
    now = dt.datetime.now(UTC)
    print(f"{connection.vendor}: {where}; {len(cat.versions)} procedure versions")
    parallel = ""
    if connection.vendor == "postgresql":
        # Parallel query changes the concurrent numbers (README, "Running on PostgreSQL").
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            parallel = f"; PostgreSQL max_parallel_workers_per_gather = {cursor.fetchone()[0]}"
        print(parallel.lstrip("; "))

    small = min(SMALL, args.n)
    if reused:
        print(f"migrate took {migrate_s:.0f} s; queries at {small:,} dossiers: run --n {small}")
        analyze()
        pages = [p for p in pages_build() if args.only in (None, p.name)]
        load_s = 0.0
    else:
        bulk_fill(0, small, cat, now)
        analyze()
        pages = pages_build()
        count_queries(pages, small)
        t0 = time.perf_counter()
        if args.n > small:
            bulk_fill(small, args.n - small, cat, now)
        analyze()
        load_s = time.perf_counter() - t0
    from motcua.dossiers.models import DossierEvent, Handover

    took = f" in {load_s:.0f} s" if load_s else ""
    print(
        f"{'holds' if reused else 'loaded'} {args.n:,} dossiers ({Handover.objects.count():,} "
        f"hand-overs, {DossierEvent.objects.count():,} events){took}"
    )
    if args.build_only:
        for p in pages:
            print(f"queries at {small:,}: {p.name}/{p.user}: {p.queries.get(small, '-')}")
        print(f"built; load average {os.getloadavg()}")
        return
    count_queries(pages, args.n)
    raw_baseline(pages)
    if args.alternatives:
        alternatives()
    connection.close()

    port = free_port()
    server = serve(port)
    try:
        # Logged in once per user (a login hashes the password: slow on purpose).
        logged: dict[str, list[Session]] = {}
        for page in pages:
            if page.user not in logged:
                logged[page.user] = [
                    Session(port, page.user, DEMO_PASSWORD) for _ in range(args.clients)
                ]
            measure(page, logged[page.user], args.requests, args.seconds)
        for sessions in logged.values():
            for s in sessions:
                s.conn.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"\n{'page':<10} {'user':<11} {'seq p50':>8} {'p95':>6} {'n':>4}  "
        f"{f'{args.clients} clients p50':>15} {'p95':>6} {'n':>4}  "
        f"{'queries':>14}  {'CPU':>5} {'raw SQL':>8} {'ratio':>6}  slowest query"
    )
    for p in pages:
        q = " / ".join(str(p.queries[k]) for k in sorted(p.queries))
        seq50 = pct(p.seq, 50)
        print(
            f"{p.name:<10} {p.user:<11} {seq50:8.0f} {pct(p.seq, 95):6.0f} {len(p.seq):4d}  "
            f"{pct(p.conc, 50):15.0f} {pct(p.conc, 95):6.0f} {len(p.conc):4d}  "
            f"{q:>14}  {p.cpu_ms:5.0f} {p.raw_ms:8.1f} {seq50 / max(p.raw_ms, 0.01):6.1f}  "
            f"{p.slowest[0]:.1f} ms: {p.slowest[1][:70]}"
        )
    print(
        f"\ntimes in ms over loopback (motcua serve: 2 workers × {DEFAULT_THREADS} threads); "
        f"queries at {small:,} / "
        f"{args.n:,} dossiers (must be equal);\n"
        "CPU = CPU time of the page in this process (test client; on SQLite it includes the "
        "database's work); raw SQL = the page's SELECTs replayed on a "
        "cursor, best of 3; ratio = sequential p50 / raw SQL. Target: p95 < 300 ms."
    )
    # Reported apart: one person's page time (what the target is about) and the same pages
    # while several clients share the server's CPUs (here also the database's and these
    # clients' own).
    worst_seq = max(pct(p.seq, 95) for p in pages)
    worst_conc = max(pct(p.conc, 95) for p in pages)
    grows = [f"{p.name}/{p.user}" for p in pages if len(set(p.queries.values())) > 1]

    def verdict(ms: float) -> str:
        return "meets" if ms < 300 else "misses"

    print(
        f"worst p95: one client {worst_seq:.0f} ms ({verdict(worst_seq)} the target), "
        f"{args.clients} clients {worst_conc:.0f} ms ({verdict(worst_conc)}); "
        f"query counts {'grow for ' + ', '.join(grows) if grows else 'constant'}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs{parallel}"
    )
    if args.explain:
        with connection.cursor() as cur:
            for p in pages:
                prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
                cur.execute(prefix + p.slowest[1].replace("%", "%%"))
                print(f"\n{p.name}/{p.user} ({p.slowest[0]:.1f} ms): {p.slowest[1][:300]}")
                for row in cur.fetchall():
                    print("   ", " ".join(str(c) for c in row))


if __name__ == "__main__":
    main()
