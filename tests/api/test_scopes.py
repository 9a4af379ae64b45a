"""Partner tokens: scopes (403 insufficient_scope), agencies, the calling system on events,
and the API's rate limit (429)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from pytest_django import Settings

from motcua.agencies.models import Agency
from motcua.api.models import ApiToken
from motcua.api.tokens import api_token_create
from motcua.catalog.models import DurationUnit
from motcua.core.models import AuditEvent
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Dossier, DossierEvent, EventType, Status
from motcua.dossiers.services import dossier_handover, dossier_receive
from tests.api.conftest import Api, applicant_json, token_for
from tests.responses import ClientResponse
from tests.world import MONDAY, World, local, procedure_create, staff_create


class PartnerApi(Api):
    """An ``Api`` that knows its token's prefix (what events name the calling system by)."""

    def __init__(self, token: str, prefix: str) -> None:
        super().__init__(token)
        self.prefix = prefix


def _token(
    user: User, *scopes: str, agencies: Sequence[Agency] = (), name: str = "Bưu điện tỉnh"
) -> PartnerApi:
    token, raw = api_token_create(
        user=user, name=name, actor="test", scopes=scopes or None, agencies=list(agencies)
    )
    return PartnerApi(raw, token.prefix)


def _at_signing_step(world: World, dossier: Dossier, traveller: time_machine.Traveller) -> Dossier:
    traveller.move_to(local(MONDAY, 10))
    dossier_handover(dossier=dossier, actor=world.clerk)
    traveller.move_to(local(MONDAY, 14))
    dossier_handover(dossier=dossier, actor=world.specialist)
    dossier.refresh_from_db()
    return dossier


def _assert_insufficient(response: ClientResponse, scope: str) -> None:
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "insufficient_scope" and set(body) == {"detail", "code", "errors"}
    assert response["WWW-Authenticate"].startswith('Bearer error="insufficient_scope"')
    assert f'scope="{scope}"' in response["WWW-Authenticate"]


