"""Load test of the public dossier lookup (/tra-cuu/) over loopback, from a second process.

    .venv/bin/python bench/lookup_load.py [--dossiers 500] [--clients 200] [--duration 30]
        [--database-url postgres://postgres@127.0.0.1:54330/lookupload_bench]
        [--serve "--workers 2 --threads 4"] [--no-saturated]

1. Builds a throwaway database (SQLite in a temporary MOTCUA_DATA_DIR, or the PostgreSQL
   database named by --database-url, dropped and created afresh) with ``--dossiers``
   dossiers submitted and accepted through the real services, each with its events.
2. Starts ``motcua serve`` (gunicorn; its own defaults unless ``--serve`` adds options) on
   127.0.0.1 with no notification worker. The lookup's rate limiter stays in the path with
   a limit no run reaches (every client is 127.0.0.1), so its cost is measured.
   Before the server, the CPU time of a lookup through Django's WSGI handler in a process of
   its own (no server, no load generator: robust to other load on the machine).
3. Drives it with ``wrk`` (Debian: ``apt-get install -y wrk``) and a Lua script that picks a
   random dossier's code and secret for every request. Load model:
   - *paced* (the target): ``--clients`` HTTP/1.1 keep-alive connections, all opened at the
     start and held for ``--duration`` seconds, each one a citizen who waits a random
     0.5–1.5 s before every request (reading the page), sends one GET and waits for the
     whole answer. The wait comes before the first request too (wrk 4.1 calls ``delay()``
     before each request, the first included), so the first requests spread over 1.5 s
     instead of arriving at once; about ``--clients`` requests per second while answers are
     fast. It is a closed loop (a slow server is sent fewer requests): compare req/s too.
     Target: p99 < 100 ms and no errors.
   - *saturated*: the same connections without pause, to show the server's ceiling.
   Latency is wrk's, from writing a request to reading the end of its answer (connecting
   is not counted). The baseline, measured the same way in the same run, is ``/healthz``
   (one ``SELECT 1`` through the same middleware): the ratios say what the lookup costs.
Errors are socket errors plus any response that is not 200. Each row also gives the
server's CPU time per request (all its processes, from /proc), on PostgreSQL the CPU time of
the database's backends per request (when PostgreSQL runs on this machine), and the load
average before and after the run: on a shared machine, numbers from a busy one are not
comparable.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = r"""
local pairs_file = "%(pairs)s"
local paths = {}
for line in io.lines(pairs_file) do paths[#paths + 1] = line end
local paced = %(paced)s
math.randomseed(os.time())
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
if paced then
  delay = function() return math.random(500, 1500) end
end
local bad = 0
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_database(env: dict[str, str], count: int) -> list[tuple[str, str]]:
    """Migrate and fill the throwaway database in a child process (Django set up there, with
    this environment); returns the (code, secret) pairs."""
    script = ROOT / "bench" / "_lookup_fill.py"
    out = subprocess.run(
        [sys.executable, str(script), str(count)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return [tuple(line.split(" ", 1)) for line in out.stdout.splitlines() if " " in line]  # type: ignore[misc]


def in_process(env: dict[str, str], paths_file: Path) -> dict[str, float]:
    """What a lookup and /healthz cost through Django alone, in a child process: the server's
    CPU per request below, less this, is the server's own (gunicorn, threads, sockets)."""
    script = ROOT / "bench" / "_lookup_inprocess.py"
    out = subprocess.run(
        [sys.executable, str(script), str(paths_file)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def recreate_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def wait_ready(url: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not answer within {timeout:.0f} s")


def run_wrk(
    base: str, paths: list[str], *, clients: int, duration: int, paced: bool, tmp: Path
) -> dict[str, float]:
    pairs = tmp / f"paths-{abs(hash(tuple(paths[:3])))}.txt"
    pairs.write_text("\n".join(paths) + "\n")
    script = tmp / f"wrk-{'paced' if paced else 'sat'}.lua"
    script.write_text(LUA % {"pairs": pairs, "paced": "true" if paced else "false"})
    threads = min(4, clients)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result: dict[str, float] = json.loads(line[len("RESULT ") :])
    return result


def summary(name: str, r: dict[str, float]) -> str:
    errors = int(r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"])
    rps = r["requests"] / (r["duration_us"] / 1e6)
    return (
        f"{name:<22} {int(r['requests']):>8} {rps:>8.0f} {r['p50_us'] / 1000:>8.1f} "
        f"{r['p90_us'] / 1000:>8.1f} {r['p99_us'] / 1000:>8.1f} {r['max_us'] / 1000:>8.1f} "
        f"{errors:>7}"
    )


def session_cpu_seconds(sid: int) -> float:
    """CPU time (user + system) of every live process of session ``sid`` (the server:
    gunicorn's arbiter and workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[3]) == sid:  # fields after the name: state ppid pgrp session ...
            total += int(fields[11]) + int(fields[12])
    return total / tick


def database_cpu_seconds(url: str) -> dict[int, float]:
    """CPU time of each PostgreSQL server process serving database ``url`` (its backends,
    when the server runs on this machine); none for SQLite, which runs inside the server."""
    if not url:
        return {}
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]
            ).fetchall()
        ]
    tick = os.sysconf("SC_CLK_TCK")
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:  # not on this machine, or gone
            continue
        times[pid] = (int(fields[11]) + int(fields[12])) / tick
    return times


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=500)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=int, default=30, help="seconds per run")
    parser.add_argument("--database-url", default="", help="PostgreSQL (dropped, recreated)")
    parser.add_argument("--no-saturated", action="store_true", help="skip the ceiling runs")
    parser.add_argument(
        "--serve",
        default="",
        help="extra options of `motcua serve`, e.g. '--workers 4 --threads 8' "
        "(default: its own defaults, which are what is measured)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    tmp = Path(tempfile.mkdtemp(prefix="motcua-lookup-bench-"))
    env = {
        **os.environ,
        "MOTCUA_DATA_DIR": str(tmp),
        # All clients share 127.0.0.1: a limit no run can reach keeps the limiter's work in
        # every lookup without refusing any.
        "MOTCUA_LOOKUP_RATE": f"{10**9}/300",
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
    }
    env.pop("DATABASE_URL", None)
    if args.database_url:
        recreate_postgres(args.database_url)
        env["DATABASE_URL"] = args.database_url
    started = time.monotonic()
    pairs = prepare_database(env, args.dossiers)
    print(
        f"database: {'PostgreSQL' if args.database_url else 'SQLite'}, {len(pairs)} dossiers "
        f"(submitted and accepted through the services) in {time.monotonic() - started:.1f} s"
    )
    lookups = [f"/tra-cuu/?ma={code}&bi-mat={secret}" for code, secret in pairs]
    random.shuffle(lookups)
    paths_file = tmp / "lookups.txt"
    paths_file.write_text("\n".join(lookups) + "\n")
    cost = in_process(env, paths_file)
    database = (
        f", PostgreSQL backend {cost['db_per_lookup']:.2f} ms a lookup" if args.database_url else ""
    )
    print(
        f"in-process CPU per request (Django's WSGI handler, no server; lowest / median of 5 "
        f"rounds): lookup {cost['lookup_min']:.2f} / {cost['lookup_median']:.2f} ms, "
        f"healthz {cost['healthz_min']:.2f} ms{database}; load {load()}"
    )

    port = free_port()
    motcua = str(Path(sys.executable).with_name("motcua"))
    command = [motcua, "serve", "--bind", f"127.0.0.1:{port}", "--no-worker", *args.serve.split()]
    print(f"server: {' '.join(command[1:])}")
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    results: dict[str, tuple[dict[str, float], float, float, str]] = {}
    try:
        wait_ready(f"{base}/healthz")
        # Warm every worker (imports, template loading, connections) before measuring.
        run_wrk(base, lookups, clients=8, duration=3, paced=False, tmp=tmp)
        runs = [("healthz, paced", ["/healthz"], True), ("lookup, paced", lookups, True)]
        if not args.no_saturated:
            runs += [("healthz, saturated", ["/healthz"], False)]
            runs += [("lookup, saturated", lookups, False)]
        for name, paths, is_paced in runs:
            before = load()
            cpu = session_cpu_seconds(server.pid)
            db_cpu = database_cpu_seconds(args.database_url)
            result = run_wrk(
                base, paths, clients=args.clients, duration=args.duration, paced=is_paced, tmp=tmp
            )
            cpu = session_cpu_seconds(server.pid) - cpu
            # Backends opened during the run count whole (they did this run's work); those
            # closed during it (CONN_MAX_AGE) are missed.
            db_after = database_cpu_seconds(args.database_url)
            db_used = sum(t - db_cpu.get(pid, 0.0) for pid, t in db_after.items())
            results[name] = (result, cpu, db_used, f"{before} -> {load()}")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)

    print(
        f"\n{args.clients} concurrent clients over loopback, {args.duration} s per run, "
        f"{os.cpu_count()} CPUs; times in ms; 'server ms' = server CPU time per request, "
        f"'db ms' = PostgreSQL backends' CPU time per request"
    )
    heads = ("requests", "req/s", "p50", "p90", "p99", "max")
    print(
        f"{'run':<22} " + " ".join(f"{h:>8}" for h in heads) + f" {'errors':>7} "
        f"{'server ms':>9} {'db ms':>6}  load average 1/5/15 min before -> after"
    )
    for name, (r, server_cpu, db_seconds, loads) in results.items():
        n = max(1, r["requests"])
        per_request = f"{server_cpu * 1000 / n:>9.2f} {db_seconds * 1000 / n:>6.2f}"
        print(f"{summary(name, r)} {per_request}  {loads}")
    paced, base_paced = results["lookup, paced"][0], results["healthz, paced"][0]
    print(
        f"\nlookup / healthz (paced): p50 x{paced['p50_us'] / base_paced['p50_us']:.2f}, "
        f"p99 x{paced['p99_us'] / base_paced['p99_us']:.2f}"
    )
    if "lookup, saturated" in results:
        sat, base_sat = results["lookup, saturated"][0], results["healthz, saturated"][0]
        ratio = (sat["requests"] / sat["duration_us"]) / (
            base_sat["requests"] / base_sat["duration_us"]
        )
        print(f"lookup / healthz (saturated): throughput x{ratio:.2f}")
    errors = sum(int(paced[k]) for k in ("connect", "read", "write", "status", "timeout"))
    ok = paced["p99_us"] < 100_000 and errors == 0
    print(f"target (paced lookup p99 < 100 ms, no errors): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
