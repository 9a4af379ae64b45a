"""Issue 11's reproductions, each now refused: the rules of who may act were partly in the
staff views and partly in the services, so the API (and POSTs the page did not offer) walked
around them. Every one of them now meets ``dossiers.rules`` in the service."""

from __future__ import annotations

import html

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.test import Client

from motcua.api.tokens import api_token_create
from motcua.dossiers.models import Channel, Dossier, Handover, Status
from tests.responses import ClientResponse

from .conftest import World, login, sign_off_workflow
from .test_views import received


def _api(client: Client, user: User, dossier: Dossier, path: str, **body: object) -> ClientResponse:
    token = api_token_create(user=user, name="thử", actor="test")[1]
    dossier.refresh_from_db()
    return client.post(
        f"/api/dossiers/{dossier.code}/{path}",
        {"expected_version": dossier.version, **body},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _web(client: Client, dossier: Dossier, path: str, **data: object) -> ClientResponse:
    dossier.refresh_from_db()
    return client.post(
        f"/can-bo/ho-so/{dossier.code}/{path}/", {"version": dossier.version, **data}
    )


def _at_department(world: World) -> Dossier:
    """Received at the counter and handed to the construction department's appraisal."""
    dossier = received(world, clerk := Client())
    response = _web(clerk, dossier, "chuyen-xu-ly")
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.current_step is not None and dossier.current_step.position == 2
    return dossier


def test_the_counter_neither_stops_nor_withdraws_what_the_department_holds(world: World) -> None:
    sign_off_workflow(world)
    dossier = _at_department(world)
    clerk = login(Client(), world.clerk)
    stopped = _api(clerk, world.clerk, dossier, "stop", reason="Người nộp đề nghị")
    assert stopped.status_code == 403
    withdrawn = _web(clerk, dossier, "rut-ho-so", reason="Người nộp đề nghị")
    assert withdrawn.status_code == 403
    assert "Phòng Quản lý xây dựng" in html.unescape(withdrawn.content.decode())
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert not dossier.events.filter(type__in=["stopped", "withdrawn"]).exists()


def test_the_specialist_neither_stops_nor_withdraws_at_the_counters_step(world: World) -> None:
    sign_off_workflow(world)
    dossier = received(world, Client())
    specialist = login(Client(), world.specialist)
    for path in ("stop", "withdraw"):
        response = _api(specialist, world.specialist, dossier, path, reason="x")
        assert response.status_code == 403, path
    assert _web(specialist, dossier, "rut-ho-so", reason="x").status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_the_api_refuses_what_the_web_refuses(world: World) -> None:
    sign_off_workflow(world)
    ready = _at_department(world)
    online = world.dossier(
        status=Status.SUBMITTED, channel=Channel.ONLINE, receiving_unit=None, received_at=None
    )
    specialist = login(Client(), world.specialist)
    accepted = _api(specialist, world.specialist, online, "accept")
    assert accepted.status_code == 403
    online.refresh_from_db()
    assert online.status == Status.SUBMITTED and online.receiving_unit_id is None
    # Nor the POSTs the page does not offer.
    assert _web(specialist, online, "tu-choi-tiep-nhan", reason="x").status_code == 403
    refused = _web(specialist, online, "yeu-cau-hoan-thien", items="Ảnh", reason="x")
    assert refused.status_code == 403
    online.refresh_from_db()
    assert online.status == Status.SUBMITTED

    assert _web(specialist, ready, "chuyen-xu-ly").status_code == 302
    leader = login(Client(), world.leader)
    assert _web(leader, ready, "co-ket-qua").status_code == 302
    rows = Handover.objects.filter(dossier=ready).count()
    delivered = _api(specialist, world.specialist, ready, "deliver", channel="counter")
    assert delivered.status_code == 403
    assert Handover.objects.filter(dossier=ready).count() == rows  # no false slip row


def test_the_sign_off_step_cannot_be_skipped(world: World) -> None:
    steps = sign_off_workflow(world)
    dossier = _at_department(world)
    specialist = login(Client(), world.specialist)
    page = html.unescape(specialist.get(f"/can-bo/ho-so/{dossier.code}/").content.decode())
    for absent in ("Hoàn thành, có kết quả", "Gia hạn, thư xin lỗi", "Trả lại hồ sơ (không"):
        assert absent not in page
    assert _web(specialist, dossier, "co-ket-qua").status_code == 403
    # The proposal travels with the dossier: a note and a draft to the signing step.
    draft = SimpleUploadedFile("du-thao.pdf", b"%PDF-1.4 du thao", "application/pdf")
    moved = _web(specialist, dossier, "chuyen-xu-ly", note="Dự thảo kèm theo", draft_file=draft)
    assert moved.status_code == 302
    dossier.refresh_from_db()
    assert dossier.current_step == steps[2]
    leader = login(Client(), world.leader)
    page = html.unescape(leader.get(f"/can-bo/ho-so/{dossier.code}/").content.decode())
    # The leader's page opens on signing, and shows what the specialist sent.
    first = page.index("data-action=")
    assert page[first:].startswith('data-action="finish"')
    assert "Duyệt, ký — có kết quả" in page
    assert "Dự thảo kèm theo" in page and "data-proposal-draft" in page
    row = dossier.handovers.order_by("-position").first()
    assert row is not None and row.draft_sha256
    download = leader.get(f"/can-bo/ho-so/{dossier.code}/du-thao/{row.position}/")
    assert download.status_code == 200
    assert isinstance(download, FileResponse)
    assert b"".join(download.streaming_content) == b"%PDF-1.4 du thao"
    assert _web(leader, dossier, "co-ket-qua").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY


def test_the_leader_sends_back_with_a_reason_to_the_proposer(world: World) -> None:
    steps = sign_off_workflow(world)
    dossier = _at_department(world)
    specialist = login(Client(), world.specialist)
    _web(specialist, dossier, "chuyen-xu-ly", note="Đề xuất cấp phép")
    leader = login(Client(), world.leader)
    assert _web(leader, dossier, "tra-lai-buoc-truoc", reason="").status_code == 302
    dossier.refresh_from_db()
    assert dossier.current_step == steps[2]  # no reason, nothing sent back
    _web(leader, dossier, "tra-lai-buoc-truoc", reason="Thiếu bản vẽ mặt cắt")
    dossier.refresh_from_db()
    assert dossier.current_step == steps[1] and dossier.assignee == world.specialist
    page = html.unescape(specialist.get(f"/can-bo/ho-so/{dossier.code}/").content.decode())
    assert "Thiếu bản vẽ mặt cắt" in page
    # Only at a signing step: the specialist cannot send back from the appraisal.
    assert _web(specialist, dossier, "tra-lai-buoc-truoc", reason="x").status_code == 403


def test_the_api_lists_the_callers_actions(world: World) -> None:
    sign_off_workflow(world)
    dossier = _at_department(world)
    leader = Client()
    token = api_token_create(user=world.leader, name="thử", actor="test")[1]
    body = leader.get(
        f"/api/dossiers/{dossier.code}", headers={"Authorization": f"Bearer {token}"}
    ).json()
    actions = [a["action"] for a in body["actions"]]
    assert actions[0] == "handover" and "finish" not in actions
    assert {"extend", "refuse", "stop", "withdraw", "request_supplement"} <= set(actions)
