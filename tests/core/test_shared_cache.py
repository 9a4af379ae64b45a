"""MOTCUA_CACHE=database: the rate limits' counters live in the migrated table
``motcua_cache``, so every process and app server counts against the same limit."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from pytest_django import Settings

pytestmark = pytest.mark.django_db

DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "motcua_cache",
    }
}


def test_the_cache_table_is_made_by_the_migrations() -> None:
    assert "motcua_cache" in connection.introspection.table_names()


def test_lookup_limit_counts_across_processes_with_the_database_cache(settings: Settings) -> None:
    settings.CACHES = DATABASE_CACHE
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_RATE": "0", "LOOKUP_CODE_RATE": "2/300"}

    def look_up(address: str) -> int:
        response = Client().get(
            "/tra-cuu/", {"ma": "000.00.19.H18-261207-0001", "bi-mat": "X"}, REMOTE_ADDR=address
        )
        return response.status_code

    assert [look_up("10.0.0.1"), look_up("10.0.0.2")] == [200, 200]
    # The counts are in the table, where every process reads them ...
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM motcua_cache")
        assert any(":lookup-code:" in key for (key,) in cursor.fetchall())
    # ... and past the per-code limit the next lookup waits, whichever address it comes from.
    assert look_up("10.0.0.3") == 429
