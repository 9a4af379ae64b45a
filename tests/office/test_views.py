"""The staff application through the HTTP client: scope, audit, each action through its
service, errors and conflicts shown in Vietnamese."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.http import FileResponse
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from motcua.archive.queries import result_document
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier, Guidance, Handover, Status
from tests.responses import ClientResponse

from .conftest import World, login, paper_parts

pytestmark = pytest.mark.django_db


def text(response: ClientResponse) -> str:
    return response.content.decode()


def received(world: World, client: Client) -> Dossier:
    """A dossier received at the counter through the view (and so through the service)."""
    login(client, world.clerk)
    response = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/",
        {
            "outcome": "receive",
            **paper_parts(world),
            "applicant_kind": "citizen",
            "applicant_name": "Nguyễn Văn An",
            "applicant_phone": "0912345678",
            "applicant_id_number": "001099012345",
            "channel": "direct",
            "delivery": "counter",
        },
    )
    assert response.status_code == 302, text(response)
    dossier = Dossier.objects.get()
    assert response["Location"].startswith(f"/can-bo/ho-so/{dossier.code}/")
    return dossier


def at_agency(world: World, client: Client) -> Dossier:
    """``received``, then handed by the counter to the construction department's unit: the
    deciding agency holds it (only the unit at the dossier's step acts on it)."""
    dossier = received(world, client)
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/chuyen-xu-ly/",
        {"version": dossier.version, "to_unit": world.construction_unit.name},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    return dossier


# --- scope ---------------------------------------------------------------------------------


def test_outsider_gets_the_same_404_as_for_a_code_that_does_not_exist(world: World) -> None:
    dossier = world.dossier()
    client = login(Client(), world.outsider)
    existing = client.get(f"/can-bo/ho-so/{dossier.code}/")
    missing = client.get("/can-bo/ho-so/000.00.15.H18-260105-9999/")
    assert existing.status_code == missing.status_code == 404
    # The same page, but for the CSRF tokens, masked afresh on every response.
    token = re.compile(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"')
    assert token.sub("", text(existing)) == token.sub("", text(missing))
    # Nor can they act on it.
    post = client.post(f"/can-bo/ho-so/{dossier.code}/tra-lai/", {"version": 0, "reason": "x"})
    assert post.status_code == 404
    assert Dossier.objects.get().status == Status.PROCESSING
    # And it is not in their inbox.
    assert dossier.code not in text(client.get("/can-bo/"))


def test_inbox_lists_own_dossiers_soonest_due_first(world: World) -> None:
    now = timezone.now()
    later = world.dossier(due_at=now + dt.timedelta(days=9))
    overdue = world.dossier(due_at=now - dt.timedelta(days=1))
    other = world.dossier(version=world.justice_version, receiving_unit=None)
    page = text(login(Client(), world.leader).get("/can-bo/"))
    assert page.index(overdue.code) < page.index(later.code)
    assert other.code not in page
    assert "is-overdue" in page
    overdue_tab = text(login(Client(), world.leader).get("/can-bo/?f=overdue"))
    assert overdue.code in overdue_tab and later.code not in overdue_tab


def test_staff_pages_need_login_and_a_staff_profile(world: World) -> None:
    response = Client().get("/can-bo/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
    assert login(Client(), world.citizen).get("/can-bo/").status_code == 403


def test_every_staff_read_of_a_dossier_is_audited(world: World) -> None:
    dossier = world.dossier()
    client = login(Client(), world.auditor)
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 200
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 200
    events = AuditEvent.objects.filter(action="read", object_type="dossier")
    assert [(e.actor, e.object_id) for e in events] == [(world.auditor, dossier.code)] * 2


def test_auditor_reads_everything_but_acts_on_nothing(world: World) -> None:
    dossier = world.dossier()
    client = login(Client(), world.auditor)
    page = text(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Bạn chỉ có quyền xem hồ sơ này" in page
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/tra-lai/", {"version": dossier.version, "reason": "x"}
    )
    assert response.status_code == 403
    assert Dossier.objects.get().status == Status.PROCESSING


def test_audit_search_is_for_auditors(world: World) -> None:
    dossier = world.dossier()
    login(Client(), world.leader).get(f"/can-bo/ho-so/{dossier.code}/")
    assert login(Client(), world.clerk).get("/can-bo/nhat-ky/").status_code == 403
    page = text(login(Client(), world.auditor).get(f"/can-bo/nhat-ky/?q={dossier.code}"))
    assert "Xem hồ sơ" in page and "Leader" in page


def test_actions_need_the_csrf_token(world: World) -> None:
    dossier = world.dossier()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.leader)
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/tra-lai/", {"version": dossier.version, "reason": "x"}
    )
    assert response.status_code == 403
    page = text(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert 'name="csrfmiddlewaretoken"' in page


# --- the counter ------------------------------------------------------------------------------


def test_procedure_search_ignores_diacritics(world: World) -> None:
    client = login(Client(), world.clerk)
    response = client.get("/can-bo/quay/tim-thu-tuc/?q=giay+phep+xay+dung", HTTP_HX_REQUEST="true")
    assert "Cấp giấy phép xây dựng mới" in text(response)
    assert "lý lịch" not in text(response)
    by_code = client.get("/can-bo/quay/tim-thu-tuc/?q=2.000488")
    assert "Cấp phiếu lý lịch tư pháp" in text(by_code)
    none = client.get("/can-bo/quay/tim-thu-tuc/?q=khong+co+thu+tuc+nay")
    assert "Không tìm thấy" in text(none)


def test_procedure_search_skips_versions_no_longer_in_force(world: World) -> None:
    world.version.valid_to = timezone.localdate() - dt.timedelta(days=1)
    world.version.save()
    response = login(Client(), world.clerk).get("/can-bo/quay/tim-thu-tuc/?q=xay+dung")
    assert "Cấp giấy phép xây dựng mới" not in text(response)


def test_counter_receives_through_the_service(world: World) -> None:
    client = Client()
    dossier = received(world, client)
    assert dossier.status == Status.PROCESSING
    assert dossier.receiving_unit == world.center
    assert dossier.due_at is not None and dossier.received_at is not None
    assert dossier.parts.count() == 2
    assert dossier.events.filter(type="received").exists()
    page = text(client.get(f"/can-bo/ho-so/{dossier.code}/?moi=1"))
    assert "mẫu 01" in page
    # How the due date was computed: one row per day, counted or skipped.
    assert "Cách tính hạn giải quyết" in page and "Ngày thứ" in page


def test_an_incomplete_dossier_is_not_received(world: World) -> None:
    client = login(Client(), world.clerk)
    first = world.version.parts.first()
    assert first is not None
    response = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/",
        {
            "outcome": "receive",
            "parts": [str(first.pk)],
            "applicant_kind": "citizen",
            "applicant_name": "Nguyễn Văn An",
            "channel": "direct",
            "delivery": "counter",
        },
    )
    assert response.status_code == 200
    assert "Hồ sơ chưa đủ thành phần: Bản vẽ thiết kế" in text(response)
    assert not Dossier.objects.exists()


def test_applicant_errors_from_the_service_are_shown_on_the_field(world: World) -> None:
    client = login(Client(), world.clerk)
    response = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/",
        {
            "outcome": "receive",
            **paper_parts(world),
            "applicant_kind": "citizen",
            "applicant_name": "Nguyễn Văn An",
            "applicant_id_number": "12345",
            "channel": "direct",
            "delivery": "counter",
        },
    )
    assert response.status_code == 200
    assert "12 chữ số" in text(response)
    assert not Dossier.objects.exists()


