"""Heartbeats of the long-running processes beside the web server (``motcua worker``).

A worker that has stopped working is otherwise invisible: notifications and the periodic
scans simply stop. Each round that completes writes a small JSON file under
``MOTCUA_DATA_DIR/heartbeat/``; ``/healthz`` reads it. A file, not a database row, so that
the beat can be read while the database is locked or down — which is exactly when it matters.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone


def _path(name: str) -> Path:
    return Path(settings.DATA_DIR) / "heartbeat" / f"{name}.json"


@dataclass(frozen=True)
class Beat:
    at: dt.datetime
    pid: int
    # The process's own period: a beat is late only relative to how often it should come.
    interval: float

    def age(self, now: dt.datetime | None = None) -> float:
        return ((now or timezone.now()) - self.at).total_seconds()

    def stale(self, now: dt.datetime | None = None) -> bool:
        """Late by more than three periods, and at least a minute (a round that sends a
        batch of mail or runs the overdue scan may take a while)."""
        return self.age(now) > max(60.0, 3 * self.interval)


def heartbeat_write(name: str, *, interval: float) -> None:
    """Record that process ``name`` completed a round now. Written to a temporary file and
    renamed, so that a reader never sees half a file."""
    path = _path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"at": timezone.now().isoformat(), "pid": os.getpid(), "interval": interval}
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(body), encoding="utf-8")
    os.replace(tmp, path)


def heartbeat_read(name: str) -> Beat | None:
    """The last beat of ``name``; None when it never beat (or the file is unreadable)."""
    try:
        data = json.loads(_path(name).read_text(encoding="utf-8"))
        return Beat(
            at=dt.datetime.fromisoformat(data["at"]),
            pid=int(data["pid"]),
            interval=float(data["interval"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
