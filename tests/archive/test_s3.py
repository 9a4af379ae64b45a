"""Stored documents in an S3-compatible bucket (settings: MOTCUA_DOCUMENTS_BUCKET), against
moto's in-process fake of S3: the settings file's own configuration, a document stored
through ``document_store`` and read back, and the disk-only tools refusing the bucket."""

from __future__ import annotations

import hashlib
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from django.core.files.base import ContentFile
from moto import mock_aws
from pytest_django import Settings

from motcua.archive.files import atomic_with_files, files_orphaned_set_aside
from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.core.backup import BackupError, backup_create

ENDPOINT = "https://s3.motcua.test"
BUCKET = "motcua-tai-lieu"
PDF = b"%PDF-1.7\n" + b"x" * 2000 + b"\n%%EOF\n"


def _settings_with_bucket(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """The settings module as it reads this environment (run afresh, not the loaded one)."""
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MOTCUA_DOCUMENTS_BUCKET", BUCKET)
    monkeypatch.setenv("MOTCUA_DOCUMENTS_S3_ENDPOINT", ENDPOINT)
    monkeypatch.setenv("MOTCUA_DOCUMENTS_S3_REGION", "ap-southeast-1")
    monkeypatch.setenv("MOTCUA_DOCUMENTS_S3_PREFIX", "hoso")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    import motcua.settings

    return runpy.run_path(motcua.settings.__file__)


@pytest.fixture
def bucket(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    configured = _settings_with_bucket(monkeypatch, tmp_path)
    # moto answers for the custom endpoint as for AWS's own.
    monkeypatch.setenv("MOTO_S3_CUSTOM_ENDPOINTS", ENDPOINT)
    with mock_aws():
        boto3.client("s3", endpoint_url=ENDPOINT, region_name="ap-southeast-1").create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-1"}
        )
        settings.STORAGES = {
            **configured["STORAGES"],
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path / "media")},
            },
        }
        yield configured["STORAGES"]["documents"]


def test_default_documents_stay_on_local_disk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MOTCUA_DOCUMENTS_BUCKET", raising=False)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    import motcua.settings

    storages = runpy.run_path(motcua.settings.__file__)["STORAGES"]
    assert storages["documents"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages["documents"]["OPTIONS"]["location"] == str(tmp_path / "media")


@pytest.mark.django_db
def test_document_stored_in_the_bucket_and_read_back(bucket: dict[str, Any]) -> None:
    assert bucket["BACKEND"] == "storages.backends.s3.S3Storage"
    assert bucket["OPTIONS"]["default_acl"] is None  # the bucket stays private
    with atomic_with_files():
        document = document_store(
            content=ContentFile(PDF, name="giay-khai-sinh.pdf"),
            content_type="application/pdf",
            meta=DocumentMeta(name="Giấy khai sinh", kind=DocumentKind.PART, origin=Origin.ONLINE),
        )

    stored = Document.objects.get(pk=document.pk)
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.size == len(PDF)
    with stored.file.open("rb") as f:
        assert f.read() == PDF
    # Really in the bucket, under the configured prefix, with a random name.
    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="ap-southeast-1")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert stored.file.name is not None
    assert keys == [f"hoso/{stored.file.name}"]
    assert stored.file.name.endswith(".pdf") and "giay-khai-sinh" not in stored.file.name
    body = s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
    assert body == PDF


@pytest.mark.django_db
def test_rolled_back_document_leaves_nothing_in_the_bucket(bucket: dict[str, Any]) -> None:
    class Refused(Exception):
        pass

    with pytest.raises(Refused), atomic_with_files():
        document_store(
            content=ContentFile(PDF, name="a.pdf"),
            content_type="application/pdf",
            meta=DocumentMeta(name="Đơn", kind=DocumentKind.PART, origin=Origin.ONLINE),
        )
        raise Refused

    s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="ap-southeast-1")
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_disk_only_tools_refuse_the_bucket(bucket: dict[str, Any], tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="S3Storage"):
        backup_create(tmp_path / "backup", log=lambda _: None)
    # The orphan sweep reads a folder; a bucket is not swept (docs/operations.md).
    assert files_orphaned_set_aside() == []
