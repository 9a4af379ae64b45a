"""`motcua backup` and `motcua restore`: a populated installation, backed up while its
database is open, restored into an empty one (a fresh SQLite file, or a fresh PostgreSQL
database), has every dossier, event and stored file, with the same hashes."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from pytest_django import Settings

from motcua.archive.models import Document
from motcua.cli import main
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import PartInput, dossier_handover, dossier_receive
from tests.dossiers.conftest import citizen_applicant
from tests.world import MONDAY, local, world_build

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = connection.vendor == "postgresql"

# Printed as JSON by the restored installation: what it holds, through Django's own models.
INVENTORY = """
import hashlib, json
from motcua.archive.models import Document
from motcua.dossiers.models import Dossier, DossierEvent
def sha(f):
    with f.open("rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()
print(json.dumps({
    "dossiers": sorted([d.code, d.status, d.version] for d in Dossier.objects.all()),
    "events": sorted([e.dossier.code, e.type, e.id] for e in DossierEvent.objects.all()),
    "files": sorted([d.file.name, sha(d.file)] for d in Document.objects.all()),
}))
"""


def _inventory_here() -> dict[str, Any]:
    def sha(document: Document) -> str:
        with document.file.open("rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()

    return {
        "dossiers": sorted([d.code, d.status, d.version] for d in Dossier.objects.all()),
        "events": sorted([e.dossier.code, e.type, e.id] for e in DossierEvent.objects.all()),
        "files": sorted([d.file.name, sha(d)] for d in Document.objects.all()),
    }


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def empty_installation(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of an installation with nothing in it: a new data folder and, on
    PostgreSQL, a new database on the same server (dropped afterwards)."""
    env = {
        **os.environ,
        "MOTCUA_DATA_DIR": str(tmp_path / "fresh"),
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "LOG_LEVEL": "ERROR",
    }
    if not ON_POSTGRES:
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    db = connection.settings_dict
    name = f"motcua_ops_restore_{uuid.uuid4().hex[:8]}"
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "dbname": "postgres"}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{name}"
    try:
        yield env
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _motcua(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _populate() -> None:
    world = world_build()
    with time_machine.travel(local(MONDAY, 9), tick=False):
        for n in range(3):
            dossier = dossier_receive(
                procedure_version=world.procedure,
                applicant=citizen_applicant(),
                actor=world.clerk,
                receiving_unit=world.center,
                parts=[
                    PartInput(
                        name="Bản chụp CCCD",
                        file=SimpleUploadedFile(f"cccd-{n}.pdf", b"%PDF-1.4 " + bytes([n]) * 999),
                        content_type="application/pdf",
                    )
                ],
            )
            if n == 0:
                dossier_handover(dossier=dossier, actor=world.clerk)


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_installation(
    media: Path, tmp_path: Path, empty_installation: dict[str, str]
) -> None:
    _populate()
    expected = _inventory_here()
    assert len(expected["dossiers"]) == 3 and len(expected["files"]) == 3
    assert len(expected["events"]) > 3
    backup = tmp_path / "backup"

    assert main(["backup", "--output", str(backup)]) == 0

    restored = _motcua(empty_installation, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    shown = _motcua(empty_installation, "manage", "shell", "-c", INVENTORY)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout.strip().splitlines()[-1]) == json.loads(json.dumps(expected))

    # A second restore over what is now a used installation is refused, and changes nothing.
    again = _motcua(empty_installation, "restore", str(backup))
    assert again.returncode == 1 and "not empty" in again.stderr
    assert _motcua(empty_installation, "restore", "--force", str(backup)).returncode == 0


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_restores_nothing(
    media: Path, tmp_path: Path, empty_installation: dict[str, str]
) -> None:
    _populate()
    backup = tmp_path / "backup"
    assert main(["backup", "--output", str(backup)]) == 0
    name = Document.objects.order_by("id")[1].file.name
    assert name is not None
    stored = backup / "media" / name
    assert stored.is_file()
    stored.write_bytes(b"not the scan any more")

    restored = _motcua(empty_installation, "restore", str(backup))
    assert restored.returncode == 1 and "damaged" in restored.stderr
    assert not (Path(empty_installation["MOTCUA_DATA_DIR"]) / "media").exists()
