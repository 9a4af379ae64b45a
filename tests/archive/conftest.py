"""Fixtures for archive tests: the shared world and stored files in a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django import Settings

from tests.world import world  # noqa: F401


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    """Both file storages in a temporary folder (as tests/portal's ``media``)."""
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return root
