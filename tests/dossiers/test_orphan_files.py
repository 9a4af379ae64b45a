"""Files left by a transaction that never ended (a killed process) are moved aside later;
files a row names, and files of a transaction that may still be running, are not."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import Settings

from motcua.archive.models import Document
from motcua.dossiers.services import PartInput, dossier_receive, files_orphaned_set_aside
from tests.dossiers.conftest import citizen_applicant
from tests.dossiers.test_file_rollback import media  # noqa: F401
from tests.world import World

HOUR = dt.timedelta(hours=1)


def _age(path: Path, seconds: float) -> None:
    then = path.stat().st_mtime - seconds
    os.utime(path, (then, then))


# No time-machine here: files carry the real clock's times, and so must the sweep's window.
def test_only_files_no_row_names_and_old_enough_are_moved_aside(
    world: World,
    media: Path,  # noqa: F811
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        parts=[PartInput(name="CCCD", file=SimpleUploadedFile("cccd.pdf", b"%PDF-1.4 a"))],
    )
    (document,) = Document.objects.all()
    assert document.file.name is not None
    kept = media / document.file.name
    stray = media / "dossiers" / "2026" / "10" / "killed-mid-transaction.pdf"
    young = media / "dossiers" / "2026" / "10" / "transaction-still-running.pdf"
    for path in (stray, young):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 b")
    _age(kept, 2 * 3600)
    _age(stray, 2 * 3600)

    since = dt.datetime.now(dt.UTC) - 3 * HOUR
    moved = files_orphaned_set_aside(written_after=since)

    assert moved == ["dossiers/2026/10/killed-mid-transaction.pdf"]
    assert not stray.exists()
    assert (tmp_path / "data" / "orphans" / moved[0]).read_bytes() == b"%PDF-1.4 b"
    assert kept.exists() and young.exists()
    assert files_orphaned_set_aside(written_after=since) == []
