"""Helper of bench/lookup_load.py, run in its own process with the bench's environment: the
CPU time of a lookup and of /healthz through Django's WSGI handler in this process, as the
server calls it (request signals, middleware, connections kept), without the server.

    _lookup_inprocess.py PATHS_FILE [N]

Prints one JSON line: milliseconds of this process's CPU per request, the lowest and the
median of 5 rounds of N requests (the lowest is the least disturbed by other load), and on
PostgreSQL the CPU of the database backend per lookup (when it runs on this machine)."""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def main(paths_file: str, count: int) -> None:
    from django.db import connection

    from motcua.wsgi import application

    def get(path: str) -> bytes:
        url = urlsplit(path)
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": url.path,
            "QUERY_STRING": url.query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1:8000",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
        }
        status: list[str] = []

        def start_response(s: str, headers: Any, exc_info: Any = None) -> Callable[[bytes], None]:
            status.append(s)
            return lambda _data: None

        response = application(environ, start_response)
        body = b"".join(response)
        response.close()
        if not status[0].startswith("200"):
            raise SystemExit(f"{path}: {status[0]}")
        return body

    paths = Path(paths_file).read_text().split()
    for path in paths[:50]:  # warm: imports, templates, the connection, the frame
        get(path)
    get("/healthz")
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    tick = os.sysconf("SC_CLK_TCK")

    def backend_cpu() -> float:
        if backend is None or not backend.exists():
            return 0.0
        fields = backend.read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / tick

    def per_request(batch: list[str]) -> tuple[float, float]:
        started, db = time.process_time(), backend_cpu()
        for i in range(count):
            get(batch[i % len(batch)])
        return (
            (time.process_time() - started) * 1000 / count,
            (backend_cpu() - db) * 1000 / count,
        )

    lookups, healthz = [], []
    for _round in range(5):
        lookups.append(per_request(paths))
        healthz.append(per_request(["/healthz"]))
    out = {
        "lookup_min": min(x[0] for x in lookups),
        "lookup_median": statistics.median(x[0] for x in lookups),
        "healthz_min": min(x[0] for x in healthz),
        "db_per_lookup": statistics.median(x[1] for x in lookups),
    }
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    import django

    django.setup()
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300)
