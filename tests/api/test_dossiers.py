"""Dossiers over the API: a whole life, scope, refusals, conflicts, forms, the guidance log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import time_machine
from pytest_django import Settings

from motcua.archive.queries import result_document
from motcua.core.models import AuditEvent
from motcua.dossiers.models import (
    DeliveryChannel,
    Dossier,
    DossierClass,
    EventType,
    Guidance,
    Status,
)
from tests.api.conftest import Api, applicant_json
from tests.world import MONDAY, World, local


def _receive(api: Api, **overrides: Any) -> Any:
    body = {
        "procedure": "1.001234",
        "channel": "postal",
        "applicant": applicant_json(),
        "parts": [
            {
                "part": None,
                "name": "Tờ khai yêu cầu cấp phiếu LLTP",
                "copies": 1,
                "not_digitised_reason": "Quét sau",
            }
        ],
    }
    body.update(overrides)
    return api.post("/dossiers", body)


def test_full_flow_receive_handover_finish_deliver(
    world: World,
    clerk_api: Api,
    specialist_api: Api,
    leader_api: Api,
    traveller: time_machine.Traveller,
) -> None:
    created = _receive(clerk_api)
    assert created.status_code == 201, created.content
    data = created.json()
    code = data["code"]
    assert code.startswith("000.00.19.H18-261005-")
    assert data["status"] == "processing" and data["channel"] == "postal"
    assert data["secret"] and data["receiving_unit"]["code"] == world.center.code
    # 3 working days from Monday 09:00: Thursday 17:00 local (domain.md §5).
    assert dt.datetime.fromisoformat(data["due_at"]) == local(MONDAY + dt.timedelta(days=3), 17)
    assert data["due_explanation"]
    assert [p["name"] for p in data["parts"]] == ["Tờ khai yêu cầu cấp phiếu LLTP"]

    version = data["version"]
    # The counter is in its own first step from receipt: the hand-overs walk steps 2 and 3.
    for hour, api in ((10, clerk_api), (14, specialist_api)):
        traveller.move_to(local(MONDAY, hour))
        moved = api.post(f"/dossiers/{code}/handover", {"expected_version": version})
        assert moved.status_code == 200, moved.content
        version = moved.json()["version"]
    slip = moved.json()["handovers"]
    assert [h["step_name"] for h in slip] == [s.name for s in world.steps[1:]]
    assert slip[0]["from_unit"] == world.center.name
    assert slip[0]["note"] == "Tiếp nhận, chuyển hồ sơ: 1/8 giờ, trước hạn"
    assert slip[0]["finished_at"] is not None and slip[-1]["finished_at"] is None

    traveller.move_to(local(MONDAY + dt.timedelta(days=1), 10))
    # At the signing step the result is the leader's (dossiers.rules), not the specialist's.
    refused = specialist_api.post(f"/dossiers/{code}/finish", {"expected_version": version})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    finished = leader_api.post(f"/dossiers/{code}/finish", {"expected_version": version})
    assert finished.status_code == 200, finished.content
    assert finished.json()["status"] == "result_ready"
    assert finished.json()["dossier_class"] == "early"

    delivered = clerk_api.post(
        f"/dossiers/{code}/deliver",
        {
            "expected_version": finished.json()["version"],
            "channel": "postal",
            "reference": "EL123456789VN",
        },
    )
    assert delivered.status_code == 200, delivered.content

    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.DELIVERED
    assert dossier.delivery_channel == DeliveryChannel.POSTAL
    assert dossier.dossier_class == DossierClass.EARLY
    assert dossier.ended_at == local(MONDAY + dt.timedelta(days=1), 10)
    assert dossier.version == delivered.json()["version"]
    assert list(dossier.events.values_list("type", flat=True)) == [
        EventType.RECEIVED,
        EventType.HANDOVER,
        EventType.HANDOVER,
        EventType.RESULT_READY,
        EventType.RESULT_DELIVERED,
    ]
    assert dossier.events.filter(actor=world.specialist).count() == 1
    assert dossier.events.filter(actor=world.leader, type=EventType.RESULT_READY).count() == 1
    timeline = delivered.json()["events"]
    assert timeline[-1]["data"]["reference"] == "EL123456789VN"
    assert timeline[0]["label"] == "Tiếp nhận"


def test_online_submit_accept_and_supplement_cycle(
    world: World,
    clerk_api: Api,
    specialist_api: Api,
    leader_api: Api,
    traveller: time_machine.Traveller,
) -> None:
    body = {"procedure": "1.001234", "applicant": applicant_json()}
    submitted = clerk_api.post("/dossiers/online", body)
    assert submitted.status_code == 201, submitted.content
    code, version = submitted.json()["code"], submitted.json()["version"]
    assert submitted.json()["status"] == "submitted"
    # The one-stop unit checks online dossiers (dossiers.rules: the intake desk); the competent
    # agency's specialist may not, nor make itself the receiving unit.
    refused = specialist_api.post(f"/dossiers/{code}/accept", {"expected_version": version})
    assert refused.status_code == 403, refused.content
    asked = clerk_api.post(
        f"/dossiers/{code}/request-completion",
        {"expected_version": version, "items": ["Ảnh 4x6"], "reason": "Thiếu ảnh"},
    )
    assert asked.json()["status"] == "needs_completion"
    completed = clerk_api.post(
        f"/dossiers/{code}/complete",
        {"expected_version": asked.json()["version"], "parts": [{"name": "Ảnh 4x6"}]},
    )
    assert completed.json()["status"] == "submitted"
    accepted = clerk_api.post(
        f"/dossiers/{code}/accept", {"expected_version": completed.json()["version"]}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "processing"
    assert accepted.json()["receiving_unit"]["code"] == world.center.code
    # Still at the counter's own first step: the counter holds it and asks (dossiers.rules).
    supplement = clerk_api.post(
        f"/dossiers/{code}/request-supplement",
        {"expected_version": accepted.json()["version"], "items": ["Bản sao CCCD"], "reason": "x"},
    )
    assert supplement.json()["status"] == "supplement_requested"
    traveller.move_to(local(MONDAY + dt.timedelta(days=1), 9))
    back = clerk_api.post(
        f"/dossiers/{code}/receive-supplement",
        {"expected_version": supplement.json()["version"], "parts": [{"name": "Bản sao CCCD"}]},
    )
    assert back.json()["status"] == "processing"
    # ND 118/2025 Điều 19.5: the clock restarts from the supplement (Tuesday + 3 working days).
    assert dt.datetime.fromisoformat(back.json()["due_at"]) == local(
        MONDAY + dt.timedelta(days=4), 17
    )
    assert "restarted_at" in back.json()["due_explanation"]
    # The counter passes it on; the apology letter is the competent agency leader's.
    moved = clerk_api.post(
        f"/dossiers/{code}/handover", {"expected_version": back.json()["version"]}
    )
    assert moved.status_code == 200, moved.content
    extended = leader_api.post(
        f"/dossiers/{code}/extend",
        {
            "expected_version": moved.json()["version"],
            "reason": "Cần xác minh thêm",
            "new_due_at": "2026-10-13T17:00:00+07:00",
        },
    )
    assert extended.status_code == 200, extended.content
    assert extended.json()["has_apology"] is True
    assert dt.datetime.fromisoformat(extended.json()["extended_due_at"]) == local(
        dt.date(2026, 10, 13), 17
    )
    # A stop (form 05) is the agency's decision: its leader, not the specialist, nor the
    # counter that no longer holds the dossier (issue 11's reproduction).
    for api in (specialist_api, clerk_api):
        refused = api.post(
            f"/dossiers/{code}/stop",
            {"expected_version": extended.json()["version"], "reason": "Người nộp đề nghị"},
        )
        assert refused.status_code == 403, refused.content
    stopped = leader_api.post(
        f"/dossiers/{code}/stop",
        {"expected_version": extended.json()["version"], "reason": "Người nộp đề nghị"},
    )
    assert stopped.json()["status"] == "stopped" and stopped.json()["end_kind"] == "stopped"


def test_rejections_refusal_and_withdrawal(
    world: World,
    clerk_api: Api,
    specialist_api: Api,
    leader_api: Api,
    traveller: time_machine.Traveller,
) -> None:
    rejected = clerk_api.post(
        "/dossiers/rejections",
        {"procedure": "1.001234", "applicant": applicant_json(), "reason": "Sai thẩm quyền"},
    )
    assert rejected.status_code == 201
    assert rejected.json()["status"] == "rejected" and rejected.json()["received_at"] is None

    online = clerk_api.post(
        "/dossiers/online", {"procedure": "1.001234", "applicant": applicant_json()}
    )
    code = online.json()["code"]
    refused = clerk_api.post(
        f"/dossiers/{code}/reject", {"expected_version": online.json()["version"], "reason": "Giả"}
    )
    assert refused.json()["status"] == "rejected"

    first = _receive(clerk_api).json()
    # The counter hands it to the competent agency, which decides (services.holder).
    first = clerk_api.post(
        f"/dossiers/{first['code']}/handover", {"expected_version": first["version"]}
    ).json()
    refuse = leader_api.post(
        f"/dossiers/{first['code']}/refuse",
        {"expected_version": first["version"], "reason": "Không đủ điều kiện"},
    )
    assert refuse.json()["status"] == "refused" and refuse.json()["end_kind"] == "refused"
    second = _receive(clerk_api).json()
    withdrawn = clerk_api.post(
        f"/dossiers/{second['code']}/withdraw", {"expected_version": second["version"]}
    )
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["end_reason"] == "Người nộp đề nghị rút hồ sơ"


def test_other_agency_dossier_is_404_like_a_missing_one(
    received: Dossier, outsider_api: Api, specialist_api: Api
) -> None:
    assert specialist_api.get(f"/dossiers/{received.code}").status_code == 200
    hidden = outsider_api.get(f"/dossiers/{received.code}")
    missing = outsider_api.get("/dossiers/000.00.19.H18-261005-9999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    change = outsider_api.post(
        f"/dossiers/{received.code}/handover", {"expected_version": received.version}
    )
    assert change.status_code == 404 and change.content == missing.content
    form = outsider_api.get(f"/dossiers/{received.code}/forms/01.pdf")
    assert form.status_code == 404
    received.refresh_from_db()
    assert received.handovers.count() == 0
    assert outsider_api.get("/dossiers").json() == {"items": [], "count": 0, "next": None}


def test_read_only_role_cannot_change_or_receive(world: World, received: Dossier) -> None:
    from motcua.core.models import StaffProfile
    from tests.api.conftest import token_for

    StaffProfile.objects.filter(user=world.outsider).update(role="auditor", agency=world.province)
    auditor = Api(token_for(world.outsider))
    assert auditor.get(f"/dossiers/{received.code}").status_code == 200
    change = auditor.post(f"/dossiers/{received.code}/finish", {"expected_version": 1})
    assert change.status_code == 404
    receive = _receive(auditor)
    assert receive.status_code == 403 and receive.json()["code"] == "forbidden"


def test_read_shows_timeline_slip_and_explanation_and_is_audited(
    received: Dossier, specialist_api: Api
) -> None:
    data = specialist_api.get(f"/dossiers/{received.code}").json()
    assert data["code"] == received.code and data["version"] == received.version
    assert data["procedure"] == {
        "code": "1.001234",
        "name": "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam",
        "version": 1,
    }
    assert data["events"][0]["type"] == "received"
    assert data["handovers"] == []
    assert data["due_explanation"] == received.due_explanation
    assert "secret" not in data
    assert AuditEvent.objects.filter(
        action="read", object_id=received.code, actor__username="chuyenvien"
    ).exists()


def test_bad_citizen_id_is_422_with_the_field(world: World, clerk_api: Api) -> None:
    response = _receive(clerk_api, applicant=applicant_json(id_number="12345"))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == [
        {
            "loc": ["body", "applicant", "id_number"],
            "msg": "Số định danh cá nhân phải gồm đúng 12 chữ số.",
        }
    ]
    assert not Dossier.objects.exists()


def test_malformed_body_is_422_in_vietnamese_with_paths(world: World, clerk_api: Api) -> None:
    response = clerk_api.post(
        "/dossiers",
        {
            "procedure": "1.001234",
            "channel": "fax",
            "applicant": {"kind": "citizen"},
            "parts": [{"copies": 0, "name": "x"}],
            "expected_verison": 3,
        },
    )
    assert response.status_code == 422
    errors = {tuple(e["loc"]): e["msg"] for e in response.json()["errors"]}
    assert errors[("body", "applicant", "name")] == "Thiếu trường bắt buộc."
    assert errors[("body", "channel")].startswith("Giá trị không hợp lệ; chấp nhận:")
    assert errors[("body", "parts", 0, "copies")] == "Phải lớn hơn hoặc bằng 1."
    assert errors[("body", "expected_verison")] == "Trường không được hỗ trợ."
    assert "body.applicant.name" in response.json()["detail"]


def test_unknown_procedure_or_part_is_422_naming_it(world: World, clerk_api: Api) -> None:
    unknown = _receive(clerk_api, procedure="9.999999")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["loc"] == ["body", "procedure"]
    assert "9.999999" in unknown.json()["detail"]
    part = _receive(clerk_api, parts=[{"part": 7}])
    assert part.json()["errors"][0]["loc"] == ["body", "parts", 0, "part"]
    assert not Dossier.objects.exists()


def test_stale_version_is_409_and_changes_nothing(received: Dossier, specialist_api: Api) -> None:
    before_events = received.events.count()
    response = specialist_api.post(
        f"/dossiers/{received.code}/finish", {"expected_version": received.version + 1}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "vừa được người khác cập nhật" in response.json()["detail"]
    fresh = Dossier.objects.get(pk=received.pk)
    assert fresh.status == Status.PROCESSING and fresh.version == received.version
    assert fresh.ended_at is None and fresh.events.count() == before_events


def test_transition_not_allowed_is_422_with_the_service_message(
    received: Dossier, clerk_api: Api
) -> None:
    response = clerk_api.post(
        f"/dossiers/{received.code}/deliver",
        {"expected_version": received.version, "channel": "counter"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "refused"
    assert response.json()["detail"] == (
        f"Không thể trả kết quả: hồ sơ {received.code} đang ở trạng thái “Đang giải quyết”."
    )
    missing_ref = clerk_api.post(
        f"/dossiers/{received.code}/deliver",
        {"expected_version": received.version, "channel": "postal"},
    )
    assert "số hiệu bưu gửi" in missing_ref.json()["detail"]
    assert Dossier.objects.get(pk=received.pk).version == received.version


def test_forms_download(received: Dossier, clerk_api: Api) -> None:
    pdf = clerk_api.get(f"/dossiers/{received.code}/forms/01.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert f"mau-01-{received.code}.pdf" in pdf["Content-Disposition"]
    docx = clerk_api.get(f"/dossiers/{received.code}/forms/06.docx")
    assert docx.status_code == 200
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    assert docx.content.startswith(b"PK")
    register = clerk_api.get(f"/dossiers/{received.code}/forms/07.docx")
    assert register.status_code == 200 and len(register.content) > 1000
    assert clerk_api.get(f"/dossiers/{received.code}/forms/08.pdf").status_code == 404
    assert clerk_api.get(f"/dossiers/{received.code}/forms/01.odt").status_code == 404
    # No extension yet: the apology letter cannot be issued.
    apology = clerk_api.get(f"/dossiers/{received.code}/forms/04.pdf")
    assert apology.status_code == 422 and apology.json()["detail"]
    assert AuditEvent.objects.filter(action="dossier.print", object_id=received.code).count() == 3


def test_guidance_log(world: World, clerk_api: Api, traveller: time_machine.Traveller) -> None:
    response = clerk_api.post(
        "/guidance", {"kind": "incoming_call", "procedure": "1.001234", "note": "Hỏi phí"}
    )
    assert response.status_code == 201, response.content
    guidance = Guidance.objects.get()
    assert (guidance.kind, guidance.unit, guidance.actor) == (
        "incoming_call",
        world.center,
        world.clerk,
    )
    assert guidance.at == local(MONDAY, 9)
    wrong = clerk_api.post("/guidance", {"kind": "email"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["body", "kind"]


def test_parts_by_position_and_handover_to_a_named_step(
    world: World, clerk_api: Api, specialist_api: Api, traveller: time_machine.Traveller
) -> None:
    from motcua.catalog.models import Part

    Part.objects.create(
        version=world.procedure, position=1, name="Tờ khai", copies=2, kind="original"
    )
    later = "Quét sau"
    reason = {"not_digitised_reason": later, "files": []}
    created = _receive(
        clerk_api,
        parts=[
            {"part": 1, "not_digitised_reason": later},
            {"name": "Giấy ủy quyền", "kind": "copy", "not_digitised_reason": later},
        ],
    )
    assert created.status_code == 201, created.content
    assert [{k: v for k, v in p.items() if k != "id"} for p in created.json()["parts"]] == [
        {"name": "Tờ khai", "kind": "original", "copies": 2, "reused": False, **reason},
        {"name": "Giấy ủy quyền", "kind": "copy", "copies": 1, "reused": False, **reason},
    ]
    code, version = created.json()["code"], created.json()["version"]
    unknown = clerk_api.post(f"/dossiers/{code}/handover", {"expected_version": version, "step": 9})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"] == ["body", "step"]
    # The counter holds its own first step: it hands over (services.holder).
    moved = clerk_api.post(
        f"/dossiers/{code}/handover", {"expected_version": version, "step": 2, "note": "Gấp"}
    )
    assert moved.status_code == 200, moved.content
    row = moved.json()["handovers"][0]
    assert (row["step_name"], row["to_unit"], row["note"]) == (
        "Thẩm định hồ sơ",
        "Phòng Hành chính tư pháp",
        "Tiếp nhận, chuyển hồ sơ: 0/8 giờ, trước hạn; Gấp",
    )
    assert moved.json()["current_step"] == "Thẩm định hồ sơ"
    listed = specialist_api.get("/dossiers").json()["items"][0]
    assert listed["code"] == code and listed["status_label"] == "Đang giải quyết"
    assert listed["procedure_code"] == "1.001234" and listed["agency_code"] == world.justice.code


def test_finish_with_a_result_file(
    world: World, received: Dossier, leader_api: Api, settings: Settings, tmp_path: Path
) -> None:
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    from motcua.dossiers.services import dossier_handover

    dossier_handover(dossier=received, actor=world.clerk)  # the competent agency holds it
    dossier_handover(dossier=received, actor=world.specialist)  # to the signing step
    received.refresh_from_db()
    url = f"/api/dossiers/{received.code}/result"
    headers = {"Authorization": f"Bearer {leader_api.token}"}
    wrong = leader_api.client.post(
        url,
        {
            "expected_version": received.version,
            "result_file": SimpleUploadedFile("ket-qua.exe", b"MZ"),
        },
        headers=headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["loc"] == ["body", "result_file"]
    content = b"%PDF-1.4 ket qua"
    done = leader_api.client.post(
        url,
        {
            "expected_version": received.version,
            "note": "Đã ký số",
            "result_file": SimpleUploadedFile("phieu.pdf", content, "application/pdf"),
        },
        headers=headers,
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "result_ready"
    assert done.json()["result_sha256"] == hashlib.sha256(content).hexdigest()
    received.refresh_from_db()
    document = result_document(received)
    assert document is not None
    with document.file.open("rb") as stored:
        assert stored.read() == content


def test_the_api_checks_a_result_files_content_as_the_web_does(
    world: World, received: Dossier, leader_api: Api, settings: Settings, tmp_path: Path
) -> None:
    """One rule for the result file (``dossiers.uploads``): the API used to check only the
    name and the size, and stored a program named ``.pdf``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.dossiers.services import dossier_handover

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    dossier_handover(dossier=received, actor=world.clerk)  # the competent agency holds it
    dossier_handover(dossier=received, actor=world.specialist)  # to the signing step
    refused = leader_api.client.post(
        f"/api/dossiers/{received.code}/result",
        {
            "expected_version": received.version,
            "result_file": SimpleUploadedFile("giay-phep.pdf", b"MZ\x90\x00 not a pdf"),
        },
        headers={"Authorization": f"Bearer {leader_api.token}"},
    )
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["loc"] == ["body", "result_file"]
    assert "không phải tệp PDF" in error["msg"]
    received.refresh_from_db()
    assert received.status == Status.PROCESSING and result_document(received) is None


