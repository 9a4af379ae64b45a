"""The rule table is the only answer to "who may do what": for every role × status × (holds
the step or not) × action, the service, the web action and the API action give the same
answer as ``dossiers.rules.dossier_actions`` — allowed, or refused with the same message —
and a dossier outside the user's scope is still a 404 on both channels.

Generated from the table itself: an action without inputs here, a web or API route for a
dossier change that is not listed here, fails ``test_every_action_and_channel_is_covered``.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern
from pytest_django import Settings

from motcua.api.main import api
from motcua.api.tokens import api_token_create
from motcua.catalog.models import WorkflowStep
from motcua.dossiers import rules, services
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Channel, Dossier, DossierClass, DossierPart, EndKind, Status
from motcua.dossiers.rules import Action
from motcua.dossiers.services import PartFile
from motcua.office import urls as office_urls

from .conftest import World, login, sign_off_workflow

# The inputs that make each action succeed when the rules allow it: the service's keyword
# arguments, the web form's fields and the API body (each channel's own vocabulary).
NEW_DUE = dt.date(2031, 1, 13)  # a Monday a week after every fixture's due date


@dataclass(frozen=True)
class Inputs:
    service: Callable[..., Any]
    web: str
    api: str
    service_kwargs: dict[str, Any]
    form: dict[str, Any]
    body: dict[str, Any]
    # Sent as multipart/form-data (files are made afresh for each request by a callable).
    multipart: bool = False


def _scan() -> SimpleUploadedFile:
    return SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scan", content_type="application/pdf")


def _fresh(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v() if callable(v) else v for k, v in values.items()}


def _inputs(world: World, dossier: Dossier | None = None) -> dict[Action, Inputs]:
    new_due_at = dt.datetime(2031, 1, 13, 17, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    reason = {"reason": "Lý do thử"}
    items = {"items": ["Bản sao giấy tờ"], "reason": "Thiếu giấy tờ"}
    return {
        Action.ACCEPT: Inputs(
            services.dossier_accept,
            "tiep-nhan",
            "accept",
            {"receiving_unit": world.center},
            {},
            {},
        ),
        Action.REQUEST_COMPLETION: Inputs(
            services.dossier_request_completion,
            "yeu-cau-hoan-thien",
            "request-completion",
            items,
            {"items": "Bản sao giấy tờ", "reason": "Thiếu giấy tờ"},
            items,
        ),
        Action.COMPLETE: Inputs(
            services.dossier_complete, "hoan-thien", "complete", {}, {"note": "x"}, {}
        ),
        Action.REJECT: Inputs(
            services.dossier_reject, "tu-choi-tiep-nhan", "reject", reason, reason, reason
        ),
        Action.HANDOVER: Inputs(services.dossier_handover, "chuyen-xu-ly", "handover", {}, {}, {}),
        Action.SEND_BACK: Inputs(
            services.dossier_send_back, "tra-lai-buoc-truoc", "send-back", reason, reason, reason
        ),
        Action.REQUEST_SUPPLEMENT: Inputs(
            services.dossier_request_supplement,
            "yeu-cau-bo-sung",
            "request-supplement",
            items,
            {"items": "Bản sao giấy tờ", "reason": "Thiếu giấy tờ"},
            items,
        ),
        Action.RECEIVE_SUPPLEMENT: Inputs(
            services.dossier_receive_supplement,
            "nhan-bo-sung",
            "receive-supplement",
            {},
            {},
            {},
        ),
        # The applicant's own action (the portal's page): no staff route, no API route.
        Action.SUBMIT_SUPPLEMENT: Inputs(
            services.dossier_supplement_submit, "", "", {"note": "x"}, {}, {}
        ),
        Action.EXTEND: Inputs(
            services.dossier_extend,
            "gia-han",
            "extend",
            {"reason": "Cần xác minh", "new_due_at": new_due_at},
            {"reason": "Cần xác minh", "new_due_date": NEW_DUE.isoformat()},
            {"reason": "Cần xác minh", "new_due_at": new_due_at.isoformat()},
        ),
        Action.FINISH: Inputs(services.dossier_finish, "co-ket-qua", "finish", {}, {}, {}),
        Action.REFUSE: Inputs(services.dossier_refuse, "tra-lai", "refuse", reason, reason, reason),
        Action.STOP: Inputs(
            services.dossier_stop, "dung-giai-quyet", "stop", reason, reason, reason
        ),
        Action.DELIVER: Inputs(
            services.dossier_deliver,
            "tra-ket-qua",
            "deliver",
            {"channel": "counter"},
            {"channel": "counter"},
            {"channel": "counter"},
        ),
        Action.WITHDRAW: Inputs(
            services.dossier_withdraw, "rut-ho-so", "withdraw", reason, reason, reason
        ),
        Action.DIGITISE: _digitise_inputs(dossier),
    }


def _digitise_inputs(dossier: Dossier | None) -> Inputs:
    part = (
        DossierPart.objects.create(dossier=dossier, name="Tờ khai", not_digitised_reason="Máy hỏng")
        if dossier is not None
        else None
    )
    part_id = part.pk if part is not None else 0
    return Inputs(
        services.dossier_part_digitise,
        "so-hoa",
        f"parts/{part_id}/files",
        {"part": part, "files": [PartFile(_scan(), "application/pdf")]},
        {"part": part_id, "scans": _scan},
        {"files": _scan},
        multipart=True,
    )


# Actions only the applicant takes (their portal page), with no staff or API route.
APPLICANT_ONLY = {
    action
    for action in Action
    if all(rule.desk == rules.Desk.APPLICANT for rule in rules.RULES if rule.action == action)
}


# Where a dossier can stand: (name, status, the position of its current step or None).
STATES = [
    ("online-submitted", Status.SUBMITTED, None),
    ("online-needs-completion", Status.NEEDS_COMPLETION, None),
    ("at-counter-step", Status.PROCESSING, 1),
    ("at-appraisal", Status.PROCESSING, 2),
    ("at-signing", Status.PROCESSING, 3),
    ("supplement-at-appraisal", Status.SUPPLEMENT_REQUESTED, 2),
    ("result-at-signing", Status.RESULT_READY, 3),
    ("delivered", Status.DELIVERED, 4),
]
ACTORS = ["clerk", "manager", "specialist", "leader", "outsider", "provincial", "auditor"]


@pytest.fixture
def documents_dir(settings: Settings, tmp_path: Path) -> None:
    """DIGITISE stores scans: in a temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def _dossier(world: World, steps: list[WorkflowStep], status: str, position: int | None) -> Dossier:
    step = steps[position - 1] if position else None
    if status in (Status.SUBMITTED, Status.NEEDS_COMPLETION):
        return world.dossier(
            status=status,
            channel=Channel.ONLINE,
            receiving_unit=None,
            received_at=None,
            due_at=None,
            owner=world.citizen,
        )
    now = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    ended = status in (Status.RESULT_READY, Status.DELIVERED)
    return world.dossier(
        status=status,
        current_step=step,
        current_step_since=now,
        current_unit=step.unit if step else "",
        received_at=now,
        due_at=dt.datetime(2031, 1, 6, 10, tzinfo=dt.UTC),
        ended_at=now if ended else None,
        end_kind=EndKind.RESULT if ended else "",
        dossier_class=DossierClass.EARLY if ended else "",
    )


