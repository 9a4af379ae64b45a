"""Throughput of receipt at the counter through the API (``POST /api/dossiers``), next to
``/healthz`` measured the same way in the same run.

    .venv/bin/python bench/intake.py [--duration 15] [--clients 1,8]
        [--database-url postgres://postgres@127.0.0.1:54330/intake_bench]
        [--serve "--workers 2 --threads 2"]

1. Builds a throwaway database (SQLite in a temporary MOTCUA_DATA_DIR, or the PostgreSQL
   database named by --database-url, dropped and created afresh) holding the test suite's
   small province (``tests.world``) with six parts on its procedure, and a bearer token of
   its counter clerk.
2. Starts ``motcua serve`` (gunicorn with its own defaults unless ``--serve`` adds options)
   on 127.0.0.1 with no notification worker.
3. For each number of clients (threads of this process, each with its own keep-alive
   HTTP/1.1 connection, sending the next request as soon as the previous answer is read):
   ``GET /healthz`` for ``--duration`` seconds, then ``POST /api/dossiers`` for as long: a
   receipt with a realistic body (an applicant with ID number, phone and address; 3 to 8
   parts, none digitised, each with its reason). Every receipt must answer 201.

Prints requests/s, p50 and p95 (ms) of each, the CPU time each request cost the server's
processes and PostgreSQL's (when it runs on this machine; read from /proc), and the ratios
receipt / healthz: on a shared machine the absolute figures move with the neighbours' load,
the ratios and the CPU per request much less. The
issue's target (issue 15 item 9): ≥ 150 receipts/s with 8 clients on PostgreSQL, p95 < 150 ms.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REASONS = ["Bản giấy, công dân chưa có bản điện tử", "Máy quét hỏng", "Giấy tờ khổ lớn"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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


def receipt_body(procedure: str, rng: random.Random) -> bytes:
    n = rng.randint(3, 8)
    parts = [
        {"part": i, "not_digitised_reason": rng.choice(REASONS)}
        if i <= 6
        else {"name": f"Giấy tờ bổ sung {i}", "copies": 1, "not_digitised_reason": REASONS[0]}
        for i in range(1, n + 1)
    ]
    body = {
        "procedure": procedure,
        "applicant": {
            "kind": "citizen",
            "name": f"Nguyễn Văn Thử {rng.randint(1, 10**6)}",
            "id_number": f"0660900{rng.randint(10000, 99999)}",
            "phone": f"09{rng.randint(10**7, 10**8 - 1)}",
            "address": "Tổ 3, phường Nghĩa Thành, Gia Nghĩa, Đắk Nông",
        },
        "parts": parts,
    }
    return json.dumps(body, ensure_ascii=False).encode()


def cpu_seconds(session: int) -> dict[str, tuple[str, float]]:
    """CPU time (user + system, seconds) so far of each process of ``session`` (the server)
    and each PostgreSQL process of this machine, by pid, with that of its children that
    ended (a connection's backend, counted by PostgreSQL's postmaster when it ends)."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[str, tuple[str, float]] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        name, _, rest = stat.partition("(")[2].rpartition(")")
        fields = rest.split()
        seconds = sum(int(f) for f in fields[11:15]) / tick
        if int(fields[3]) == session:
            used[pid] = ("server", seconds)
        elif name == "postgres":
            used[pid] = ("database", seconds)
    return used


def cpu_used(
    before: dict[str, tuple[str, float]], after: dict[str, tuple[str, float]]
) -> dict[str, float]:
    """CPU seconds used between two ``cpu_seconds`` by the server and by PostgreSQL: a
    process that ended in between (an autovacuum worker) is not counted."""
    total = {"server": 0.0, "database": 0.0}
    for pid, (kind, seconds) in after.items():
        total[kind] += seconds - before.get(pid, (kind, 0.0))[1]
    return total