def test_a_name_longer_than_its_column_is_422_not_cut(world: World, clerk_api: Api) -> None:
    response = _receive(clerk_api, applicant=applicant_json(name="Nguyễn " * 55))  # 385 chars
    assert response.status_code == 422
    locs = [error["loc"] for error in response.json()["errors"]]
    assert ["body", "applicant", "name"] in locs
    assert not Dossier.objects.exists()


def test_online_submission_takes_the_result_channel_like_the_portal(
    world: World, clerk_api: Api
) -> None:
    body = {"procedure": "1.001234", "applicant": applicant_json(), "result_channel": "postal"}
    submitted = clerk_api.post("/dossiers/online", body)
    assert submitted.status_code == 201, submitted.content
    assert submitted.json()["delivery_channel"] == "postal"
    # By post without an address: the applicant's address is named, as on the portal's form.
    no_address = clerk_api.post(
        "/dossiers/online", body | {"applicant": applicant_json(address="")}
    )
    assert no_address.status_code == 422
    errors = no_address.json()["errors"]
    assert errors == [
        {"loc": ["body", "applicant", "address"], "msg": "Nhập địa chỉ nhận kết quả qua bưu chính."}
    ]
    unknown = clerk_api.post("/dossiers/online", body | {"result_channel": "pigeon"})
    assert unknown.status_code == 422
    spec = clerk_api.client.get("/api/openapi.json").json()
    schema = spec["components"]["schemas"]["SubmitIn"]["properties"]["result_channel"]
    assert set(schema["enum"]) == {"", "counter", "postal", "online"}


def test_a_receipt_with_the_result_by_post_needs_the_address_as_online(
    world: World, clerk_api: Api
) -> None:
    # The same rule as the online submission (dossiers.applicants.result_address_check).
    refused = _receive(clerk_api, applicant=applicant_json(address=""), result_channel="postal")
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"loc": ["body", "applicant", "address"], "msg": "Nhập địa chỉ nhận kết quả qua bưu chính."}
    ]
    assert not Dossier.objects.exists()
    at_counter = _receive(clerk_api, applicant=applicant_json(address=""), result_channel="counter")
    assert at_counter.status_code == 201, at_counter.content
