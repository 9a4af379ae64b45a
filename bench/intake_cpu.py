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

    .venv/bin/python bench/intake_cpu.py --instructions [--receipts 40] [--database-url …]

counts instead the machine instructions each request executes in this process (valgrind's
callgrind, from Debian's ``valgrind`` package): the same count, within a few tenths of a
percent, however busy the machine is, so that a change of 1 % shows in one run, and the
ratio receipt / healthz is the machine's yardstick. It runs about fifty times slower than
the program (about a minute and a half for the defaults) and counts only this process, not
PostgreSQL's. The warm-up runs with the counting off; then ``--receipts`` requests of each
kind are counted, each kind in its own dump (``callgrind_control``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from intake import bench_database, receipt_body  # noqa: E402


def requests(procedure: str, token: str) -> dict[str, Callable[[], None]]:
    """The two requests measured, each a call that fails loudly on an unexpected answer,
    after 50 of each to warm up (the caches, the prepared statements)."""
    import django

    django.setup()
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    auth = {"Authorization": f"Bearer {token}"}
    rng = random.Random(1)

    def receipt() -> None:
        body = receipt_body(procedure, rng)
        response = client.post("/api/dossiers", body, content_type="application/json", headers=auth)
        if response.status_code != 201:
            raise SystemExit(f"receipt: {response.status_code} {response.content[:300]!r}")

    def healthz() -> None:
        response = client.get("/healthz")
        if response.status_code != 200:
            raise SystemExit(f"healthz: {response.status_code}")

    for _ in range(50):
        receipt()
        healthz()
    return {"healthz": healthz, "receipt": receipt}


def measure(procedure: str, token: str, receipts: int, rounds: int) -> None:
    calls = requests(procedure, token)
    print(f"{'round':>5} {'request':<8} {'cpu ms':>7} {'wall ms':>8}")
    for n in range(1, rounds + 1):
        per: dict[str, float] = {}
        for name, call in calls.items():
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(receipts):
                call()
            per[name] = (time.process_time() - cpu) / receipts * 1000
            print(
                f"{n:>5} {name:<8} {per[name]:>7.3f} "
                f"{(time.perf_counter() - wall) / receipts * 1000:>8.3f}"
            )
        print(f"{n:>5} {'ratio':<8} {per['receipt'] / per['healthz']:>7.1f}   (receipt / healthz)")


def counted_child(procedure: str, token: str, receipts: int) -> None:
    """Under callgrind (``count_instructions``): warm up, then for each kind of request say
    so on stdout, wait for the go on stdin (the counting switched on or dumped meanwhile),
    and send ``receipts`` of them."""
    for name, call in [*requests(procedure, token).items(), ("end", None)]:
        print(name, flush=True)
        sys.stdin.readline()
        if call is not None:
            for _ in range(receipts):
                call()


def _callgrind_totals(path: Path) -> tuple[int, int]:
    """(part, instructions) of one callgrind dump."""
    part = total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("part:"):
            part = int(line.split()[1])
        elif line.startswith(("totals:", "summary:")):
            total = max(total, int(line.split()[1]))
    return part, total


def count_instructions(env: dict[str, str], procedure: str, token: str, receipts: int) -> None:
    """Run ``counted_child`` under callgrind with the counting off, switch it on once the
    child has warmed up, dump after each kind of request, and print instructions per
    request of each kind and their ratio."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind)")
    out = Path(tempfile.mkdtemp(prefix="motcua-callgrind-")) / "callgrind.out"
    child = subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--counted-child",
            json.dumps([procedure, token, receipts]),
        ],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None

    def control(*options: str) -> None:
        subprocess.run(
            ["callgrind_control", *options, str(child.pid)], check=True, capture_output=True
        )

    kinds: list[str] = []
    for line in child.stdout:
        kind = line.strip()
        if kinds:
            control("--dump")  # what the previous kind executed
        else:
            control("--zero")
            control("--instr=on")
        if kind == "end":
            control("--instr=off")
        else:
            kinds.append(kind)
        child.stdin.write("go\n")
        child.stdin.flush()
    if child.wait() != 0:
        raise SystemExit(f"the counted process failed (exit {child.returncode})")
    dumps = dict(_callgrind_totals(p) for p in out.parent.glob(out.name + "*"))
    per = {kind: dumps[part] / receipts for part, kind in enumerate(kinds, start=1)}
    for kind, count in per.items():
        print(f"{kind:<8} {count / 1e6:9.3f} M instructions per request")
    print(f"{'ratio':<8} {per['receipt'] / per['healthz']:9.2f}   (receipt / healthz)")
    shutil.rmtree(out.parent, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--receipts", type=int, default=None, help="requests of each kind per round (400; 40)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="", help="PostgreSQL (dropped, recreated)")
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions (valgrind) instead"
    )
    parser.add_argument("--counted-child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.counted_child:
        procedure, token, receipts = json.loads(args.counted_child)
        counted_child(procedure, token, receipts)
        return
    env, procedure, token = bench_database(args.database_url)
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; load {os.getloadavg()}")
    if args.instructions:
        count_instructions(env, procedure, token, args.receipts or 40)
        return
    os.environ.clear()
    os.environ.update(env)
    measure(procedure, token, args.receipts or 400, args.rounds)


if __name__ == "__main__":
    main()
