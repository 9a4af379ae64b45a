"""Where one receipt's time goes: ``POST /api/dossiers`` through Django's test client in
this process, against the database of the environment (a throwaway SQLite by default, or
``DATABASE_URL``, which must name a database this may fill).

    .venv/bin/python bench/_intake_profile.py [--receipts 200] [--top 40] [--queries]

Prints the queries of one receipt (with ``--queries``, their SQL), then cProfile's top
functions by cumulative time over ``--receipts`` receipts."""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--receipts", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--queries", action="store_true")
    parser.add_argument(
        "--stacks", action="store_true", help="with --queries: our code that made each query"
    )
    args = parser.parse_args()
    os.environ.setdefault("MOTCUA_DATA_DIR", tempfile.mkdtemp(prefix="motcua-intake-prof-"))
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    import _intake_fill
    from intake import receipt_body

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    from contextlib import redirect_stdout
    from io import StringIO

    with redirect_stdout(StringIO()) as out:
        _intake_fill.main()
    procedure, token = out.getvalue().split()[-2:]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    rng = random.Random(1)

    def receipt() -> None:
        response = client.post(
            "/api/dossiers", receipt_body(procedure, rng), content_type="application/json"
        )
        assert response.status_code == 201, response.content[:500]

    for _ in range(5):
        receipt()
    settings.DEBUG = True
    reset_queries()
    stacks: list[str] = []

    def where(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        frames = [
            f"{Path(f.filename).relative_to(ROOT / 'src')}:{f.lineno} {f.name}"
            for f in traceback.extract_stack()
            if "/src/motcua/" in f.filename
        ]
        stacks.append(" < ".join(reversed(frames[-4:])))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(where):
        receipt()
    queries = list(connection.queries)
    settings.DEBUG = False
    print(f"{len(queries)} queries, {sum(float(q['time']) for q in queries) * 1000:.1f} ms")
    if args.queries:
        calls = iter(stacks)
        for q in queries:
            print(f"  {q['time']}  {q['sql'][: 300 if not args.stacks else 120]}")
            # COMMIT is logged without passing the execute wrapper: no stack of its own.
            if args.stacks and q["sql"] not in ("COMMIT", "ROLLBACK"):
                print(f"      {next(calls, '')}")
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(args.receipts):
        receipt()
    profile.disable()
    elapsed = time.perf_counter() - started
    print(
        f"{args.receipts} receipts in {elapsed:.2f} s: {elapsed / args.receipts * 1000:.1f} ms each"
    )
    pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
