from typing import Any

from django.apps import AppConfig
from django.core.signals import setting_changed
from django.utils.functional import empty


class ArchiveConfig(AppConfig):
    name = "motcua.archive"
    verbose_name = "Lưu trữ giấy tờ điện tử"

    def ready(self) -> None:
        setting_changed.connect(_storages_changed, dispatch_uid="archive_storages_changed")


def _storages_changed(*, setting: str, **kwargs: Any) -> None:
    """Forget the resolved documents storage when ``STORAGES`` changes (Django does the same
    for ``default_storage``)."""
    if setting == "STORAGES":
        from motcua.archive.models import documents_storage_object

        documents_storage_object._wrapped = empty  # type: ignore[assignment]
