"""The transports pointed at test doubles, the public address fixed."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytest_django import Settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PUBLIC_URL = "https://dichvucong.example.vn"


@pytest.fixture(autouse=True)
def _notify_settings(settings: Settings, tmp_path: Path) -> None:
    settings.MOTCUA = {
        **settings.MOTCUA,
        "PUBLIC_URL": PUBLIC_URL + "/",
        "SMS_BACKEND": "motcua.notify.transports.FileSMS",
    }
    settings.SMS_FILE_PATH = tmp_path / "sms" / "outbox.jsonl"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def sms_file(tmp_path: Path) -> Path:
    return tmp_path / "sms" / "outbox.jsonl"


@pytest.fixture(autouse=True)
def _heartbeat_dir(settings: Settings, tmp_path: Path) -> None:
    # The worker's heartbeat and its orphan-file job work under MOTCUA_DATA_DIR and the
    # storage folder: each test its own, never the developer's var/.
    settings.DATA_DIR = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
