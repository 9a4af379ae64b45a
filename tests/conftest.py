"""The shared fixture world: a small named province (see tests/world.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from pytest_django import Settings

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The fixtures that give a test the database (pytest-django).
_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """On PostgreSQL a dossier's number is drawn on a second connection, the ``numbers``
    alias (settings; ``dossiers.services.base._next_sequence``) when a service owns its
    transaction: in a transactional test, or a live server's thread. Django's test isolation
    refuses an alias a test did not name, so every test with the database names it too (it
    mirrors the test database: nothing else to set up)."""
    from django.conf import settings

    if "numbers" not in settings.DATABASES:
        return
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = set(getattr(item, "fixturenames", ()))
        if marker is None and not fixtures & _DB_FIXTURES:
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        databases = kwargs.get("databases") or ["default"]
        if databases != "__all__" and "numbers" not in databases:
            kwargs["databases"] = [*databases, "numbers"]
        mark = pytest.mark.django_db(*(marker.args if marker else ()), **kwargs)
        item.add_marker(mark, append=False)  # the closest: it is the one read


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _numbers_connection_closed() -> Iterator[None]:
    """A test that drew a dossier number on the ``numbers`` connection (PostgreSQL, a
    transactional test) leaves it closed: open at the end of the run, it would keep pytest
    from dropping the test database (Django closes only the aliases it destroys)."""
    yield
    from django.db import connections

    if "numbers" in connections:
        connections["numbers"].close()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache: the rate limits (``core.ratelimit``, the API's
    429) count in it, and under a frozen clock every test would share one window."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _stored_files_in_tmp(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test writes into the working folder's ``var/media``: every page that stores a
    file as a side effect (a printed form is kept, archive ``dossier_form_issued``) writes
    to a temporary folder. Tests that look at the files use their own ``media`` fixture."""
    root = tmp_path_factory.mktemp("media")
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


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    """``Client.force_login`` stands for a complete sign-in: for an account of the admin
    (``is_staff``) it also verifies the session with a confirmed TOTP device, as the login's
    code step would (core.twofactor). Tests of the second factor itself sign in through the
    login pages instead."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    original = Client.force_login

    def force_login(self: Client, user: User, backend: str | None = None) -> None:
        original(self, user, backend)
        if getattr(user, "is_staff", False):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)
