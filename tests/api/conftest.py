"""Fixtures for the API tests: the shared world, a frozen clock, tokens and a JSON client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from motcua.api.tokens import api_token_create
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from tests.responses import ClientResponse
from tests.world import MONDAY, World, local, world  # noqa: F401


class Api:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **params: Any) -> ClientResponse:
        return self.client.get(f"/api{path}", params, headers=self._headers())

    def post(
        self, path: str, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None
    ) -> ClientResponse:
        return self.client.post(
            f"/api{path}",
            body or {},
            content_type="application/json",
            headers={**self._headers(), **(headers or {})},
        )


def token_for(user: User) -> str:
    return api_token_create(user=user, name="Bưu điện tỉnh", actor="test")[1]


@pytest.fixture
def traveller() -> Iterator[time_machine.Traveller]:
    """Time stands still at Monday 5/10/2026 09:00 local; move it with ``.move_to``."""
    with time_machine.travel(local(MONDAY, 9), tick=False) as traveller:
        yield traveller


@pytest.fixture
def clerk_api(world: World) -> Api:  # noqa: F811
    return Api(token_for(world.clerk))


@pytest.fixture
def specialist_api(world: World) -> Api:  # noqa: F811
    return Api(token_for(world.specialist))


@pytest.fixture
def leader_api(world: World) -> Api:  # noqa: F811
    return Api(token_for(world.leader))


@pytest.fixture
def outsider_api(world: World) -> Api:  # noqa: F811
    return Api(token_for(world.outsider))


def applicant_json(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "citizen",
        "name": "Hoàng Văn Bình",
        "id_number": "066090001234",
        "phone": "0912345678",
        "address": "Gia Nghĩa, Đắk Nông",
    }
    values.update(overrides)
    return values


@pytest.fixture
def received(world: World, traveller: time_machine.Traveller) -> Dossier:  # noqa: F811
    """A dossier received at the counter on Monday 5/10/2026 09:00 (due Thursday 17:00)."""
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=Applicant(**applicant_json()),
        actor=world.clerk,
        receiving_unit=world.center,
    )
