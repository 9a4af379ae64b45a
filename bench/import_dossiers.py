"""Benchmark: ``motcua import dossiers`` against the database's own bulk load.

Generates N dossier-history lines (default 1,000,000; each with 2–5 events) into a temporary
file, imports them into a fresh database with the real importer (validation pass, then the
write pass in one transaction), then measures the baseline in the same run: the very rows the
import wrote (dossiers, events, control-slip rows), dumped, the tables emptied, and loaded back
with the fastest path of the database (SQLite: ``executemany`` in one transaction;
PostgreSQL: ``COPY FROM STDIN`` of the text rows ``COPY TO`` produced). Prints both times and
the ratio (target ≤ 5).

    .venv/bin/python bench/import_dossiers.py --n 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:54330/x .venv/bin/python bench/import_dossiers.py

SQLite: a fresh file in a temporary directory. PostgreSQL: a fresh database named after the
one in DATABASE_URL with ``_importbench`` appended (dropped and created; the named one is
never touched).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
N_AGENCIES = 24
N_PROCEDURES = 60
UNITS = ["Phòng Hành chính", "Phòng Chuyên môn", "Lãnh đạo", "Văn thư"]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em"]


def _database(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp / 'bench.sqlite3'}"
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    name = (name.split("?")[0] or "motcua") + "_importbench"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}"


def _catalogue() -> list[tuple[str, str]]:
    """Agencies and procedures with workflows; returns (agency code, procedure code) pairs."""
    from decimal import Decimal

    from motcua.agencies.models import Agency, Level
    from motcua.catalog.models import DurationUnit, Field, Procedure, ProcedureVersion, WorkflowStep

    rnd = random.Random(7)
    field = Field.objects.create(name="Tư pháp")
    pairs = []
    agencies = [
        Agency.objects.create(code=f"000.00.{i:02d}.H18", name=f"Sở {i}", level=Level.PROVINCE)
        for i in range(1, N_AGENCIES + 1)
    ]
    for p in range(N_PROCEDURES):
        agency = agencies[p % N_AGENCIES]
        procedure = Procedure.objects.create(code=f"1.{p:06d}")
        unit = rnd.choice([DurationUnit.WORKING_DAYS] * 8 + [DurationUnit.CALENDAR_DAYS] * 2)
        days = rnd.choice([1, 3, 5, 10, 15, 20])
        for number, (start, end) in enumerate(
            [(dt.date(2020, 1, 1), dt.date(2023, 6, 30)), (dt.date(2023, 7, 1), None)], start=1
        ):
            version = ProcedureVersion.objects.create(
                procedure=procedure,
                number=number,
                name=f"Thủ tục {p}",
                field=field,
                agency=agency,
                level=Level.PROVINCE,
                duration=Decimal(days),
                unit=unit,
                valid_from=start,
                valid_to=end,
            )
            budget = Decimal(days * 8)
            shares = [Decimal("0.1"), Decimal("0.6"), Decimal("0.2"), Decimal("0.1")]
            for position, (name, share) in enumerate(
                zip(["Tiếp nhận", "Thẩm định", "Phê duyệt", "Trả kết quả"], shares, strict=True),
                start=1,
            ):
                WorkflowStep.objects.create(
                    version=version, position=position, name=name, hours=budget * share
                )
        pairs.append((agency.code, procedure.code))
    return pairs


def _generate(path: Path, n: int, pairs: list[tuple[str, str]]) -> None:
    rnd = random.Random(42)
    counters: dict[tuple[str, str], int] = {}
    first = dt.datetime(2022, 1, 3, tzinfo=LOCAL)
    span_days = 3 * 365
    with open(path, "w", encoding="utf-8") as out:
        for _ in range(n):
            agency, procedure = rnd.choice(pairs)
            day = first + dt.timedelta(days=rnd.randrange(span_days))
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            received = day.replace(hour=7) + dt.timedelta(minutes=rnd.randrange(600))
            key = (agency, f"{received:%y%m%d}")
            counters[key] = counters.get(key, 0) + 1
            at = received
            events: list[dict[str, Any]] = []

            def step(hours: float, at_: dt.datetime = at) -> dt.datetime:
                return at_ + dt.timedelta(hours=hours)

            at = step(rnd.uniform(0.5, 6))
            events.append({"type": "handover", "at": at.isoformat(), "unit": rnd.choice(UNITS)})
            roll = rnd.random()
            if roll < 0.08:
                at = step(rnd.uniform(2, 40), at)
                events.append({"type": "supplement_requested", "at": at.isoformat()})
                at = step(rnd.uniform(24, 200), at)
                events.append({"type": "supplement_received", "at": at.isoformat()})
            elif roll < 0.12:
                at = step(rnd.uniform(24, 100), at)
                new_due = at + dt.timedelta(days=10)
                events.append(
                    {
                        "type": "extension",
                        "at": at.isoformat(),
                        "apology": True,
                        "reason": "Chờ xác minh",
                        "new_due_at": new_due.isoformat(),
                    }
                )
            end = rnd.random()
            at = step(rnd.uniform(4, 300), at)
            if end < 0.82:
                events.append({"type": "result_ready", "at": at.isoformat()})
                if rnd.random() < 0.7:
                    at = step(rnd.uniform(1, 72), at)
                    channel = rnd.choice(["counter", "counter", "postal", "online"])
                    events.append(
                        {"type": "result_delivered", "at": at.isoformat(), "channel": channel}
                    )
            elif end < 0.87:
                events.append({"type": "refused", "at": at.isoformat(), "reason": "Không đủ"})
            elif end < 0.90:
                events.append({"type": "withdrawn", "at": at.isoformat()})
            elif len(events) < 2:
                events.append({"type": "handover", "at": at.isoformat(), "unit": "Lãnh đạo"})
            record = {
                "code": f"{agency}-{key[1]}-{counters[key]:04d}",
                "procedure": procedure,
                "agency": agency,
                "channel": rnd.choice(["online", "online", "direct", "postal"]),
                "applicant": {
                    "kind": "citizen",
                    "name": rnd.choice(NAMES),
                    "id_number": f"{rnd.randrange(10**12):012d}",
                    "phone": f"09{rnd.randrange(10**8):08d}",
                },
                "received_at": received.isoformat(),
                "events": events,
            }
            if rnd.random() < 0.3:
                record["due_at"] = (received + dt.timedelta(days=7)).replace(hour=17).isoformat()
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the import's workers)."""
    children = os.times()
    return time.process_time() + children.children_user + children.children_system


