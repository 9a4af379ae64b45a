"""The period report on a big province, against the raw SQL that gives the same numbers.

Builds N dossiers (default 1,000,000) received over 2021–2022 in a fresh database with a bulk
loader (COPY on PostgreSQL, executemany on SQLite), then times, best of 3 in the same run:

* baseline: the few raw SQL aggregates that give the report's totals (one conditional count
  over the period's rows, the late reasons, the in-progress dossiers waiting for a supplement,
  the guidance contacts);
* ``period_figures``: the JSON report (totals plus the per-agency, per-field and per-level
  rows of biểu II.06a, the late and returned dossiers by agency), and its JSON encoding.

It checks that both agree on every total and prints the ratio.

Run (PostgreSQL, database ``reports_bench`` is dropped and re-created):
    DATABASE_URL=postgres://postgres@127.0.0.1:54330/reports_bench .venv/bin/python bench/report.py
Run (SQLite, a temporary file): .venv/bin/python bench/report.py [--n 200000]
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
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC
PERIOD = (dt.date(2022, 6, 5), dt.date(2022, 8, 31))


def fresh_database() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        base, _, name = url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        tmp = tempfile.mkdtemp(prefix="motcua-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"


CPU: dict[str, float] = {}


def best_of(repeat: int, fn: Any) -> tuple[float, Any]:
    """Best wall time of ``repeat`` runs; the CPU time of this process for that run is kept in
    ``CPU`` (on SQLite it includes the database work: it is what an idle machine would take,
    whereas wall time on a busy machine is not)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        elapsed = time.perf_counter() - start
        if elapsed < best:
            best, CPU[fn.__name__] = elapsed, time.process_time() - cpu
    return best, result


def build_world() -> tuple[list[int], list[tuple[int, int, int, str]]]:
    """A province, 8 districts with 5 communes each; 60 procedures."""
    from motcua.agencies.models import Agency
    from motcua.catalog.models import Field, Procedure, ProcedureVersion

    def agency(code: str, level: str, parent: Agency | None, kind: str = "department") -> Agency:
        a = Agency.objects.create(
            code=code, name=f"Cơ quan {code}", level=level, parent=parent, kind=kind
        )
        a.path = f"{parent.path if parent else '/'}{a.pk}/"
        a.save(update_fields=["path"])
        return a

    # The province's people's committee, its departments and its one-stop centre (so that
    # the QĐ 766 ranking has the province's bodies to rank, as a real province does).
    root = agency("000.00.00.H99", "province", None, "people_committee")
    departments = [agency(f"000.00.{i:02d}.H99", "province", root) for i in range(1, 16)]
    center = agency("000.01.01.H99", "province", root, "service_center")
    districts = [agency(f"000.00.{30 + i}.H99", "district", root) for i in range(8)]
    communes = [
        agency(f"000.{20 + j}.{30 + i}.H99", "commune", d)
        for i, d in enumerate(districts)
        for j in range(5)
    ]
    fields = [Field.objects.create(name=f"Lĩnh vực {i}") for i in range(20)]
    versions = []
    holders = departments + districts + communes
    for i in range(60):
        ag = holders[i % len(holders)] if i < 30 else random.choice(holders)
        p = Procedure.objects.create(code=f"9.{i:06d}")
        v = ProcedureVersion.objects.create(
            procedure=p,
            name=f"Thủ tục {i}",
            field=fields[i % len(fields)],
            agency=ag,
            level=ag.level,
            duration=5,
            unit="working_days",
        )
        versions.append((v.pk, ag.pk, v.field_id, ag.level))
    return [center.pk], versions


def dossier_rows(n: int, versions: list[tuple[int, int, int, str]]) -> Any:
    """Row tuples for every concrete Dossier column, in ``columns`` order."""
    from motcua.dossiers.models import Dossier

    rng = random.Random(1)
    start = dt.datetime(2021, 1, 1, tzinfo=UTC).timestamp()
    span = dt.datetime(2022, 12, 31, tzinfo=UTC).timestamp() - start
    now = dt.datetime(2023, 1, 10, tzinfo=UTC)
    fields = [f for f in Dossier._meta.concrete_fields if f.column != "id"]
    columns = [f.column for f in fields]
    defaults = {f.column: f.get_default() for f in fields}
    defaults.update(secret="x", applicant_kind="citizen", applicant_name="Nguyễn Văn A")
    defaults.update(created_at=now, updated_at=now, due_explanation="{}", flags="[]")

    def rows() -> Any:
        for i in range(n):
            v_id, ag_id, field_id, level = versions[i % len(versions)]
            received = dt.datetime.fromtimestamp(start + rng.random() * span, tz=UTC)
            due = received + dt.timedelta(days=7)
            r = rng.random()
            row = dict(defaults)
            row.update(
                code=f"B-{i:08d}",
                procedure_version_id=v_id,
                agency_id=ag_id,
                field_id=field_id,
                level=level,
                channel=rng.choice(("online", "online", "online", "direct", "postal")),
                received_at=received,
                due_at=due,
                status="processing",
            )
            if r < 0.97:
                ended = received + dt.timedelta(hours=rng.randint(2, 24 * 12))
                kind = "result" if r < 0.9 else rng.choice(("refused", "withdrawn", "stopped"))
                row.update(ended_at=ended, end_kind=kind, status="result_ready")
                if kind == "result":
                    cls = (
                        "early"
                        if ended.date() < due.date()
                        else ("on_time" if ended.date() == due.date() else "late")
                    )
                    row.update(dossier_class=cls)
                    if cls == "late":
                        row.update(
                            late_reason=rng.choice(("Chậm", "Lỗi phần mềm")),
                            has_apology=rng.random() < 0.5,
                            late_steps="Phòng A",
                        )
                    if rng.random() < 0.15:
                        row.update(delivery_channel="postal", delivered_at=ended)
            elif r < 0.975:
                row.update(
                    status="supplement_requested",
                    supplement_requested_at=received + dt.timedelta(hours=3),
                )
            yield tuple(row[c] for c in columns)

    return columns, rows()