def drive(
    port: int,
    *,
    clients: int,
    duration: float,
    request: str,
    token: str,
    procedure: str,
    session: int = 0,
) -> dict[str, float]:
    """``clients`` closed-loop clients for ``duration`` seconds; latencies in ms, and the CPU
    time per request (ms) of the server (the processes of ``session``) and of PostgreSQL."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(i: int) -> None:
        rng = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start.wait()
        while time.monotonic() < stop_at[0]:
            t0 = time.perf_counter()
            if request == "healthz":
                conn.request("GET", "/healthz")
                expected = 200
            else:
                conn.request(
                    "POST",
                    "/api/dossiers",
                    body=receipt_body(procedure, rng),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                    },
                )
                expected = 201
            response = conn.getresponse()
            payload = response.read()
            latencies[i].append((time.perf_counter() - t0) * 1000)
            if response.status != expected:
                errors[i] += 1
                if errors[i] == 1:
                    print(f"  {request}: {response.status} {payload[:300]!r}", file=sys.stderr)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    cpu_before = cpu_seconds(session)
    began = time.monotonic()
    stop_at[0] = began + duration
    start.wait()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    cpu = cpu_used(cpu_before, cpu_seconds(session))
    every = sorted(x for per in latencies for x in per)
    quantiles = statistics.quantiles(every, n=100) if len(every) > 1 else [0.0] * 99
    return {
        "requests": len(every),
        "rps": len(every) / elapsed,
        "p50": quantiles[49],
        "p95": quantiles[94],
        "errors": sum(errors),
        "server_cpu": 1000 * cpu["server"] / max(len(every), 1),
        "database_cpu": 1000 * cpu["database"] / max(len(every), 1),
    }


def bench_database(database_url: str) -> tuple[dict[str, str], str, str]:
    """The environment of a benchmark's server (a temporary MOTCUA_DATA_DIR; SQLite there,
    or the PostgreSQL database ``database_url`` dropped and created afresh) and, built in
    it, the test suite's small province: the procedure's code and a counter clerk's token."""
    env = {
        **os.environ,
        "MOTCUA_DATA_DIR": tempfile.mkdtemp(prefix="motcua-intake-bench-"),
        "SECRET_KEY": "bench-only-" + "x" * 40,
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        # One token sends every receipt: the API's per-token limit (600 a minute by default)
        # would answer 429 once receipts pass 10/s.
        "MOTCUA_API_RATE_PER_MINUTE": "1000000",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        recreate_postgres(database_url)
        env["DATABASE_URL"] = database_url
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "_intake_fill.py")],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.split()
    return env, out[-2], out[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15, help="seconds per run")
    parser.add_argument("--clients", default="1,8", help="comma-separated client counts")
    parser.add_argument("--database-url", default="", help="PostgreSQL (dropped, recreated)")
    parser.add_argument("--serve", default="", help="extra options of `motcua serve`")
    args = parser.parse_args()

    env, procedure, token = bench_database(args.database_url)

    port = free_port()
    motcua = str(Path(sys.executable).with_name("motcua"))
    command = [motcua, "serve", "--bind", f"127.0.0.1:{port}", "--no-worker", *args.serve.split()]
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; load {os.getloadavg()}")
    print(f"server: {' '.join(command[1:])}")
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz")
        common = functools.partial(
            drive, port, token=token, procedure=procedure, session=server.pid
        )
        common(clients=4, duration=2, request="receipt")  # warm every worker
        print(
            f"{'run':<16} {'clients':>7} {'req':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
            f"{'errors':>6} {'cpu ms':>7} {'db ms':>6}"
        )
        for clients in (int(c) for c in args.clients.split(",")):
            rows = {}
            for request in ("healthz", "receipt"):
                r = common(clients=clients, duration=args.duration, request=request)
                rows[request] = r
                print(
                    f"{request:<16} {clients:>7} {r['requests']:>6} {r['rps']:>7.1f} "
                    f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['errors']:>6} "
                    f"{r['server_cpu']:>7.2f} {r['database_cpu']:>6.2f}"
                )
            h, d = rows["healthz"], rows["receipt"]
            print(
                f"{'ratio':<16} {clients:>7} {'':>6} {d['rps'] / h['rps']:>7.3f} "
                f"{d['p50'] / h['p50']:>7.1f} {d['p95'] / h['p95']:>7.1f}   "
                f"(receipt / healthz; load {os.getloadavg()[0]:.1f})"
            )
    finally:
        os.killpg(server.pid, 15)
        server.wait()


if __name__ == "__main__":
    main()
