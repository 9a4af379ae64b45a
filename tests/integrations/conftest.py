"""A fake national portal (a real HTTP server on 127.0.0.1, in a thread) and motcua set up
to talk to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from pytest_django import Settings

from motcua.integrations.fake_dvcqg import FakePortalServer, FakePortalState, fake_portal_start
from tests.world import MONDAY, local, world  # noqa: F401

TOKEN = "test-token"


@pytest.fixture
def fake() -> Iterator[FakePortalServer]:
    server = fake_portal_start()
    server.state.token = TOKEN
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def portal(fake: FakePortalServer, settings: Settings) -> FakePortalState:
    """The fake portal's state, with motcua's adapter pointed at it."""
    settings.MOTCUA = {
        **settings.MOTCUA,
        "NATIONAL_PORTAL": "motcua.integrations.dvcqg.HttpAdapter",
        "NATIONAL_PORTAL_URL": fake.url,
        "NATIONAL_PORTAL_TOKEN": TOKEN,
        "NATIONAL_PORTAL_TIMEOUT": "5",
        "NATIONAL_PORTAL_SYNC_ALL": False,
    }
    return fake.state


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    """Monday 5/10/2026 09:00 local, standing still; move it with ``.move_to``."""
    with time_machine.travel(local(MONDAY, 9), tick=False) as traveller:
        yield traveller