def bulk_load(n: int, versions: list[tuple[int, int, int, str]], center: int) -> None:
    from django.db import connection

    columns, rows = dossier_rows(n, versions)
    table = "dossiers_dossier"
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            raw = cur.cursor
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        adapt = connection.ops.adapt_datetimefield_value
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
        with connection.cursor() as cur:
            batch: list[Any] = []
            for row in rows:
                # JSON columns whose default is a list or a dict (``flags``…) are text here.
                batch.append(
                    [
                        adapt(v)
                        if isinstance(v, dt.datetime)
                        else json.dumps(v)
                        if isinstance(v, list | dict)
                        else v
                        for v in row
                    ]
                )
                if len(batch) == 20000:
                    cur.executemany(sql, batch)
                    batch.clear()
            if batch:
                cur.executemany(sql, batch)
    from motcua.dossiers.models import Guidance

    rng = random.Random(2)
    base = dt.datetime(2022, 1, 1, tzinfo=UTC)
    Guidance.objects.bulk_create(
        [
            Guidance(
                unit_id=center,
                at=base + dt.timedelta(minutes=rng.randrange(365 * 24 * 60)),
                kind=rng.choice(("direct", "outgoing_call", "incoming_call")),
            )
            for _ in range(max(n // 50, 10))
        ],
        batch_size=5000,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def baseline() -> dict[str, int]:
    """The raw SQL that gives the report's totals for the whole province."""
    from django.db import connection

    a = connection.ops.adapt_datetimefield_value

    def local(day: dt.date) -> Any:
        return a(dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL).astimezone(UTC))

    d_from, d_to = PERIOD
    start, end = local(d_from), local(d_to + dt.timedelta(days=1))
    last, jan1 = local(d_to), local(dt.date(d_to.year, 1, 1))
    lower = min(start, jan1)

    def c(cond: str) -> str:
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    rec = "received_at >= %(start)s"
    ended_in = "ended_at >= %(start)s AND ended_at < %(end)s"
    res = f"{ended_in} AND end_kind = 'result'"
    prog = "(ended_at IS NULL OR ended_at >= %(end)s)"
    cum = "received_at >= %(jan1)s"
    sql = f"""
        SELECT {c(rec)}, {c(rec + " AND channel = 'online'")}, {c(rec + " AND channel = 'postal'")},
               {c("received_at < %(start)s AND (ended_at IS NULL OR ended_at >= %(start)s)")},
               {c(res)}, {c(res + " AND dossier_class = 'early'")},
               {c(res + " AND dossier_class = 'on_time'")},
               {c(res + " AND dossier_class = 'late'")},
               {c(res + " AND delivery_channel = 'postal'")},
               {c(ended_in + " AND end_kind = 'refused'")},
               {c(ended_in + " AND end_kind IN ('withdrawn', 'stopped')")},
               {c(prog)}, {c(prog + " AND due_at < %(last)s")},
               {c(cum)}, {c(cum + " AND channel = 'online'")}, {c(cum + " AND channel = 'postal'")},
               {c("ended_at >= %(jan1)s AND ended_at < %(end)s AND end_kind = 'result'")}
        FROM dossiers_dossier
        WHERE received_at IS NOT NULL AND received_at < %(end)s
          AND (ended_at IS NULL OR ended_at >= %(lower)s)
    """
    params = {"start": start, "end": end, "last": last, "jan1": jan1, "lower": lower}
    keys = [
        "received",
        "online",
        "postal",
        "carried_over",
        "resolved",
        "early",
        "on_time",
        "late",
        "postal_return",
        "returned",
        "withdrawn",
        "in_progress",
        "overdue_by_date",
        "cum_received",
        "cum_online",
        "cum_postal",
        "cum_resolved",
    ]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        out = {k: int(v or 0) for k, v in zip(keys, cur.fetchone(), strict=True)}
        cur.execute(
            f"""SELECT agency_id, late_reason, late_steps, COUNT(*) FROM dossiers_dossier
                WHERE {res} AND dossier_class = 'late' GROUP BY 1, 2, 3""",
            params,
        )
        cur.fetchall()
        # Past due but waiting for a supplement at the end: within due (waiting now since
        # before the end; the history of the others that ever had a request).
        od = f"received_at < %(end)s AND {prog} AND due_at < %(last)s"
        live = "status = 'supplement_requested' AND supplement_requested_at < %(end)s"
        cur.execute(
            f"""SELECT {c(live)}, {c("supplement_requested_at IS NOT NULL AND NOT (" + live + ")")}
                FROM dossiers_dossier WHERE {od}""",
            params,
        )
        waiting, maybe = (int(v or 0) for v in cur.fetchone())
        if maybe:
            cur.execute(
                f"""SELECT COUNT(*) FROM dossiers_dossier d
                    WHERE {od} AND supplement_requested_at IS NOT NULL AND NOT ({live})
                      AND (SELECT e.type FROM dossiers_dossierevent e
                           WHERE e.dossier_id = d.id AND e.at < %(end)s
                             AND e.type IN ('supplement_requested', 'supplement_received')
                           ORDER BY e.at DESC, e.id DESC LIMIT 1) = 'supplement_requested'""",
                params,
            )
            waiting += int(cur.fetchone()[0])
        out["overdue"] = out.pop("overdue_by_date") - waiting
        cur.execute(
            f"""SELECT {c("at >= %(start)s")}, {c("at >= %(jan1)s")} FROM dossiers_guidance
                WHERE at >= %(lower)s AND at < %(end)s""",
            params,
        )
        out["guidance"], out["cum_guidance"] = (int(v or 0) for v in cur.fetchone())
    return out


def report() -> dict[str, Any]:
    from motcua.reports.queries import period_figures

    figures = period_figures(date_from=PERIOD[0], date_to=PERIOD[1])
    json.dumps(figures, ensure_ascii=False)
    return figures


def same(base: dict[str, int], f: dict[str, Any]) -> None:
    mine = {
        "received": f["received"]["total"],
        "online": f["received"]["online"],
        "postal": f["received"]["postal"],
        "carried_over": f["carried_over"],
        "resolved": f["resolved"]["total"],
        "early": f["resolved"]["early"],
        "on_time": f["resolved"]["on_time"],
        "late": f["resolved"]["late"],
        "postal_return": f["resolved"]["postal_return"],
        "returned": f["returned"]["total"],
        "withdrawn": f["withdrawn"],
        "in_progress": f["in_progress"]["total"],
        "overdue": f["in_progress"]["overdue"],
        "cum_received": f["cumulative"]["received"],
        "cum_online": f["cumulative"]["online"],
        "cum_postal": f["cumulative"]["postal"],
        "cum_resolved": f["cumulative"]["resolved"],
        "guidance": f["guidance"]["total"],
        "cum_guidance": f["cumulative"]["guidance"],
    }
    if mine != base:
        diff = {k: (base[k], mine[k]) for k in base if base[k] != mine.get(k)}
        raise SystemExit(f"the report and the raw SQL disagree: {diff}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="dossiers (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    fresh_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    random.seed(0)
    call_command("migrate", verbosity=0)
    centers, versions = build_world()
    t0 = time.perf_counter()
    bulk_load(args.n, versions, centers[0])
    load_s = time.perf_counter() - t0
    print(f"{connection.vendor}: loaded {args.n:,} dossiers in {load_s:.1f} s")
    report()  # warm caches (and the first-use costs of Django) for both sides
    base_s, base = best_of(args.repeat, baseline)
    report_s, figures = best_of(args.repeat, report)
    same(base, figures)
    print(f"  baseline raw SQL : {base_s * 1000:8.0f} ms")
    print(
        f"  period_figures   : {report_s * 1000:8.0f} ms   (JSON report, "
        f"{len(figures['table_ii06a']['by_agency']['levels'])} levels, "
        f"{sum(len(lv['rows']) for lv in figures['table_ii06a']['by_agency']['levels'])} "
        "agency rows)"
    )
    print(f"  ratio            : {report_s / base_s:8.2f} ×  (target ≤ 2)")
    print(
        f"  CPU of this process: baseline {CPU['baseline'] * 1000:.0f} ms, report "
        f"{CPU['report'] * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"  identity holds   : {figures['identity']['holds']}; received "
        f"{figures['received']['total']:,}, resolved {figures['resolved']['total']:,}"
    )


if __name__ == "__main__":
    main()
