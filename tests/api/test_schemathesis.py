"""The API against its own OpenAPI: schemathesis (``st run``) with a counter clerk's token,
every check, examples, coverage, fuzzing and stateful phases (the links it infers from the
schema), a few examples per operation, against a live server on loopback.

SQLite only: the API's answers do not depend on the database, and the run is CI's longest
test (about a minute)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from pytest_django.live_server_helper import LiveServer

from motcua.catalog.models import Part
from tests.api.conftest import token_for
from tests.world import world_build

HERE = Path(__file__).resolve().parent


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="run once, on SQLite (CI runs the suite twice)"
)
def test_api_conforms_to_its_openapi(
    live_server: LiveServer, transactional_db: None, tmp_path: Path
) -> None:
    world = world_build()
    Part.objects.bulk_create(
        Part(version=world.procedure, position=i, name=f"Giấy tờ {i}") for i in range(1, 4)
    )
    token = token_for(world.clerk)
    st = Path(sys.executable).with_name("st")
    result = subprocess.run(
        [
            str(st),
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            f"{live_server.url}/api/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            "--max-examples",
            "5",
            "--workers",
            "1",
            "--seed",
            "1",
            "--generation-database",
            "none",
            "--request-timeout",
            "30",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # its cache of crashes (.schemathesis/) goes there, not in the tree
    )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
