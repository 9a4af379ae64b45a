"""Held uploads (archive.services): only their holder takes them back, they expire after a
day with their files, and the orphan sweep leaves them alone (a row names them)."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pytest_django import Settings

from motcua.archive.files import files_orphaned_set_aside
from motcua.archive.models import HeldUpload
from motcua.archive.services import HELD_FOR, held_uploads_expire, upload_hold, upload_take
from motcua.notify import worker
from tests.portal.conftest import PDF, media  # noqa: F401
from tests.world import World, world  # noqa: F401

pytestmark = pytest.mark.django_db


def hold(world: World, name: str = "don.pdf", session: str = "s1") -> HeldUpload:  # noqa: F811
    return upload_hold(
        SimpleUploadedFile(name, PDF),
        content_type="application/pdf",
        user=world.citizen,
        session_key=session,
    )


def test_only_the_same_user_and_session_take_it_back(world: World, media: Path) -> None:  # noqa: F811
    held = hold(world)
    assert held.file.name is not None
    assert held.file.name.startswith("held/") and "don" not in held.file.name
    assert held.size == len(PDF) and held.original_name == "don.pdf"
    assert upload_take(held.token, user=world.citizen, session_key="s1") == held
    assert upload_take(held.token, user=world.citizen, session_key="s2") is None
    assert upload_take(held.token, user=world.outsider, session_key="s1") is None
    # Deliberately request.user as it comes when not signed in (annotated User | None).
    assert upload_take(held.token, user=AnonymousUser(), session_key="s1") is None
    assert upload_take("unknown", user=world.citizen, session_key="s1") is None


def test_an_anonymous_upload_is_held_for_its_session(world: World, media: Path) -> None:  # noqa: F811
    held = upload_hold(
        SimpleUploadedFile("a.pdf", PDF),
        content_type="application/pdf",
        user=AnonymousUser(),  # deliberately request.user, signed out
        session_key="anon",
    )
    assert upload_take(held.token, user=None, session_key="anon") == held
    assert upload_take(held.token, user=None, session_key="other") is None
    assert upload_take(held.token, user=world.citizen, session_key="anon") is None


def test_the_hourly_job_deletes_old_held_uploads_and_their_files(
    world: World,  # noqa: F811
    media: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = timezone.now()
    with time_machine.travel(now - HELD_FOR - dt.timedelta(minutes=1), tick=False):
        old = hold(world, "old.pdf")
    fresh = hold(world, "fresh.pdf")
    old_path, fresh_path = Path(old.file.path), Path(fresh.file.path)
    assert old_path.exists()
    # Too old to take, even by its holder.
    assert upload_take(old.token, user=world.citizen, session_key="s1") is None
    # Registered by the archive's ``jobs`` module (imported afresh: an earlier test may have
    # imported it into a registry of its own).
    registry: dict[str, worker.Job] = {}
    monkeypatch.setattr(worker, "JOBS", registry)
    importlib.reload(importlib.import_module("motcua.archive.jobs"))
    assert registry["held_uploads_expire"].func is held_uploads_expire
    assert held_uploads_expire() == 1
    assert not old_path.exists() and fresh_path.exists()
    assert list(HeldUpload.objects.all()) == [fresh]
    assert held_uploads_expire() == 0


def test_held_files_are_not_orphans(
    world: World,  # noqa: F811
    media: Path,  # noqa: F811
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.DATA_DIR = tmp_path  # where orphans are moved
    held = hold(world)
    stray = media / "held" / "stray"
    stray.write_bytes(PDF)
    two_hours_ago = (timezone.now() - dt.timedelta(hours=2)).timestamp()
    for path in (Path(held.file.path), stray, stray.parent):
        os.utime(path, (two_hours_ago, two_hours_ago))
    assert files_orphaned_set_aside(written_after=timezone.now() - dt.timedelta(hours=3)) == [
        "held/stray"
    ]
    assert Path(held.file.path).exists()
    assert (tmp_path / "orphans" / "held" / "stray").exists()
