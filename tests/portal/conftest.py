"""The portal's world: the shared small province (tests/world.py) with procedures a citizen
can find and submit online, a citizen account with a local identity, and files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from motcua.catalog.models import DurationUnit, Field, OnlineLevel, Part, ProcedureVersion
from motcua.core.text import fold
from motcua.portal.accounts import citizen_register
from tests.world import World, procedure_create, world  # noqa: F401

PASSWORD = "Mat-khau-cong-dan-2026"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


@dataclass
class Portal:
    world: World
    building: ProcedureVersion  # online (full), two parts, the second reusable
    birth: ProcedureVersion  # not online
    field: Field
    citizen: User

    def client(self, user: User | None = None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _searchable(version: ProcedureVersion) -> ProcedureVersion:
    version.search_text = fold(version.name)
    version.save(update_fields=["search_text"])
    return version


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
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


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal(world: World, media: Path) -> Portal:  # noqa: F811
    field = Field.objects.create(name="Hoạt động xây dựng")
    building = _searchable(
        procedure_create(
            code="1.009972",
            name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
            agency=world.justice,
            field=field,
            duration=Decimal(15),
            unit=DurationUnit.WORKING_DAYS,
        )
    )
    building.online = OnlineLevel.FULL
    building.fee = 1250000
    building.legal_basis = "Luật Xây dựng 2014; Nghị định 15/2021/NĐ-CP"
    building.result_type = "Giấy phép xây dựng"
    building.save(update_fields=["online", "fee", "legal_basis", "result_type"])
    Part.objects.create(version=building, position=1, name="Đơn đề nghị cấp giấy phép")
    Part.objects.create(
        version=building, position=2, name="Bản chụp Căn cước công dân", reusable=True
    )
    birth = _searchable(
        procedure_create(
            code="1.001193",
            name="Đăng ký khai sinh",
            agency=world.transport,
            field=world.field,
            duration=Decimal(0),
            unit=DurationUnit.WORKING_DAYS,
        )
    )
    citizen = citizen_register(
        identifier="an.nguyen@example.vn", password=PASSWORD, full_name="Nguyễn Văn An"
    )
    assert citizen is not None  # a new identifier: the account is created
    return Portal(world=world, building=building, birth=birth, field=field, citizen=citizen)