def _rolled_back(run: Callable[[], Any]) -> Any:
    """Run one attempt and undo whatever it wrote: each channel starts from the same dossier."""
    with transaction.atomic():
        result = run()
        transaction.set_rollback(True)
    return result


def _service_answer(inputs: Inputs, dossier: Dossier, user: User) -> str | None:
    def run() -> str | None:
        try:
            inputs.service(
                dossier=dossier,
                actor=user,
                expected_version=dossier.version,
                **inputs.service_kwargs,
            )
        except DossierError as exc:
            return str(exc)
        return None

    return _rolled_back(run)


def _web_answer(inputs: Inputs, dossier: Dossier, client: Client) -> tuple[int, str]:
    def run() -> tuple[int, str]:
        response = client.post(
            f"/can-bo/ho-so/{dossier.code}/{inputs.web}/",
            {"version": dossier.version, **_fresh(inputs.form)},
        )
        return response.status_code, html.unescape(response.content.decode())

    return _rolled_back(run)


def _api_answer(inputs: Inputs, dossier: Dossier, token: str) -> tuple[int, dict[str, Any]]:
    def run() -> tuple[int, dict[str, Any]]:
        body = {"expected_version": dossier.version, **_fresh(inputs.body)}
        headers = {"Authorization": f"Bearer {token}"}
        url = f"/api/dossiers/{dossier.code}/{inputs.api}"
        if inputs.multipart:
            response = Client().post(url, body, headers=headers)
        else:
            response = Client().post(url, body, content_type="application/json", headers=headers)
        return response.status_code, response.json()

    return _rolled_back(run)


