"""The executive view and the province dashboard on a big province, with the daily rollup
against the baseline (the same figures counted on the dossiers), p95 in the same run.

Builds N dossiers received over 2021–2022 with ``bench/report.py``'s bulk loader (COPY on
PostgreSQL, executemany on SQLite), rebuilds the rollup (``motcua rollup rebuild``, timed),
then times ``--repeat`` runs of, for a quarter and for a year:

* ``period_figures`` counted on the dossiers (baseline) and read from the rollup;
* the executive view's figures (``reports.executive.executive_figures``: the period, the
  previous period, the 24-month trend, the agencies, the kept QĐ 766 ranking, computed and
  kept on its first read: ``reports.ranking``); ``--ranking``: the ranking computed directly;
* the province dashboard (``office.dashboard.dashboard_figures``) counted on the dossiers
  (baseline) and read from the rollup (what the province's dashboard does), and its charts'
  months (``figures_by_month``) likewise;
* the whole pages, the dashboard's as a repeated view and as a first view (the chart memory
  emptied first: ``office.charts.charts_forget``; the page draws no chart, its images do);
* the dashboard's three chart images (``/can-bo/lanh-dao/bieu-do/<key>.svg``), each drawn
  (the chart memory emptied first), kept (a repeated ask), and answered 304 on its ETag.

It checks that the rollup's figures equal the baseline's and prints p95 and the ratio.
Target (issue 18): the executive view and the province dashboard p95 < 300 ms at 1,000,000.

Run (PostgreSQL; the database is dropped and re-created):
    DATABASE_URL=postgres://postgres@127.0.0.1:54330/exec_bench .venv/bin/python bench/executive.py
Run (SQLite, a temporary file): .venv/bin/python bench/executive.py [--n 200000]
Keep the SQLite file: ``--sqlite /work/exec-bench.sqlite3``. Re-measure without loading again:
``--reuse`` skips the load and the rollup rebuild when the database already holds N dossiers
(it still migrates, and rebuilds the rollup if a rollup table is empty, e.g. a new one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from typing import Any

sys.path.insert(0, os.path.dirname(__file__))
import report as loader  # bench/report.py: the world and the bulk loader

QUARTER = (dt.date(2022, 7, 1), dt.date(2022, 9, 30))
YEAR = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))


def p95(repeat: int, fn: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    times.sort()
    index = max(0, round(0.95 * len(times)) - 1)
    return times[index] if len(times) > 1 else statistics.fmean(times), result


def _holds(n: int) -> bool:
    """Whether the database of ``DATABASE_URL`` exists and holds ``n`` dossiers."""
    url = os.environ.get("DATABASE_URL", "")
    try:
        if url.startswith("postgres"):
            import psycopg

            with psycopg.connect(url) as conn:
                row = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
        else:
            import sqlite3

            path = url.removeprefix("sqlite:///")
            if not path or not os.path.exists(path):
                return False
            with sqlite3.connect(path) as conn:
                row = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()
    except Exception:  # no database or no table yet: load
        return False
    return row is not None and row[0] == n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="dossiers (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--ranking", action="store_true", help="also time the QĐ 766 ranking")
    parser.add_argument("--sqlite", metavar="PATH", help="SQLite: this file (kept), not a temp")
    parser.add_argument(
        "--reuse", action="store_true", help="skip the load if the database holds N dossiers"
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="with --reuse: rebuild the rollup all the same"
    )
    args = parser.parse_args()
    if args.sqlite:
        os.environ["DATABASE_URL"] = f"sqlite:///{os.path.abspath(args.sqlite)}"
    reuse = args.reuse and _holds(args.n)
    if not reuse:
        if args.sqlite:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(args.sqlite + suffix):
                    os.remove(args.sqlite + suffix)
        else:
            loader.fresh_database()
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from motcua.agencies.models import Agency
    from motcua.core.models import StaffProfile
    from motcua.office.charts import charts_forget
    from motcua.office.dashboard import dashboard_figures, figures_by_month
    from motcua.reports.executive import executive_figures, ranking
    from motcua.reports.queries import period_figures
    from motcua.rollup.models import DayCount, MonthBalance, MonthCount
    from motcua.rollup.services import rollup_rebuild

    call_command("migrate", verbosity=0)
    if reuse:
        print(f"{connection.vendor}: reusing the {args.n:,} dossiers already loaded")
    else:
        centers, versions = loader.build_world()
        t0 = time.perf_counter()
        loader.bulk_load(args.n, versions, centers[0])
        print(
            f"{connection.vendor}: loaded {args.n:,} dossiers in {time.perf_counter() - t0:.1f} s"
        )
    if (
        not reuse
        or args.rebuild
        or not all(m.objects.exists() for m in (DayCount, MonthCount, MonthBalance))
    ):
        t0 = time.perf_counter()
        rollup_rebuild()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        print(
            f"  rollup rebuild   : {time.perf_counter() - t0:8.1f} s  "
            f"({DayCount.objects.count():,} rows)"
        )
    office, _ = User.objects.get_or_create(username="vanphong")
    StaffProfile.objects.get_or_create(
        user=office,
        defaults={"agency": Agency.objects.get(parent__isnull=True), "role": "provincial_office"},
    )
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(office)
    for name, (date_from, date_to) in (("quarter", QUARTER), ("year", YEAR)):
        print(f" {name} {date_from} – {date_to}, p95 of {args.repeat}:")

        def base(a: dt.date = date_from, b: dt.date = date_to) -> Any:
            return period_figures(date_from=a, date_to=b)

        def rolled(a: dt.date = date_from, b: dt.date = date_to) -> Any:
            return period_figures(date_from=a, date_to=b, source="rollup")

        def dash_base(a: dt.date = date_from, b: dt.date = date_to) -> Any:
            return dashboard_figures(office, agency=None, date_from=a, date_to=b, source="dossiers")

        def dash_roll(a: dt.date = date_from, b: dt.date = date_to) -> Any:
            return dashboard_figures(office, agency=None, date_from=a, date_to=b, source="rollup")

        base()  # warm
        base_s, expected = p95(args.repeat, base)
        roll_s, got = p95(args.repeat, rolled)
        if got != expected:
            raise SystemExit("the rollup's figures differ from the dossiers'")
        dash_base_s, dash_expected = p95(args.repeat, dash_base)
        dash_s, dash_got = p95(args.repeat, dash_roll)
        if dash_got["counts"] != dash_expected["counts"]:
            raise SystemExit("the dashboard's rollup figures differ from the dossiers'")
        print(f"  period_figures on the dossiers (baseline): {base_s * 1000:8.0f} ms")
        print(
            f"  period_figures from the rollup          : {roll_s * 1000:8.0f} ms "
            f"({roll_s / base_s:.2f} ×)"
        )
        print(f"  dashboard on the dossiers (baseline)    : {dash_base_s * 1000:8.0f} ms")
        print(
            f"  dashboard from the rollup               : {dash_s * 1000:8.0f} ms "
            f"({dash_s / dash_base_s:.2f} ×)"
        )
        # The dashboard's charts by month: once on the dossiers (baseline), from the rollup.
        t0 = time.perf_counter()
        months_expected = figures_by_month(
            office, date_from=date_from, date_to=date_to, source="dossiers"
        )
        months_base_s = time.perf_counter() - t0
        months_s, months_got = p95(
            args.repeat,
            lambda a=date_from, b=date_to: figures_by_month(
                office, date_from=a, date_to=b, source="rollup"
            ),
        )
        if months_got != months_expected:
            raise SystemExit("the dashboard's months from the rollup differ from the dossiers'")
        print(f"  charts by month on the dossiers (once)  : {months_base_s * 1000:8.0f} ms")
        print(f"  charts by month from the rollup         : {months_s * 1000:8.0f} ms")
        t0 = time.perf_counter()
        executive_figures(date_from, date_to)  # the year's ranking kept on the first read
        first_s = time.perf_counter() - t0
        print(f"  executive view, first read (ranking)    : {first_s * 1000:8.0f} ms")
        view_s, _ = p95(args.repeat, lambda a=date_from, b=date_to: executive_figures(a, b))
        print(f"  executive view, rollup, kept ranking    : {view_s * 1000:8.0f} ms")
        # The whole pages as the provincial office opens them (figures, template, charts).
        query = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
        for label, url in (
            ("page /dieu-hanh/", "/dieu-hanh/"),
            ("page /can-bo/lanh-dao/", "/can-bo/lanh-dao/"),
        ):

            def page(u: str = url, q: dict[str, str] = query) -> Any:
                response = client.get(u, q)
                if response.status_code != 200:
                    raise SystemExit(f"{u}: {response.status_code}")
                return response

            page()
            page_s, _ = p95(args.repeat, page)
            print(f"  {label:<40}: {page_s * 1000:8.0f} ms")
        # The page draws no chart (its images are asked for after it): a first view, the
        # chart memory empty, costs what a repeated one does.

        def first_view(q: dict[str, str] = query) -> Any:
            charts_forget()
            return client.get("/can-bo/lanh-dao/", q)

        first_view_s, _ = p95(args.repeat, first_view)
        print(f"  {'page /can-bo/lanh-dao/, first view':<40}: {first_view_s * 1000:8.0f} ms")
        # Each chart image as the browser asks for it after the page: drawn (first view),
        # kept (the same numbers asked again), and unchanged (304 on its ETag).
        for key in ("received", "on_time", "late"):
            chart_url = f"/can-bo/lanh-dao/bieu-do/{key}.svg"

            def image(
                forget: bool, etag: str = "", u: str = chart_url, q: dict[str, str] = query
            ) -> Any:
                if forget:
                    charts_forget()
                response = client.get(u, q, HTTP_IF_NONE_MATCH=etag)
                if response.status_code not in (200, 304):
                    raise SystemExit(f"{u}: {response.status_code}")
                return response

            image(True)  # the process's first draw also imports matplotlib and its fonts
            drawn_s, drawn = p95(args.repeat, lambda: image(True))
            kept_s, _ = p95(args.repeat, lambda: image(False))
            same_s, same = p95(args.repeat, lambda e=drawn["ETag"]: image(False, e))
            if same.status_code != 304:
                raise SystemExit(f"{chart_url}: {same.status_code} for its own ETag")
            print(
                f"  {'image ' + key + '.svg drawn / kept / 304':<40}: {drawn_s * 1000:8.0f} ms "
                f"/ {kept_s * 1000:.0f} ms / {same_s * 1000:.0f} ms"
            )
        if args.ranking:
            rank_s, _ = p95(3, lambda b=date_to: ranking(b.year, b))
            print(f"  QĐ 766 ranking (reads the dossiers)     : {rank_s * 1000:8.0f} ms")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
