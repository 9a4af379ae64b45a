"""API hygiene (issue 15, item 1): every answer under /api/ in the error shape, bounded inputs
refused with 422, unknown query parameters refused, ETag on a dossier, Location on 201, and
every status each operation can answer in the OpenAPI document.

The first tests are the issue's reproductions, with its exact addresses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from motcua.dossiers.models import Dossier
from tests.api.conftest import Api, applicant_json
from tests.responses import ClientResponse
from tests.world import World


def assert_error(response: ClientResponse, status: int, code: str) -> dict[str, Any]:
    """``response`` is ``status`` with a JSON body of the documented shape and ``code``."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body: dict[str, Any] = json.loads(response.content)
    assert set(body) == {"detail", "code", "errors"}
    assert body["code"] == code and body["detail"]
    return body


def error_locs(response: ClientResponse) -> list[list[Any]]:
    return [e["loc"] for e in response.json()["errors"]]


# --- the reproductions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        ("/api/procedures?offset=9223372036854775808", ["query", "offset"]),
        ("/api/procedures?limit=99999999999999999999", ["query", "limit"]),
    ],
)
def test_giant_page_parameters_are_422_without_a_token(
    world: World, path: str, loc: list[str]
) -> None:
    response = Client().get(path)
    assert_error(response, 422, "invalid")
    assert error_locs(response) == [loc]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("received_from=0001-01-01", "received_from"),
        ("received_to=9999-12-31", "received_to"),
        ("due_before=0001-01-01T00:00:00", "due_before"),
    ],
)
def test_dates_out_of_sane_years_are_422(
    received: Dossier, clerk_api: Api, query: str, name: str
) -> None:
    response = clerk_api.client.get(f"/api/dossiers?{query}", headers=clerk_api._headers())
    body = assert_error(response, 422, "invalid")
    assert error_locs(response) == [["query", name]]
    assert "1900" in body["errors"][0]["msg"] and "2100" in body["errors"][0]["msg"]


@pytest.mark.parametrize(
    "query",
    ["updated_since=0.5", "updated_since=1700000000", "received_from=0", "due_before=-1e3"],
)
def test_a_number_is_not_a_date(received: Dossier, clerk_api: Api, query: str) -> None:
    # The OpenAPI promises ISO 8601 text; pydantic alone reads a number as a Unix time
    # (found by schemathesis: updated_since=0.5 answered 200).
    response = clerk_api.client.get(f"/api/dossiers?{query}", headers=clerk_api._headers())
    assert_error(response, 422, "invalid")
    assert error_locs(response) == [["query", query.split("=")[0]]]


def test_dates_at_the_edges_of_the_range_are_accepted(received: Dossier, clerk_api: Api) -> None:
    response = clerk_api.get(
        "/dossiers", received_from="1900-01-01", received_to="2100-12-31", due_before="2100-01-01"
    )
    assert response.status_code == 200
    assert [d["code"] for d in response.json()["items"]] == [received.code]


def test_a_page_is_at_most_500(received: Dossier, clerk_api: Api) -> None:
    assert clerk_api.get("/dossiers", limit=500).status_code == 200
    too_many = clerk_api.get("/dossiers", limit=100000)
    assert_error(too_many, 422, "invalid")
    assert error_locs(too_many) == [["query", "limit"]]


def test_unknown_query_parameter_is_refused_naming_it(received: Dossier, clerk_api: Api) -> None:
    response = clerk_api.get("/dossiers", stauts="processing", limit=5)
    body = assert_error(response, 422, "invalid")
    assert error_locs(response) == [["query", "stauts"]]
    assert "stauts" in body["detail"]
    # The known ones, an alias included, still work; so does a public operation's.
    assert (
        clerk_api.get("/dossiers", **{"class": "late", "status": "processing"}).status_code == 200
    )
    assert_error(Client().get("/api/procedures?qq=ly"), 422, "invalid")
    assert_error(clerk_api.get(f"/dossiers/{received.code}", fields="code"), 422, "invalid")


def test_unparseable_body_is_400_in_the_shape(world: World, clerk_api: Api) -> None:
    response = clerk_api.client.post(
        "/api/dossiers", "{not json", content_type="application/json", headers=clerk_api._headers()
    )
    assert_error(response, 400, "malformed")
    assert Dossier.objects.count() == 0


def test_unknown_api_address_is_a_json_404(world: World, clerk_api: Api) -> None:
    assert_error(clerk_api.get("/nothing-here"), 404, "not_found")
    assert_error(Client().get("/api/dossiers/X/not-an-action/1"), 404, "not_found")
    # Outside /api/ the site's own page stays.
    assert Client().get("/nothing-here")["Content-Type"].startswith("text/html")


def test_wrong_method_is_a_json_405_with_allow(world: World, clerk_api: Api) -> None:
    response = clerk_api.client.put("/api/dossiers", headers=clerk_api._headers())
    body = assert_error(response, 405, "method_not_allowed")
    assert "PUT" in body["detail"]
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
    assert_error(Client().delete("/api/procedures"), 405, "method_not_allowed")


def test_401_and_404_keep_the_shape(received: Dossier, clerk_api: Api) -> None:
    assert_error(Client().get("/api/dossiers"), 401, "not_authenticated")
    assert_error(clerk_api.get("/dossiers/000.00.00.H00-000000-0000"), 404, "not_found")
    # An id past the database's integers is a missing document, not an overflow.
    huge = 10**30
    assert_error(clerk_api.get(f"/dossiers/{received.code}/documents/{huge}"), 404, "not_found")


