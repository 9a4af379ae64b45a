"""Staff pages on the demo province (about 48,000 dossiers), against the cheapest page.

Times each page through Django's test client (no network), median of 7 after one warm-up,
logged in as the demo user who would open it; the baseline is ``/healthz`` in the same run
(one request through the whole middleware stack and a ``SELECT 1``). Prints the time, the
number of queries and the ratio to the baseline.

Needs the demo database: ``MOTCUA_DATA_DIR=/tmp/motcua-bench .venv/bin/motcua demo --no-serve``
then ``MOTCUA_DATA_DIR=/tmp/motcua-bench .venv/bin/python bench/office_pages_demo.py``
(or DATABASE_URL for PostgreSQL, the same for both commands).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from motcua.dossiers.models import Dossier  # noqa: E402

RUNS = 7
PERIOD = "date_from=2022-06-05&date_to=2022-08-31"


def timed(client: Client, path: str) -> tuple[float, int, int]:
    client.get(path)
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - start)
    return statistics.median(times), len(queries.captured_queries), response.status_code


def main() -> int:
    settings.ALLOWED_HOSTS = ["*"]
    if not User.objects.filter(username="vanphong").exists():
        sys.exit("No demo data: run `motcua demo --no-serve` with the same MOTCUA_DATA_DIR.")
    sample = Dossier.objects.order_by("-received_at").values_list("code", flat=True).first()
    pages = [
        ("vanphong", "/can-bo/"),
        ("vanphong", "/can-bo/?f=overdue"),
        ("vanphong", f"/can-bo/lanh-dao/?{PERIOD}"),
        ("vanphong", f"/can-bo/?ky=resolved&{PERIOD}"),
        ("vanphong", f"/can-bo/ho-so/{sample}/"),
        ("lanhdao", "/can-bo/"),
        ("lanhdao", "/can-bo/lanh-dao/"),
        ("tiepnhan", "/can-bo/"),
        ("tiepnhan", "/can-bo/quay/tim-thu-tuc/?q=giay+phep+xay+dung"),
        ("tiepnhan", "/can-bo/quay/so-theo-doi/"),
        ("thanhtra", "/can-bo/nhat-ky/"),
    ]
    print(f"{Dossier.objects.count():,} dossiers; median of {RUNS}")
    base_client = Client()
    base, _, _ = timed(base_client, "/healthz")
    print(f"{'baseline /healthz':62} {base * 1000:8.2f} ms")
    clients: dict[str, Client] = {}
    for username, path in pages:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        seconds, queries, status = timed(clients[username], path)
        label = f"{username:9} {path}"[:62]
        print(
            f"{label:62} {seconds * 1000:8.2f} ms {queries:3} queries "
            f"{seconds / base:7.1f}x  (HTTP {status})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