def test_postal_token_delivers_and_nothing_else(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    dossier = _at_signing_step(world, received, traveller)
    postal_clerk = _token(world.clerk, "postal")
    postal_leader = _token(world.leader, "postal")
    dossiers_before = Dossier.objects.count()

    _assert_insufficient(
        postal_clerk.post(
            "/dossiers",
            {"procedure": world.procedure.procedure.code, "applicant": applicant_json()},
        ),
        "intake",
    )
    assert Dossier.objects.count() == dossiers_before
    _assert_insufficient(postal_clerk.get("/dossiers"), "read")
    _assert_insufficient(postal_clerk.get(f"/dossiers/{dossier.code}"), "read")
    _assert_insufficient(postal_clerk.get("/events"), "read")

    # The leader's account may finish (a full token does, below); its postal token may not.
    version = dossier.version
    _assert_insufficient(
        postal_leader.post(f"/dossiers/{dossier.code}/finish", {"expected_version": version}),
        "process",
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and dossier.version == version
    finished = Api(token_for(world.leader)).post(
        f"/dossiers/{dossier.code}/finish", {"expected_version": version}
    )
    assert finished.status_code == 200, finished.content

    delivered = postal_clerk.post(
        f"/dossiers/{dossier.code}/deliver",
        {
            "expected_version": finished.json()["version"],
            "channel": "postal",
            "reference": "EL123456789VN",
        },
    )
    assert delivered.status_code == 200, delivered.content
    assert delivered.json()["status"] == Status.DELIVERED


def test_events_name_the_calling_system(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    portal = _token(world.clerk, "read", "process", name="Cổng DVC quốc gia")
    moved = portal.post(
        f"/dossiers/{received.code}/handover", {"expected_version": received.version}
    )
    assert moved.status_code == 200, moved.content
    via = f"Cổng DVC quốc gia ({portal.prefix})"
    event = DossierEvent.objects.get(dossier=received, type=EventType.HANDOVER)
    assert event.via == via and event.actor == world.clerk
    # The receipt was made in the staff application's service: no calling system.
    assert DossierEvent.objects.get(dossier=received, type=EventType.RECEIVED).via == ""
    assert [e["via"] for e in moved.json()["events"]] == ["", via]
    audited = AuditEvent.objects.get(action=EventType.HANDOVER, object_id=received.code)
    assert audited.data["system"] == via

    traveller.move_to(local(MONDAY, 11))  # past the feed's settle lag
    feed = portal.get("/events", after=0).json()["items"]
    assert [(e["type"], e["via"]) for e in feed] == [("received", ""), ("handover", via)]

    staff = Client()
    staff.force_login(world.clerk)
    page = staff.get(f"/can-bo/ho-so/{received.code}/")
    assert page.status_code == 200
    assert f"qua {via}" in page.content.decode()


def _transport_dossier(world: World) -> Dossier:
    version = procedure_create(
        code="2.000001",
        name="Cấp giấy phép lái xe",
        agency=world.transport,
        field=world.field,
        duration=Decimal(3),
        unit=DurationUnit.WORKING_DAYS,
    )
    return dossier_receive(
        procedure_version=version,
        applicant=Applicant(**applicant_json()),
        actor=world.clerk,
        receiving_unit=world.center,
    )


def test_agency_limited_token_sees_only_its_agency(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    other = _transport_dossier(world)
    office = staff_create("vanphong", "Đỗ Minh Khoa", world.province, "provincial_office")
    limited = _token(office, "read", agencies=[world.justice])
    whole = _token(office, "read")

    assert whole.get(f"/dossiers/{other.code}").status_code == 200
    refused = limited.get(f"/dossiers/{other.code}")
    missing = limited.get("/dossiers/000.00.20.H18-261005-9999")
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json()
    assert limited.get(f"/dossiers/{received.code}").status_code == 200

    listed = {d["code"] for d in limited.get("/dossiers").json()["items"]}
    assert listed == {received.code}
    assert {d["code"] for d in whole.get("/dossiers").json()["items"]} == {
        received.code,
        other.code,
    }


def test_agency_limited_token_cannot_change_outside_it(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    other = _transport_dossier(world)
    limited = _token(world.clerk, "read", "process", agencies=[world.justice])
    traveller.move_to(local(MONDAY, 10))
    refused = limited.post(f"/dossiers/{other.code}/handover", {"expected_version": other.version})
    assert refused.status_code == 404
    other.refresh_from_db()
    assert other.current_step_since == local(MONDAY, 9)
    moved = limited.post(
        f"/dossiers/{received.code}/handover", {"expected_version": received.version}
    )
    assert moved.status_code == 200, moved.content


def test_staff_session_is_not_limited_by_scopes(world: World, received: Dossier) -> None:
    client = Client()
    client.force_login(world.clerk)
    assert client.get("/api/dossiers").status_code == 200


def test_command_issues_a_scoped_agency_token(world: World) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "api_token",
        "create",
        "--user",
        "tiepnhan",
        "--scope",
        "postal",
        "--scope",
        "read",
        "--agency",
        world.center.code,
        stdout=out,
        stderr=err,
    )
    token = ApiToken.objects.get()
    assert token.scopes == ["read", "postal"]
    assert list(token.agencies.all()) == [world.center]
    default, _raw = api_token_create(user=world.clerk, name="cũ", actor="test")
    assert "payment_callback" not in default.scopes and "process" in default.scopes


def test_openapi_lists_scopes_403_and_429() -> None:
    schema = Client().get("/api/openapi.json").json()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert "429" in operation["responses"], (method, path)
            if path.startswith("/api/procedures"):
                assert "security" not in operation
                continue
            assert "403" in operation["responses"], (method, path)
            assert operation["x-scopes"], (method, path)
            examples = operation["responses"]["403"]["content"]["application/json"]["examples"]
            codes = {e["value"]["code"] for e in examples.values()}
            assert codes == {"insufficient_scope", "forbidden"}, (method, path)
    deliver = schema["paths"]["/api/dossiers/{code}/deliver"]["post"]
    assert deliver["x-scopes"] == ["process", "postal"]
    assert {"TokenAuth": ["process", "postal"]} in deliver["security"]
    assert schema["paths"]["/api/dossiers"]["get"]["x-scopes"] == ["read"]


def _limits(settings: Settings, **values: str) -> None:
    settings.MOTCUA = {**settings.MOTCUA, **values}


def test_rate_limit_per_token_answers_429_with_retry_after(
    world: World, settings: Settings, traveller: time_machine.Traveller
) -> None:
    _limits(settings, API_RATE_PER_MINUTE="3")
    first, second = _token(world.clerk, "read"), _token(world.specialist, "read")
    for _ in range(3):
        assert first.get("/dossiers").status_code == 200
    throttled = first.get("/dossiers")
    assert throttled.status_code == 429
    assert throttled.json() == {
        "detail": throttled.json()["detail"],
        "code": "throttled",
        "errors": [],
    }
    assert throttled["Retry-After"] == "60"  # the clock stands at 09:00:00
    # Another token has its own count; a new minute starts a new count.
    assert second.get("/dossiers").status_code == 200
    traveller.shift(60)
    assert first.get("/dossiers").status_code == 200


def test_anonymous_catalogue_has_its_own_ceiling(
    world: World, settings: Settings, traveller: time_machine.Traveller
) -> None:
    _limits(settings, API_RATE_PER_MINUTE="100", API_ANON_RATE_PER_MINUTE="2")
    anonymous = Client()
    assert anonymous.get("/api/procedures").status_code == 200
    assert anonymous.get("/api/procedures").status_code == 200
    throttled = anonymous.get("/api/procedures")
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    assert _token(world.clerk, "read").get("/dossiers").status_code == 200


@pytest.mark.parametrize("rate", ["0"])
def test_rate_limit_can_be_turned_off(
    world: World, settings: Settings, traveller: time_machine.Traveller, rate: str
) -> None:
    _limits(settings, API_ANON_RATE_PER_MINUTE=rate)
    anonymous = Client()
    assert all(anonymous.get("/api/procedures").status_code == 200 for _ in range(5))


def test_admin_edits_scopes_and_agencies_audited(world: World) -> None:
    token, _raw = api_token_create(user=world.clerk, name="Bưu điện tỉnh", actor="test")
    client = Client()
    client.force_login(world.admin)
    response = client.post(
        f"/quan-tri/api/apitoken/{token.pk}/change/",
        {
            "name": "Bưu điện tỉnh",
            "scopes": ["postal"],
            "agencies": [world.center.pk],
        },
    )
    assert response.status_code == 302, response.content
    token.refresh_from_db()
    assert token.scopes == ["postal"]
    assert list(token.agencies.all()) == [world.center]
    audited = AuditEvent.objects.get(action="api_token.limit")
    assert audited.data["scopes"] == ["postal"] and audited.data["agencies"] == [world.center.code]
    refused = client.post(
        f"/quan-tri/api/apitoken/{token.pk}/change/", {"name": "Bưu điện tỉnh", "scopes": []}
    )
    assert refused.status_code == 200  # the form again: a token needs a scope
    token.refresh_from_db()
    assert token.scopes == ["postal"]


def test_a_token_without_named_scopes_cannot_speak_for_the_postal_service(
    world: World, received: Dossier
) -> None:
    token, raw = api_token_create(user=world.clerk, name="Phần mềm một cửa", actor="test")
    assert token.scopes == ["read", "intake", "process"]
    tracking = Api(raw).post(
        "/postal/tracking",
        {"dossier_code": received.code, "status": "delivered", "at": "2026-10-05T10:00:00+07:00"},
    )
    _assert_insufficient(tracking, "postal")
    assert not DossierEvent.objects.filter(
        dossier=received, type=EventType.RESULT_DELIVERED
    ).exists()


def test_the_migration_takes_postal_from_tokens_that_had_it_by_default(world: World) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("motcua.api.migrations.0005_default_scopes_without_postal")
    old_default = ["read", "intake", "process", "postal", "catalog"]
    by_default, _ = api_token_create(user=world.clerk, name="Cũ", actor="test", scopes=old_default)
    postal, _ = api_token_create(
        user=world.clerk, name="Bưu điện", actor="test", scopes=["postal", "read"]
    )
    migration.postal_drop(apps, None)
    by_default.refresh_from_db()
    postal.refresh_from_db()
    assert sorted(by_default.scopes) == ["catalog", "intake", "process", "read"]
    assert sorted(postal.scopes) == ["postal", "read"]


def _intake_body(procedure: str) -> dict[str, Any]:
    return {
        "procedure": procedure,
        "applicant": applicant_json(),
        "parts": [{"name": "Tờ khai", "copies": 1, "not_digitised_reason": "Quét sau"}],
    }


def _assert_outside(response: ClientResponse, agency: Agency) -> None:
    assert response.status_code == 403, response.content
    body = response.json()
    assert body["code"] == "forbidden" and agency.code in body["detail"]


def test_agency_limited_token_creates_nothing_outside_it(
    world: World, traveller: time_machine.Traveller
) -> None:
    transport = _transport_dossier(world).procedure_version.procedure.code
    before = Dossier.objects.count()
    limited = _token(world.clerk, "intake", agencies=[world.justice])
    _assert_outside(limited.post("/dossiers", _intake_body(transport)), world.transport)
    _assert_outside(limited.post("/dossiers/online", _intake_body(transport)), world.transport)
    rejection = _intake_body(transport) | {"reason": "Thiếu giấy tờ"}
    del rejection["parts"]
    _assert_outside(limited.post("/dossiers/rejections", rejection), world.transport)
    # A guidance entry is the counter's own: its unit, the center, is outside the token.
    _assert_outside(limited.post("/guidance", {"kind": "direct"}), world.center)
    assert Dossier.objects.count() == before

    # Inside: the competent agency (justice) is one of the token's.
    inside = limited.post("/dossiers", _intake_body("1.001234"))
    assert inside.status_code == 201, inside.content
    # A token of the receiving center takes in any agency's dossier: it sees what it received.
    center = _token(world.clerk, "intake", agencies=[world.center])
    assert center.post("/dossiers", _intake_body(transport)).status_code == 201
    assert center.post("/guidance", {"kind": "direct"}).status_code == 201
