"""Idempotency-Key on the creating POSTs, and the external reference at intake."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
import time_machine

from motcua.api.models import IdempotencyKey
from motcua.dossiers.models import Dossier, Guidance
from motcua.notify import worker
from motcua.notify.models import Message
from tests.api.conftest import Api, applicant_json, token_for
from tests.world import MONDAY, World, local


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "procedure": "1.001234",
        "channel": "postal",
        "applicant": applicant_json(),
        "parts": [{"name": "Tờ khai yêu cầu cấp phiếu LLTP", "not_digitised_reason": "Quét sau"}],
    }
    body.update(overrides)
    return body


def test_six_identical_posts_with_one_key_make_one_dossier_and_one_message(
    world: World, clerk_api: Api, traveller: time_machine.Traveller
) -> None:
    key = {"Idempotency-Key": "7f9c2ba4-e88f-4fb3-a1c4-cf1c9e6a0001"}
    responses = [clerk_api.post("/dossiers", _body(), headers=key) for _ in range(6)]
    assert {r.status_code for r in responses} == {201}, responses[0].content
    first = responses[0].json()
    assert all(r.json() == first for r in responses[1:])
    # The replays point at the same new dossier, as the first answer did.
    assert {r["Location"] for r in responses} == {f"/api/dossiers/{first['code']}"}
    assert Dossier.objects.count() == 1
    assert Message.objects.filter(reference=f"dossier:{first['code']}").count() == 1
    # Without a key, a POST is a new dossier as before.
    assert clerk_api.post("/dossiers", _body()).status_code == 201
    assert Dossier.objects.count() == 2


def test_same_key_other_body_is_422_and_writes_nothing(
    world: World, clerk_api: Api, traveller: time_machine.Traveller
) -> None:
    key = {"Idempotency-Key": "k-1"}
    assert clerk_api.post("/dossiers", _body(), headers=key).status_code == 201
    other = clerk_api.post("/dossiers", _body(channel="direct"), headers=key)
    assert other.status_code == 422, other.content
    assert other.json()["code"] == "invalid"
    assert other.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert Dossier.objects.count() == 1


def test_keys_are_per_account_and_expire_after_a_day(
    world: World,
    clerk_api: Api,
    traveller: time_machine.Traveller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = {"Idempotency-Key": "shared"}
    other_clerk = Api(token_for(world.leader))
    assert clerk_api.post("/guidance", {"kind": "direct"}, headers=key).status_code == 201
    assert other_clerk.post("/guidance", {"kind": "direct"}, headers=key).status_code == 201
    assert Guidance.objects.count() == 2
    assert clerk_api.post("/guidance", {"kind": "direct"}, headers=key).status_code == 201
    assert Guidance.objects.count() == 2

    traveller.move_to(local(MONDAY, 9) + dt.timedelta(hours=25))
    # What `motcua worker` runs, hourly.
    monkeypatch.setattr(worker, "JOBS", {})
    importlib.reload(importlib.import_module("motcua.api.jobs"))
    assert worker.jobs_run_due() == ["idempotency_keys_expire"]
    assert not IdempotencyKey.objects.exists()
    assert clerk_api.post("/guidance", {"kind": "direct"}, headers=key).status_code == 201
    assert Guidance.objects.count() == 3


def test_a_refused_first_attempt_is_not_stored(
    world: World, clerk_api: Api, traveller: time_machine.Traveller
) -> None:
    key = {"Idempotency-Key": "retry-after-fix"}
    bad = clerk_api.post("/dossiers", _body(procedure="9.999999"), headers=key)
    assert bad.status_code == 422
    assert not IdempotencyKey.objects.exists()
    # Corrected, the same key goes through.
    assert clerk_api.post("/dossiers", _body(), headers=key).status_code == 201
    assert Dossier.objects.count() == 1


def test_online_and_rejections_take_a_key_too(
    world: World, clerk_api: Api, traveller: time_machine.Traveller
) -> None:
    online = {k: v for k, v in _body().items() if k != "channel"}
    for _ in range(2):
        assert (
            clerk_api.post("/dossiers/online", online, headers={"Idempotency-Key": "a"}).status_code
            == 201
        )
    rejection = {"procedure": "1.001234", "applicant": applicant_json(), "reason": "Thiếu tờ khai"}
    for _ in range(2):
        assert (
            clerk_api.post(
                "/dossiers/rejections", rejection, headers={"Idempotency-Key": "b"}
            ).status_code
            == 201
        )
    assert Dossier.objects.count() == 2


def test_external_ref_is_unique_per_source_and_a_duplicate_names_the_dossier(
    world: World, clerk_api: Api, traveller: time_machine.Traveller
) -> None:
    ref = {"external_source": "dvcqg", "external_ref": "G22.99-261005-0001"}
    online = {k: v for k, v in _body().items() if k != "channel"}
    first = clerk_api.post("/dossiers/online", online | ref)
    assert first.status_code == 201, first.content
    assert first.json()["external_ref"] == "G22.99-261005-0001"
    again = clerk_api.post("/dossiers/online", online | ref)
    assert again.status_code == 409, again.content
    assert again.json()["code"] == "conflict"
    assert first.json()["code"] in again.json()["detail"]
    assert again.json()["errors"] == [
        {"loc": ["body", "external_ref"], "msg": first.json()["code"]}
    ]
    # The same reference from another source is another dossier.
    assert (
        clerk_api.post("/dossiers/online", online | ref | {"external_source": "postal"}).status_code
        == 201
    )
    assert Dossier.objects.filter(external_ref="G22.99-261005-0001").count() == 2
