"""The admin shows no dossier (nor is it a second write path); applicants are told."""

from __future__ import annotations

import time_machine
from django.test import Client

from motcua.dossiers.models import Dossier, Status
from motcua.dossiers.notices import dossier_messages
from motcua.dossiers.services import (
    dossier_extend,
    dossier_finish,
    dossier_handover,
    dossier_receive,
    dossier_refuse,
    dossier_reject,
    dossier_request_supplement,
    dossier_stop,
    dossier_submit,
)
from tests.dossiers.conftest import citizen_applicant, to_signing
from tests.world import MONDAY, World, local


def test_admin_shows_no_dossier(client: Client, world: World, received: Dossier) -> None:
    """Administrators (superusers included) see no dossier: domain.md §12."""
    client.force_login(world.admin)
    assert world.admin.is_superuser
    index = client.get("/quan-tri/")
    assert index.status_code == 200
    assert "/quan-tri/dossiers/dossier/" not in index.content.decode()
    assert client.get("/quan-tri/dossiers/dossier/").status_code == 404
    assert client.get(f"/quan-tri/dossiers/dossier/{received.pk}/change/").status_code == 404
    posted = client.post(
        f"/quan-tri/dossiers/dossier/{received.pk}/change/", {"status": Status.RESULT_READY}
    )
    assert posted.status_code == 404
    received.refresh_from_db()
    assert received.status == Status.PROCESSING


def test_applicant_is_notified_by_email_and_sms(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(email="binh@example.vn"),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    dossier_handover(dossier=dossier, actor=world.clerk)
    dossier_request_supplement(dossier=dossier, actor=world.specialist, items=["A"], reason="B")
    messages = dossier_messages(dossier)
    assert sorted(messages.values_list("kind", "channel")) == [
        ("received", "email"),
        ("received", "sms"),
        ("supplement_requested", "email"),
        ("supplement_requested", "sms"),
    ]


def test_extension_and_result_are_notified_and_bad_phone_is_skipped(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(phone="02613123456", email="binh@example.vn"),  # landline
        actor=world.clerk,
        receiving_unit=world.center,
    )
    dossier_handover(dossier=dossier, actor=world.clerk)
    dossier_extend(
        dossier=dossier,
        actor=world.leader,
        reason="x",
        new_due_at=local(MONDAY.replace(day=12), 17),
    )
    dossier_finish(dossier=to_signing(world, dossier), actor=world.leader)
    assert dossier.status == Status.RESULT_READY
    assert list(dossier_messages(dossier).order_by("id").values_list("kind", "channel")) == [
        ("received", "email"),
        ("extension", "email"),
        ("result_ready", "email"),
    ]


def test_refusals_and_stops_are_told_with_their_reason(
    world: World, traveller: time_machine.Traveller
) -> None:
    def new() -> Dossier:
        dossier = dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(email="binh@example.vn"),
            actor=world.clerk,
            receiving_unit=world.center,
        )
        dossier_handover(dossier=dossier, actor=world.clerk)
        return dossier

    refused, stopped = new(), new()
    dossier_refuse(dossier=refused, actor=world.leader, reason="Không đủ điều kiện cấp phiếu")
    dossier_stop(dossier=stopped, actor=world.leader, reason="Công dân đề nghị dừng")
    online = dossier_submit(
        procedure_version=world.procedure,
        applicant=citizen_applicant(email="binh@example.vn"),
        actor=world.citizen,
    )
    dossier_reject(dossier=online, actor=world.clerk, reason="Sai thủ tục")
    for dossier, kind, subject, reason in [
        (refused, "refused", "Trả lại hồ sơ", "Không đủ điều kiện cấp phiếu"),
        (stopped, "stopped", "Thông báo dừng giải quyết hồ sơ", "Công dân đề nghị dừng"),
        (online, "rejected", "Từ chối tiếp nhận hồ sơ", "Sai thủ tục"),
    ]:
        email = dossier_messages(dossier).get(kind=kind, channel="email")
        assert email.subject.startswith(subject)
        assert f"Lý do: {reason}" in email.body
        assert dossier.code in email.body
        assert dossier_messages(dossier).filter(kind=kind, channel="sms").exists()
