"""A command run against a database that was never migrated says so instead of a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_a_report_on_an_unmigrated_database_asks_for_migrate(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MOTCUA_DATA_DIR"] = str(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "report", "indicators", "--year", "2022"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "migrations are not applied to this database; run `motcua migrate` first" in run.stderr
    assert "no such table" in run.stderr