def test_refusal_at_the_counter_records_a_rejected_dossier(world: World) -> None:
    client = login(Client(), world.clerk)
    response = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/",
        {
            "outcome": "reject",
            "applicant_kind": "citizen",
            "applicant_name": "Nguyễn Văn An",
            "reject_reason": "Thủ tục không thuộc thẩm quyền",
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == Status.REJECTED and dossier.received_at is None


def test_guidance_is_logged_in_one_click(world: World) -> None:
    client = login(Client(), world.clerk)
    response = client.post(
        "/can-bo/quay/huong-dan/",
        {"kind": "incoming_call", "procedure_code": "1.009972"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Đã ghi nhận" in text(response)
    guidance = Guidance.objects.get()
    assert (guidance.kind, guidance.unit, guidance.procedure_code) == (
        "incoming_call",
        world.center,
        "1.009972",
    )


# --- processing -------------------------------------------------------------------------------


def post_action(client: Client, dossier: Dossier, path: str, data: dict[str, object]) -> str:
    response = client.post(f"/can-bo/ho-so/{dossier.code}/{path}/", data, follow=True)
    assert response.status_code == 200
    return text(response)


def test_handover_then_finish_then_deliver(world: World) -> None:
    client = Client()
    dossier = received(world, client)
    page = post_action(
        client,
        dossier,
        "chuyen-xu-ly",
        {"version": dossier.version, "to_unit": world.construction_unit.name, "note": ""},
    )
    assert "Đã chuyển hồ sơ" in page
    assert Handover.objects.filter(dossier=dossier, to_unit=world.construction_unit).exists()

    dossier.refresh_from_db()
    login(client, world.specialist)
    page = post_action(client, dossier, "co-ket-qua", {"version": dossier.version, "note": "Đã ký"})
    assert "Đã cập nhật kết quả" in page, page
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY and dossier.end_kind == "result"

    login(client, world.clerk)
    page = post_action(
        client, dossier, "tra-ket-qua", {"version": dossier.version, "channel": "postal"}
    )
    # The service refuses a postal return without its reference: shown, nothing changed.
    assert "bưu gửi" in page
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    post_action(
        client,
        dossier,
        "tra-ket-qua",
        {"version": dossier.version, "channel": "postal", "reference": "EG123456789VN"},
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.DELIVERED and dossier.delivery_channel == "postal"


def test_a_stale_version_gets_the_conflict_message(world: World) -> None:
    client = Client()
    dossier = received(world, client)
    stale = dossier.version
    post_action(client, dossier, "chuyen-xu-ly", {"version": stale, "to_unit": "Phòng A"})
    login(client, world.leader)
    page = post_action(
        client, dossier, "tra-lai", {"version": stale, "reason": "Không đủ điều kiện"}
    )
    assert "vừa được người khác cập nhật" in page
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_supplement_request_and_receipt(world: World) -> None:
    client = Client()
    dossier = at_agency(world, client)
    login(client, world.leader)
    page = post_action(
        client,
        dossier,
        "yeu-cau-bo-sung",
        {"version": dossier.version, "items": "- Bản vẽ mặt bằng\n- Sổ đỏ", "reason": "Thiếu"},
    )
    assert "Đã gửi yêu cầu bổ sung" in page
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    event = dossier.events.get(type="supplement_requested")
    assert event.data["items"] == ["Bản vẽ mặt bằng", "Sổ đỏ"]
    post_action(client, dossier, "nhan-bo-sung", {"version": dossier.version, "note": "Đủ"})
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING


def test_extension_errors_come_from_the_service(world: World) -> None:
    client = Client()
    dossier = at_agency(world, client)
    login(client, world.leader)
    assert dossier.due_at is not None
    too_early = timezone.localtime(dossier.due_at).date() - dt.timedelta(days=1)
    page = post_action(
        client,
        dossier,
        "gia-han",
        {"version": dossier.version, "new_due_date": too_early.isoformat(), "reason": "Chờ"},
    )
    assert "hẹn trả mới phải sau" in page.lower()
    later = timezone.localtime(dossier.due_at).date() + dt.timedelta(days=7)
    page = post_action(
        client,
        dossier,
        "gia-han",
        {"version": dossier.version, "new_due_date": later.isoformat(), "reason": "Chờ ý kiến"},
    )
    assert "Đã lập thư xin lỗi" in page
    dossier.refresh_from_db()
    assert dossier.has_apology and dossier.extended_due_at is not None


def test_refuse_needs_a_reason(world: World) -> None:
    client = Client()
    dossier = at_agency(world, client)
    login(client, world.leader)
    page = post_action(client, dossier, "tra-lai", {"version": dossier.version, "reason": ""})
    assert "Lý do trả lại hồ sơ" in page
    post_action(client, dossier, "tra-lai", {"version": dossier.version, "reason": "Sai đối tượng"})
    dossier.refresh_from_db()
    assert dossier.status == Status.REFUSED


# --- leadership -------------------------------------------------------------------------------


def test_dashboard_counts_are_links_to_the_same_dossiers(world: World) -> None:
    now = timezone.now()
    overdue = world.dossier(due_at=now - dt.timedelta(days=2))
    world.dossier(due_at=now + dt.timedelta(days=5))
    world.dossier(version=world.justice_version, receiving_unit=None)
    client = login(Client(), world.leader)
    page = text(client.get("/can-bo/lanh-dao/"))
    match = re.search(r'href="([^"]*ky=in_progress_overdue[^"]*)"><span class="num">(\d+)<', page)
    assert match is not None and match.group(2) == "1"
    listing = text(client.get(match.group(1).replace("&amp;", "&")))
    assert overdue.code in listing
    received_count = re.search(r'ky=received[^"]*"><span class="num">(\d+)<', page)
    assert received_count is not None and received_count.group(1) == "2"


def test_dashboard_is_for_leaders(world: World) -> None:
    assert login(Client(), world.specialist).get("/can-bo/lanh-dao/").status_code == 403
    assert login(Client(), world.provincial).get("/can-bo/lanh-dao/").status_code == 200


def test_official_forms_print_for_the_dossier(world: World) -> None:
    client = Client()
    dossier = received(world, client)
    response = client.get(f"/can-bo/ho-so/{dossier.code}/mau-01/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    docx = client.get(f"/can-bo/ho-so/{dossier.code}/mau-06/?fmt=docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    # No supplement was requested: there is no form 02 to print.
    assert client.get(f"/can-bo/ho-so/{dossier.code}/mau-02/").status_code == 404
    assert AuditEvent.objects.filter(action="dossier.print", object_id=dossier.code).count() == 2


def test_register_lists_what_the_counter_received(world: World) -> None:
    client = Client()
    dossier = received(world, client)
    page = text(client.get("/can-bo/quay/so-theo-doi/"))
    assert dossier.code in page
    pdf = client.get("/can-bo/quay/so-theo-doi/?fmt=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_finish_keeps_the_result_file(world: World, settings: Settings, tmp_path: Path) -> None:
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
    client = Client()
    dossier = at_agency(world, client)
    login(client, world.specialist)
    bad = SimpleUploadedFile("ket-qua.exe", b"MZ", content_type="application/octet-stream")
    page = post_action(
        client, dossier, "co-ket-qua", {"version": dossier.version, "result_file": bad}
    )
    assert "Tệp kết quả" in page
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    pdf = SimpleUploadedFile("giay-phep.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    page = post_action(
        client, dossier, "co-ket-qua", {"version": dossier.version, "result_file": pdf}
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    assert result_document(dossier) is not None and len(dossier.result_sha256) == 64
    download = client.get(f"/can-bo/ho-so/{dossier.code}/tep-ket-qua/", follow=True)
    assert isinstance(download, FileResponse)
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    outsider = login(Client(), world.outsider)
    assert outsider.get(f"/can-bo/ho-so/{dossier.code}/tep-ket-qua/").status_code == 404


def submitted(world: World) -> Dossier:
    from motcua.dossiers import services
    from motcua.dossiers.applicants import Applicant

    return services.dossier_submit(
        procedure_version=world.version,
        applicant=Applicant(kind="citizen", name="Trần Thị Bình", phone="0987654321"),
        actor="portal",
    )


def test_online_dossier_completion_then_accept(world: World) -> None:
    dossier = submitted(world)
    client = login(Client(), world.clerk)
    assert dossier.code in text(client.get("/can-bo/?f=submitted"))
    page = post_action(
        client,
        dossier,
        "yeu-cau-hoan-thien",
        {"version": dossier.version, "items": "Bản vẽ", "reason": "Ảnh mờ"},
    )
    assert "hoàn thiện hồ sơ trực tuyến" in page
    dossier.refresh_from_db()
    assert dossier.status == Status.NEEDS_COMPLETION


def test_clerk_accepts_an_online_dossier(world: World) -> None:
    dossier = submitted(world)
    client = login(Client(), world.clerk)
    post_action(client, dossier, "tiep-nhan", {"version": dossier.version})
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.receiving_unit == world.center and dossier.received_at is not None


def test_withdrawal_at_the_applicants_request(world: World) -> None:
    client = Client()
    dossier = received(world, client)
    post_action(client, dossier, "rut-ho-so", {"version": dossier.version, "reason": ""})
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN and dossier.end_kind == "withdrawn"


def test_the_counter_receives_but_does_not_decide(world: World) -> None:
    client = Client()
    dossier = received(world, client)
    page = text(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Chuyển bước tiếp theo" in page and "Hoàn thành, có kết quả" not in page
    # At its own step the counter may ask for a supplement (services.holder); it never
    # decides.
    assert "Gửi yêu cầu bổ sung" in page
    for path, data in [
        ("co-ket-qua", {}),
        ("tra-lai", {"reason": "x"}),
        ("gia-han", {"new_due_date": "2030-01-07", "reason": "x"}),
    ]:
        response = client.post(
            f"/can-bo/ho-so/{dossier.code}/{path}/", {"version": dossier.version, **data}
        )
        assert response.status_code == 403, path
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    post_action(
        client,
        dossier,
        "chuyen-xu-ly",
        {"version": dossier.version, "to_unit": world.construction_unit.name},
    )
    page = text(login(client, world.specialist).get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Hoàn thành, có kết quả" in page


def test_my_desk_holds_what_was_handed_to_my_unit(world: World) -> None:
    client = Client()
    dossier = received(world, client)
    other = world.dossier()
    post_action(
        client,
        dossier,
        "chuyen-xu-ly",
        {"version": dossier.version, "to_unit": world.construction_unit.name},
    )
    specialist = login(Client(), world.specialist)
    mine = text(specialist.get("/can-bo/?cua=toi"))
    assert dossier.code in mine and other.code not in mine
    assert other.code in text(specialist.get("/can-bo/"))
