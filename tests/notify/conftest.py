"""A dossier to notify about, and the transports pointed at test doubles."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from motcua.agencies.models import Agency, Level
from motcua.catalog.models import DurationUnit, Field, Procedure, ProcedureVersion
from motcua.dossiers.models import ApplicantKind, Channel, Dossier, Status

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PUBLIC_URL = "https://dichvucong.example.vn"


@pytest.fixture(autouse=True)
def _notify_settings(settings: Any, tmp_path: Path) -> None:
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


def make_dossier(n: int = 1, **fields: Any) -> Dossier:
    agency, _ = Agency.objects.get_or_create(
        code="000.00.19.H18", defaults={"name": "Sở Tư pháp", "level": Level.PROVINCE}
    )
    field, _ = Field.objects.get_or_create(name="Hộ tịch")
    procedure, _ = Procedure.objects.get_or_create(code="1.004227")
    version, _ = ProcedureVersion.objects.get_or_create(
        procedure=procedure,
        number=1,
        defaults={
            "name": "Cấp bản sao trích lục hộ tịch",
            "field": field,
            "agency": agency,
            "level": Level.PROVINCE,
            "duration": 3,
            "unit": DurationUnit.WORKING_DAYS,
        },
    )
    values: dict[str, Any] = {
        "code": f"000.00.19.H18-220829-{n:04d}",
        "secret": "s3cr&t+x",
        "procedure_version": version,
        "agency": agency,
        "level": Level.PROVINCE,
        "field": field,
        "channel": Channel.DIRECT,
        "applicant_kind": ApplicantKind.CITIZEN,
        "applicant_name": "Nguyễn Thị Hoa",
        "applicant_email": "hoa@example.vn",
        "applicant_phone": "0912 345 678",
        "status": Status.PROCESSING,
        # domain.md §5 worked example: received 29/8/2022 10:00, due 5/9/2022 17:00.
        "received_at": dt.datetime(2022, 8, 29, 10, 0, tzinfo=VN),
        "due_at": dt.datetime(2022, 9, 5, 17, 0, tzinfo=VN),
    }
    values.update(fields)
    return Dossier.objects.create(**values)


@pytest.fixture
def dossier(db: None) -> Dossier:
    return make_dossier()