def _baseline() -> tuple[float, float, dict[str, int]]:
    """Dump what the import wrote, empty the tables, and time loading it back."""
    from django.db import connection, transaction

    from motcua.dossiers.models import Dossier, DossierEvent, Handover

    tables = [m._meta.db_table for m in (Dossier, DossierEvent, Handover)]
    counts: dict[str, int] = {}
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        dumps: dict[str, list[bytes]] = {}
        with raw.cursor() as cur:
            for table in tables:
                with cur.copy(f'COPY "{table}" TO STDOUT') as copy:
                    dumps[table] = [bytes(block) for block in copy]
            cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
        raw.commit()
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic(), connection.cursor() as wrapper:
            cur = wrapper.cursor
            for table in tables:
                with cur.copy(f'COPY "{table}" FROM STDIN') as copy:
                    for block in dumps[table]:
                        copy.write(block)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    else:
        rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
        cur = raw.cursor()
        for table in tables:
            cur.execute(f'SELECT * FROM "{table}"')
            columns = [d[0] for d in cur.description]
            rows[table] = (columns, cur.fetchall())
        for table in reversed(tables):
            cur.execute(f'DELETE FROM "{table}"')
        raw.commit()
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            for table in tables:
                columns, data = rows[table]
                cols = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join("?" * len(columns))
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', data)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    for table in tables:
        with connection.cursor() as c:
            c.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = c.fetchone()[0]
    return elapsed, cpu, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="dossiers (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="motcua-importbench-"))
    os.environ["DATABASE_URL"] = _database(tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from motcua.dossiers.importing import import_dossier_file

    call_command("migrate", interactive=False, verbosity=0)
    pairs = _catalogue()
    path = tmp / "history.jsonl"
    started = time.perf_counter()
    _generate(path, args.n, pairs)
    size = path.stat().st_size
    print(
        f"generated {args.n:,} lines ({size / 1e6:.0f} MB) "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )

    started, cpu = time.perf_counter(), _cpu()
    result = import_dossier_file(path, progress=lambda m: print(f"  {m}", file=sys.stderr))
    imported, imported_cpu = time.perf_counter() - started, _cpu() - cpu
    assert result.created == args.n, result

    baseline, baseline_cpu, counts = _baseline()
    print(f"database: {connection.vendor}")
    print(
        f"rows: {counts} ({result.events:,} events, {result.handovers:,} control-slip rows, "
        f"{result.flagged:,} flagged dossiers)"
    )
    print(f"import (validate + compute + write): {imported:8.1f} s  "
          f"({imported / args.n * 1e6:.0f} µs/dossier)")  # fmt: skip
    print(f"baseline bulk load of the same rows: {baseline:8.1f} s")
    print(f"ratio: {imported / baseline:.2f}x (target <= 5x)")
    # On a shared machine wall time is noisy; CPU time is steadier (this process and the
    # import's worker processes; on SQLite it is all the work; on PostgreSQL the server's share
    # is not in it).
    print(
        f"cpu of this process and its workers: import {imported_cpu:.1f} s, "
        f"baseline {baseline_cpu:.1f} s (dump excluded), "
        f"ratio {imported_cpu / max(baseline_cpu, 1e-9):.2f}x"
    )
    if not args.keep:
        path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
