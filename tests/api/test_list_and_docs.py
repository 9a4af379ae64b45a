"""The dossier list (filters, pagination, scope), the catalogue, and the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from jsonschema import Draft202012Validator

from motcua.catalog.models import ProcedureVersion
from motcua.core.text import fold
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.services import (
    dossier_finish,
    dossier_handover,
    dossier_receive,
    dossier_submit,
)
from tests.api.conftest import Api, applicant_json, token_for
from tests.responses import ClientResponse
from tests.world import MONDAY, World, local, procedure_create


@pytest.fixture
def dossiers(world: World, traveller: time_machine.Traveller) -> dict[str, Dossier]:
    """Four dossiers of Sở Tư pháp (two days, two channels, one finished, one online) and one
    of Sở Giao thông vận tải, which the justice specialist must never see."""
    applicant = Applicant(**applicant_json())
    made: dict[str, Dossier] = {}
    made["monday"] = dossier_receive(
        procedure_version=world.procedure,
        applicant=applicant,
        actor=world.clerk,
        receiving_unit=world.center,
    )
    made["monday_hours"] = dossier_receive(
        procedure_version=world.hours_procedure,
        applicant=applicant,
        actor=world.clerk,
        receiving_unit=world.center,
        channel=Channel.POSTAL,
    )
    traveller.move_to(local(MONDAY + dt.timedelta(days=1), 10))
    made["tuesday"] = dossier_receive(
        procedure_version=world.procedure,
        applicant=applicant,
        actor=world.clerk,
        receiving_unit=world.center,
    )
    dossier_handover(dossier=made["monday"], actor=world.clerk)  # the deciding agency holds it
    dossier_handover(dossier=made["monday"], actor=world.specialist)  # to the signing step
    made["monday"] = dossier_finish(dossier=made["monday"], actor=world.leader)
    made["online"] = dossier_submit(
        procedure_version=world.procedure, applicant=applicant, actor="portal"
    )
    transport = procedure_create(
        code="1.005555",
        name="Cấp giấy phép lái xe",
        agency=world.transport,
        field=world.field,
        duration=world.procedure.duration,
        unit=world.procedure.unit,
    )
    made["transport"] = dossier_receive(
        procedure_version=transport,
        applicant=applicant,
        actor=world.clerk,
        receiving_unit=world.center,
    )
    return made


def _codes(response: ClientResponse) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["code"] for item in response.json()["items"]]


def test_list_is_scoped_and_newest_first(
    world: World, dossiers: dict[str, Dossier], specialist_api: Api, clerk_api: Api
) -> None:
    mine = ["online", "tuesday", "monday_hours", "monday"]
    assert _codes(specialist_api.get("/dossiers")) == [dossiers[k].code for k in mine]
    # The center's clerk sees what the center received, for any agency, and the online
    # dossiers of its province waiting for acceptance.
    center = ["transport", "online", "tuesday", "monday_hours", "monday"]
    assert _codes(clerk_api.get("/dossiers")) == [dossiers[k].code for k in center]
    outsider = Api(token_for(world.outsider))
    assert _codes(outsider.get("/dossiers")) == [dossiers["transport"].code]


def test_list_filters(world: World, dossiers: dict[str, Dossier], clerk_api: Api) -> None:
    def codes(**params: Any) -> set[str]:
        return set(_codes(clerk_api.get("/dossiers", **params)))

    every = {dossiers[k].code for k in ("transport", "online", "tuesday", "monday_hours", "monday")}
    assert codes(agency=world.province.code) == every
    assert codes(agency=world.justice.code) == every - {dossiers["transport"].code}
    assert codes(status="result_ready") == {dossiers["monday"].code}
    assert codes(**{"class": "early"}) == {dossiers["monday"].code}
    assert codes(channel="postal") == {dossiers["monday_hours"].code}
    assert codes(received_from="2026-10-06") == {
        dossiers["tuesday"].code,
        dossiers["transport"].code,
    }
    assert codes(received_to="2026-10-05") == {
        dossiers["monday"].code,
        dossiers["monday_hours"].code,
    }
    # The 4-working-hour dossier is due Monday 13:00; the others on Thursday or later.
    assert codes(due_before="2026-10-06T00:00:00+07:00") == {dossiers["monday_hours"].code}
    assert codes(agency=world.justice.code, channel="direct", status="processing") == {
        dossiers["tuesday"].code
    }


def test_list_filter_errors_name_the_parameter(
    dossiers: dict[str, Dossier], clerk_api: Api
) -> None:
    unknown = clerk_api.get("/dossiers", agency="999.99.99.H99")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["query", "agency"]
    bad = clerk_api.get("/dossiers", status="lost", received_from="5/10/2026")
    assert bad.status_code == 422
    locs = {tuple(e["loc"]) for e in bad.json()["errors"]}
    assert locs == {("query", "status"), ("query", "received_from")}


def test_pagination_is_stable(dossiers: dict[str, Dossier], clerk_api: Api) -> None:
    everything = _codes(clerk_api.get("/dossiers"))
    pages = [_codes(clerk_api.get("/dossiers", limit=3, offset=o)) for o in (0, 3)]
    assert pages[0] + pages[1] == everything
    assert len(pages[0]) == 3
    assert clerk_api.get("/dossiers", limit=3).json()["count"] == len(everything) == 5
    assert clerk_api.get("/dossiers", limit=0).status_code == 422


def test_catalogue_is_public_and_ignores_diacritics(world: World) -> None:
    # The fixture world writes versions directly; the catalogue import keeps this column.
    for version in ProcedureVersion.objects.all():
        ProcedureVersion.objects.filter(pk=version.pk).update(search_text=fold(version.name))
    client = Client()
    found = client.get("/api/procedures", {"q": "ly lich tu phap"})
    assert found.status_code == 200
    assert [p["code"] for p in found.json()["items"]] == ["1.001234"]
    item = found.json()["items"][0]
    assert item["agency_code"] == world.justice.code and item["unit"] == "working_days"
    assert found.json()["count"] == 1
    # The same search as the portal: no spaces needed, exact and prefix matches first.
    compact = client.get("/api/procedures", {"q": "lylichtuphap"})
    assert [p["code"] for p in compact.json()["items"]] == ["1.001234"]
    by_code = client.get("/api/procedures", {"q": "1.009"})
    assert [p["code"] for p in by_code.json()["items"]] == ["1.009999"]
    detail = client.get("/api/procedures/1.001234")
    assert detail.status_code == 200 and detail.json()["name"].startswith("Cấp phiếu")
    assert detail.json()["parts"] == []
    assert client.get("/api/procedures/9.999999").status_code == 404


def test_openapi_document_lists_endpoints_and_is_valid(world: World) -> None:
    client = Client()
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for path in (
        "/api/dossiers",
        "/api/dossiers/online",
        "/api/dossiers/rejections",
        "/api/dossiers/{code}",
        "/api/dossiers/{code}/forms/{form}.{fmt}",
        "/api/guidance",
        "/api/procedures",
    ):
        assert path in paths, path
    for action in (
        "accept",
        "request-completion",
        "complete",
        "reject",
        "handover",
        "request-supplement",
        "receive-supplement",
        "extend",
        "finish",
        "refuse",
        "withdraw",
        "stop",
        "deliver",
    ):
        operation = paths[f"/api/dossiers/{{code}}/{action}"]["post"]
        assert {"200", "401", "404", "409", "422"} <= set(operation["responses"]), action
        assert "409" in operation["description"] or "409" in operation.get("summary", "")
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["TokenAuth"].items()
    # OpenAPI 3.1 schemas are JSON Schema 2020-12: each must be a valid schema, and every
    # reference must point at one that exists.
    components = document["components"]["schemas"]
    for schema in components.values():
        Draft202012Validator.check_schema(schema)
    refs = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(document)
    assert refs and all(ref.removeprefix("#/components/schemas/") in components for ref in refs)


def test_interactive_docs_are_served(world: World) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger" in page.lower() and "/api/openapi.json" in page