def test_a_server_fault_is_a_json_500(
    world: World, clerk_api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("motcua.api.dossiers.dossiers_visible_to", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/api/dossiers", headers=clerk_api._headers())
    body = assert_error(response, 500, "server_error")
    assert "boom" not in body["detail"]


# --- bounded bodies --------------------------------------------------------------------------


def _receive_body(parts: int) -> dict[str, Any]:
    return {
        "procedure": "1.001234",
        "applicant": applicant_json(),
        "parts": [{"name": f"Giấy {i}", "reused": True} for i in range(parts)],
    }


def test_parts_are_capped_at_100(world: World, clerk_api: Api) -> None:
    refused = clerk_api.post("/dossiers", _receive_body(101))
    assert_error(refused, 422, "invalid")
    assert error_locs(refused) == [["body", "parts"]]
    assert Dossier.objects.count() == 0
    assert clerk_api.post("/dossiers", _receive_body(100)).status_code == 201


def test_items_and_ints_are_capped(received: Dossier, clerk_api: Api) -> None:
    path = f"/dossiers/{received.code}/request-supplement"
    many = clerk_api.post(
        path, {"expected_version": received.version, "items": ["x"] * 51, "reason": "Thiếu"}
    )
    assert_error(many, 422, "invalid")
    assert error_locs(many) == [["body", "items"]]
    giant = clerk_api.post(
        f"/dossiers/{received.code}/handover",
        {"expected_version": received.version, "step": 10**30},
    )
    assert_error(giant, 422, "invalid")
    assert error_locs(giant) == [["body", "step"]]


def test_a_body_over_the_setting_is_413_and_nothing_is_written(
    world: World, clerk_api: Api, settings: Settings
) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "API_MAX_JSON_BYTES": "2000"}
    body = _receive_body(60)
    assert len(json.dumps(body)) > 2000
    response = clerk_api.post("/dossiers", body)
    body_out = assert_error(response, 413, "too_large")
    assert "2000" in body_out["detail"]
    assert Dossier.objects.count() == 0
    assert clerk_api.post("/dossiers", _receive_body(1)).status_code == 201


# --- ETag and Location -------------------------------------------------------------------------


def test_created_dossier_has_its_location(world: World, clerk_api: Api) -> None:
    response = clerk_api.post("/dossiers", _receive_body(1))
    assert response.status_code == 201
    code = response.json()["code"]
    assert response["Location"] == f"/api/dossiers/{code}"
    located = clerk_api.client.get(response["Location"], headers=clerk_api._headers())
    assert located.status_code == 200 and located.json()["code"] == code
    online = clerk_api.post("/dossiers/online", _receive_body(1))
    assert online["Location"] == f"/api/dossiers/{online.json()['code']}"


def test_etag_gives_304_until_the_dossier_changes(received: Dossier, clerk_api: Api) -> None:
    first = clerk_api.get(f"/dossiers/{received.code}")
    assert first.status_code == 200 and first.json()["code"] == received.code
    etag = first["ETag"]
    assert etag.startswith('"')
    headers = {**clerk_api._headers(), "If-None-Match": etag}
    again = clerk_api.client.get(f"/api/dossiers/{received.code}", headers=headers)
    assert again.status_code == 304 and again.content == b""
    changed = clerk_api.post(
        f"/dossiers/{received.code}/handover", {"expected_version": received.version}
    )
    assert changed.status_code == 200
    after = clerk_api.client.get(f"/api/dossiers/{received.code}", headers=headers)
    assert after.status_code == 200 and after["ETag"] != etag
    assert after.json()["version"] == changed.json()["version"]


def test_etag_differs_by_caller(received: Dossier, clerk_api: Api, leader_api: Api) -> None:
    # The body carries the caller's own ``actions``: another account's tag must not match.
    clerk = clerk_api.get(f"/dossiers/{received.code}")
    leader = leader_api.get(f"/dossiers/{received.code}")
    assert clerk.json()["actions"] != leader.json()["actions"]
    assert clerk["ETag"] != leader["ETag"]


# --- the OpenAPI document ----------------------------------------------------------------------


def test_openapi_lists_every_status_with_an_example(world: World) -> None:
    document = Client().get("/api/openapi.json").json()
    paths = document["paths"]

    def statuses(path: str, method: str) -> set[str]:
        return set(paths[path][method]["responses"])

    assert {"200", "401", "422", "503"} <= statuses("/api/dossiers", "get")
    assert {"200", "422", "503"} <= statuses("/api/procedures", "get")
    assert {"201", "400", "401", "403", "413", "422"} <= statuses("/api/dossiers", "post")
    assert {"200", "304", "401", "404"} <= statuses("/api/dossiers/{code}", "get")
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    content = response["content"]["application/json"]
                    assert content["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
                    examples = (
                        [e["value"] for e in content["examples"].values()]
                        if "examples" in content
                        else [content["example"]]
                    )
                    for example in examples:
                        assert set(example) == {"detail", "code", "errors"}, (path, method, status)
    created = paths["/api/dossiers"]["post"]["responses"]["201"]
    assert "Location" in created["headers"]
    assert "ETag" in paths["/api/dossiers/{code}"]["get"]["responses"]["200"]["headers"]


def test_a_broken_multipart_body_is_json(received: Dossier, clerk_api: Api) -> None:
    response = clerk_api.client.post(
        f"/api/dossiers/{received.code}/result",
        b"--x\r\nbroken",
        content_type="multipart/form-data",  # no boundary: Django cannot parse it
        headers=clerk_api._headers(),
    )
    assert_error(response, 400, "malformed")