@pytest.mark.parametrize("state", STATES, ids=[s[0] for s in STATES])
@pytest.mark.parametrize("who", ACTORS)
def test_every_channel_gives_the_rule_tables_answer(
    world: World, state: tuple[str, str, int | None], who: str, documents_dir: None
) -> None:
    steps = sign_off_workflow(world)
    _name, status, position = state
    dossier = _dossier(world, steps, status, position)
    user: User = getattr(world, who)
    inputs = _inputs(world, dossier)
    client = login(Client(), user)
    token = api_token_create(user=user, name="thử", actor="test")[1]
    allowed = rules.dossier_actions(user, dossier)
    in_scope = client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 200
    for action in Action:
        item = inputs[action]
        dossier.refresh_from_db()  # a service updates the object it was given
        refusal = rules.action_refusal(user, dossier, action)
        assert (refusal is None) == (action in allowed), action
        message = None if refusal is None else str(refusal)
        if action in APPLICANT_ONLY:
            # Never a staff member's: the service refuses it with the table's message.
            assert message is not None, action
            assert _service_answer(item, dossier, user) == message, action
            continue
        web_status, web_text = _web_answer(item, dossier, client)
        api_status, api_body = _api_answer(item, dossier, token)
        writable = in_scope and who not in ("provincial", "auditor")
        if not writable:
            # Outside the scope (or read-only): missing and forbidden look the same.
            assert web_status in (403, 404), (action, web_status)
            assert api_status == 404, (action, api_status, api_body)
            assert message is not None, action
            continue
        assert _service_answer(item, dossier, user) == message, action
        dossier.refresh_from_db()
        if message is None:
            assert web_status == 302, (action, web_status, web_text[:300])
            assert api_status == 200, (action, api_status, api_body)
        else:
            assert web_status == 403 and message in web_text, (action, web_status, message)
            assert api_status in (403, 422) and api_body["detail"] == message, (
                action,
                api_status,
                api_body,
            )


def test_every_action_and_channel_is_covered(world: World) -> None:
    inputs = _inputs(world)
    assert set(inputs) == set(Action)
    # Every POST route on a dossier in the staff application is an action of the table.
    web_paths = {str(p.pattern) for p in office_urls.urlpatterns if isinstance(p, URLPattern)}
    change_paths = {
        p.removeprefix("ho-so/<str:code>/").rstrip("/")
        for p in web_paths
        if p.startswith("ho-so/<str:code>/") and p.count("/") == 3
    } - {"mau-<str:form>", "tep-ket-qua", ""}
    staff_side = [i for a, i in inputs.items() if a not in APPLICANT_ONLY]
    assert change_paths == {i.web for i in staff_side}
    # Every POST operation on a dossier in the API is one too (``result``, the upload, is FINISH;
    # ``postal-order``, posting the result again, is guarded by DELIVER and tested with the
    # postal adapter, tests/integrations/test_postal.py).
    schema = api.get_openapi_schema()
    api_changes = {
        path.rsplit("/", 1)[-1]
        for path, operations in schema["paths"].items()
        if path.startswith("/api/dossiers/{code}/") and "post" in operations
    }
    assert api_changes - {"result", "postal-order"} == {
        i.api.rsplit("/", 1)[-1] for i in staff_side
    }


def test_the_status_labels_of_the_table_are_real_statuses() -> None:
    for rule in rules.RULES:
        assert rule.statuses <= set(Status.values), rule
