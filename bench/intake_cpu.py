"""CPU time of one receipt (``POST /api/dossiers``) in one process, through Django's test
client: the application's own cost, without the HTTP server, the network or other
clients, next to ``GET /healthz`` measured the same way in the same run.

    .venv/bin/python bench/intake_cpu.py [--receipts 400] [--rounds 3]
        [--database-url postgres://postgres@127.0.0.1:54330/intake_cpu]

The database is built as in ``bench/intake.py`` (the test suite's small province, six parts
on its procedure, a counter clerk's token; SQLite in a temporary directory unless
``--database-url`` names a PostgreSQL database, dropped and created afresh). Each round
sends ``--receipts`` receipts (the bodies of ``bench/intake.py``) and as many
``/healthz``, after 50 of each to warm up, and prints the CPU time (``process_time``) and
the wall time per request of each.

On a shared machine the CPU time of the same work moves with the neighbours' load, by half
or more within minutes. To compare two versions, run this from both checkouts *at the same
time* (each in its own database): both then see the same machine, and the difference of
their CPU per receipt is the change's.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from intake import bench_database, receipt_body  # noqa: E402


def measure(procedure: str, token: str, receipts: int, rounds: int) -> None:
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    rng = random.Random(1)

    def receipt() -> None:
        body = receipt_body(procedure, rng)
        response = client.post("/api/dossiers", body, content_type="application/json", **auth)
        if response.status_code != 201:
            raise SystemExit(f"receipt: {response.status_code} {response.content[:300]!r}")

    def healthz() -> None:
        response = client.get("/healthz")
        if response.status_code != 200:
            raise SystemExit(f"healthz: {response.status_code}")

    for _ in range(50):
        receipt()
        healthz()
    print(f"{'round':>5} {'request':<8} {'cpu ms':>7} {'wall ms':>8}")
    for n in range(1, rounds + 1):
        per: dict[str, float] = {}
        for name, call in (("healthz", healthz), ("receipt", receipt)):
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(receipts):
                call()
            per[name] = (time.process_time() - cpu) / receipts * 1000
            print(
                f"{n:>5} {name:<8} {per[name]:>7.3f} "
                f"{(time.perf_counter() - wall) / receipts * 1000:>8.3f}"
            )
        print(f"{n:>5} {'ratio':<8} {per['receipt'] / per['healthz']:>7.1f}   (receipt / healthz)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receipts", type=int, default=400, help="requests of each kind per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="", help="PostgreSQL (dropped, recreated)")
    args = parser.parse_args()
    env, procedure, token = bench_database(args.database_url)
    os.environ.clear()
    os.environ.update(env)
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; load {os.getloadavg()}")
    measure(procedure, token, args.receipts, args.rounds)


if __name__ == "__main__":
    main()
