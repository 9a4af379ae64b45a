"""Speed as felt after a restart: the first requests a fresh ``motcua serve`` answers.

Starts ``motcua serve`` (one worker process, so that every "first" below is that process's
first of its kind) on 127.0.0.1, and prints, in seconds:

* start: from launching the command to the port accepting connections;
* the first ``GET /`` (portal home), a second one (the warm baseline of the same page);
* the first staff page (``/can-bo/`` after logging in through the login form) and a second;
* the first receipt PDF (form 01 of a dossier the specialist may see) and a second;
* first request ready: start + the first ``GET /``, what someone waiting on a restart feels.

The database is the demo province (``motcua demo --no-serve``), built in ``--data-dir`` when
it holds none yet (minutes), kept for the next run. Nothing is sent to the server before the
first measured request: readiness is a plain TCP connect. Bounded: each request times out
after 120 s, and the server is stopped at the end.

    .venv/bin/python bench/first_request.py --data-dir /tmp/motcua-bench [--runs 3]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

CLERK = ("chuyenvien", "motcua-demo")  # a specialist: sees dossiers of the demo data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes, float]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        conn.request(method, path, body, h)
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, data, elapsed

    def login(self, username: str, password: str) -> None:
        status, body, _ = self.request("GET", "/dang-nhap/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or token is None:
            raise SystemExit(f"login page: {status}, no CSRF token")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
            }
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, _, _ = self.request("POST", "/dang-nhap/", form, headers)
        if status != 302:
            raise SystemExit(f"login as {username}: {status}")


def ensure_demo(env: dict[str, str]) -> None:
    data_dir = Path(env["MOTCUA_DATA_DIR"])
    if "DATABASE_URL" not in env and (data_dir / "motcua.sqlite3").exists():
        subprocess.run([motcua(), "migrate", "-v", "0"], env=env, check=True)
        return
    print("building the demo database (minutes)…", flush=True)
    subprocess.run([motcua(), "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)


def receipt_path(env: dict[str, str]) -> str:
    """A received dossier the demo specialist may see, found in a separate process (the bench
    itself stays out of Django)."""
    code = (
        "import django; django.setup();"
        "from django.contrib.auth import get_user_model;"
        "from motcua.dossiers.queries import dossiers_visible_to;"
        f"u = get_user_model().objects.get(username={CLERK[0]!r});"
        "d = dossiers_visible_to(u).filter(received_at__isnull=False).order_by('pk').first();"
        "print(d.code)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "motcua.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return f"/can-bo/ho-so/{out.stdout.strip()}/mau-01/"


def motcua() -> str:
    return str(Path(sys.executable).with_name("motcua"))


def one_run(env: dict[str, str], pdf_path: str) -> dict[str, float]:
    port = free_port()
    command = [motcua(), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    command += ["--no-worker", "--insecure-dev-key", "--no-access-log"]
    launched = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = launched + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.perf_counter() > deadline or proc.poll() is not None:
                    raise SystemExit("motcua serve did not start") from None
                time.sleep(0.02)
        figures = {"start": time.perf_counter() - launched}
        client = Client(port)
        for label, path in (("home", "/"), ("home again", "/")):
            status, _, figures[label] = client.request("GET", path)
            assert status == 200, (path, status)
        client.login(*CLERK)
        for label, path in (
            ("staff page", "/can-bo/"),
            ("staff page again", "/can-bo/"),
            ("receipt PDF", pdf_path),
            ("receipt PDF again", pdf_path),
        ):
            status, body, figures[label] = client.request("GET", path)
            assert status == 200, (path, status)
            assert not label.startswith("receipt") or body.startswith(b"%PDF"), body[:200]
        figures["first request ready"] = figures["start"] + figures["home"]
        return figures
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=os.environ.get("MOTCUA_DATA_DIR", "var/bench-first"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ, MOTCUA_DATA_DIR=str(Path(args.data_dir).resolve()))
    Path(env["MOTCUA_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    ensure_demo(env)
    pdf_path = receipt_path(env)
    runs = [one_run(env, pdf_path) for _ in range(args.runs)]
    print(f"motcua serve, 1 worker, {args.runs} fresh starts; seconds (median [min–max]):")
    for label in runs[0]:
        values = [r[label] for r in runs]
        print(
            f"  {label:<20} {statistics.median(values):7.3f}  [{min(values):.3f}–{max(values):.3f}]"
        )


if __name__ == "__main__":
    main()
