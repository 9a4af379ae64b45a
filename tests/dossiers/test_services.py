"""The dossier state machine through its services: every change, and every refused one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TypedDict

import pytest
import time_machine
from pytest_django import Settings

from motcua.archive.queries import result_document
from motcua.core.models import AuditEvent
from motcua.dossiers.errors import ActorNotAllowed
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierEvent,
    EndKind,
    EventType,
    Flag,
    Guidance,
    Handover,
    Status,
)
from motcua.dossiers.notices import dossier_messages, notice_context
from motcua.dossiers.services import (
    ApplicantInvalid,
    ConflictError,
    PartInput,
    TransitionError,
    dossier_accept,
    dossier_complete,
    dossier_deliver,
    dossier_extend,
    dossier_finish,
    dossier_handover,
    dossier_receive,
    dossier_receive_supplement,
    dossier_refuse,
    dossier_reject,
    dossier_reject_at_counter,
    dossier_request_completion,
    dossier_request_supplement,
    dossier_stop,
    dossier_submit,
    dossier_withdraw,
    dossiers_flag_overdue,
    dossiers_stop_expired_supplements,
    guidance_log,
)
from motcua.notify.services import message_render
from tests.dossiers.conftest import citizen_applicant, to_signing
from tests.world import MONDAY, World, local, procedure_create, staff_create

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
THURSDAY = MONDAY + dt.timedelta(days=3)
FRIDAY = MONDAY + dt.timedelta(days=4)
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def submitted(world: World) -> Dossier:
    return dossier_submit(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.citizen,
        owner=world.citizen,
    )


def events(dossier: Dossier) -> list[str]:
    return list(dossier.events.order_by("at", "id").values_list("type", flat=True))


# --- intake at the counter --------------------------------------------------------------------


def test_receive_at_counter_starts_the_clock_with_code_and_secret(
    world: World, received: Dossier
) -> None:
    assert received.status == Status.PROCESSING
    assert received.code == "000.00.19.H18-261005-0001"
    assert len(received.secret) == 8 and received.secret.isalnum()
    assert not set(received.secret) & set("0O1IL")
    assert received.received_at == local(MONDAY, 9)
    assert received.due_at == local(THURSDAY, 17)
    assert received.printed_due_at == received.due_at
    assert received.due_explanation
    assert received.agency == world.justice
    assert received.field == world.field
    assert received.channel == Channel.DIRECT
    assert events(received) == [EventType.RECEIVED]
    assert AuditEvent.objects.filter(object_id=received.code, action="received").exists()


def test_codes_count_per_agency_and_day(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    second = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(name="Trần Thị Cúc"),
        actor=world.clerk,
        receiving_unit=world.center,
        channel=Channel.POSTAL,
    )
    traveller.move_to(local(TUESDAY, 8))
    next_day = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    assert second.code == "000.00.19.H18-261005-0002"
    assert next_day.code == "000.00.19.H18-261006-0001"


def test_code_date_is_the_local_date(world: World) -> None:
    # 23:30 UTC on Monday is 06:30 on Tuesday in Việt Nam.
    with time_machine.travel(dt.datetime(2026, 10, 5, 23, 30, tzinfo=dt.UTC), tick=False):
        dossier = dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
        )
    assert dossier.code.endswith("-261006-0001")


def test_receipt_after_cutoff_counts_from_next_working_day(world: World) -> None:
    with time_machine.travel(local(MONDAY, 15, 30), tick=False):
        dossier = dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
        )
    assert dossier.due_at == local(FRIDAY, 17)


def test_receive_records_parts(world: World, traveller: time_machine.Traveller) -> None:
    part_of_procedure = world.procedure.parts.create(position=1, name="Tờ khai", copies=1)
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        parts=[
            PartInput(part=part_of_procedure, not_digitised_reason="Máy quét hỏng"),
            PartInput(name="Bản sao CCCD", copies=2, not_digitised_reason="Máy quét hỏng"),
        ],
    )
    assert list(dossier.parts.values_list("name", "copies")) == [
        ("Tờ khai", 1),
        ("Bản sao CCCD", 2),
    ]


def test_receive_refuses_online_channel_and_unnamed_part(
    world: World, traveller: time_machine.Traveller
) -> None:
    with pytest.raises(TransitionError):
        dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
            channel=Channel.ONLINE,
        )
    with pytest.raises(TransitionError, match="tên"):
        dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
            parts=[PartInput(name=" ")],
        )
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "06609000123", "12 chữ số"),
        ("id_number", "06609000123A", "12 chữ số"),
        ("phone", "12345", "điện thoại"),
        ("email", "khong-phai-thu", "thư điện tử"),
        ("name", "  ", "họ tên"),
    ],
)
def test_applicant_is_validated_with_vietnamese_messages(
    world: World, traveller: time_machine.Traveller, field: str, value: str, message: str
) -> None:
    with pytest.raises(ApplicantInvalid) as info:
        dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(**{field: value}),
            actor=world.clerk,
            receiving_unit=world.center,
        )
    assert message in info.value.errors[field]
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("0101234567", "0101234567"),
        ("0101234567-001", "0101234567001"),
        ("0101234567001", "0101234567001"),
    ],
)
def test_tax_codes_of_10_or_13_digits(
    world: World, traveller: time_machine.Traveller, given: str, stored: str
) -> None:
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(
            kind="organization", name="Công ty TNHH An Phát", id_number=given
        ),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    assert dossier.applicant_id_number == stored


def test_tax_code_of_other_length_is_refused(
    world: World, traveller: time_machine.Traveller
) -> None:
    with pytest.raises(ApplicantInvalid, match="Mã số thuế"):
        dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(kind="organization", id_number="01012345678"),
            actor=world.clerk,
            receiving_unit=world.center,
        )


def test_receipt_under_a_version_or_agency_not_in_force_is_refused(
    world: World, traveller: time_machine.Traveller
) -> None:
    world.procedure.valid_to = MONDAY - dt.timedelta(days=1)
    world.procedure.save(update_fields=["valid_to"])
    with pytest.raises(TransitionError, match="không có hiệu lực"):
        dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
        )
    world.justice.valid_to = MONDAY - dt.timedelta(days=1)
    world.justice.successor = world.transport
    world.justice.save(update_fields=["valid_to", "successor"])
    with pytest.raises(TransitionError, match="Cơ quan kế thừa: Sở Giao thông vận tải"):
        dossier_submit(
            procedure_version=world.hours_procedure,
            applicant=citizen_applicant(),
            actor=world.citizen,
        )
    assert not Dossier.objects.exists()


def test_reject_at_counter_is_recorded_but_never_received(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = dossier_reject_at_counter(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
        reason="Thiếu tờ khai",
    )
    assert dossier.status == Status.REJECTED
    assert dossier.received_at is None and dossier.ended_at is None
    assert dossier.end_reason == "Thiếu tờ khai"
    with pytest.raises(TransitionError, match="lý do"):
        dossier_reject_at_counter(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
            reason="",
        )


def test_guidance_is_logged_without_a_dossier(
    world: World, traveller: time_machine.Traveller
) -> None:
    guidance = guidance_log(
        unit=world.center, kind="incoming_call", actor=world.clerk, procedure_code="1.001234"
    )
    assert Guidance.objects.get() == guidance
    assert guidance.at == local(MONDAY, 9)
    with pytest.raises(TransitionError):
        guidance_log(unit=world.center, kind="email", actor=world.clerk)


# --- online intake --------------------------------------------------------------------------


def test_submit_gives_code_and_eight_working_hours_to_accept(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = submitted(world)
    assert dossier.status == Status.SUBMITTED
    assert dossier.channel == Channel.ONLINE
    assert dossier.code == "000.00.19.H18-261005-0001"
    assert dossier.submitted_at == local(MONDAY, 9)
    assert dossier.accept_by == local(TUESDAY, 9)
    assert dossier.received_at is None and dossier.due_at is None
    assert dossier.owner == world.citizen


def test_accept_in_time_starts_the_clock(world: World, traveller: time_machine.Traveller) -> None:
    dossier = submitted(world)
    traveller.move_to(local(MONDAY, 14))
    dossier_accept(dossier=dossier, actor=world.clerk, receiving_unit=world.center)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.received_at == local(MONDAY, 14)
    assert dossier.due_at == local(THURSDAY, 17)
    assert Flag.ACCEPTANCE_LATE not in dossier.flags
    assert events(dossier) == [EventType.SUBMITTED, EventType.RECEIVED]


def test_late_acceptance_is_flagged(world: World, traveller: time_machine.Traveller) -> None:
    dossier = submitted(world)
    traveller.move_to(local(TUESDAY, 10))
    dossier_accept(dossier=dossier, actor=world.clerk)
    assert Flag.ACCEPTANCE_LATE in dossier.flags
    assert dossier.due_at == local(FRIDAY, 17)


def test_accept_twice_is_refused(world: World, traveller: time_machine.Traveller) -> None:
    dossier = submitted(world)
    dossier_accept(dossier=dossier, actor=world.clerk)
    with pytest.raises(TransitionError, match="Đang giải quyết"):
        dossier_accept(dossier=dossier, actor=world.clerk)


def test_completion_before_acceptance_and_new_acceptance_deadline(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = submitted(world)
    dossier_request_completion(
        dossier=dossier, actor=world.clerk, items=["Ảnh chân dung"], reason="Ảnh mờ"
    )
    assert dossier.status == Status.NEEDS_COMPLETION
    with pytest.raises(TransitionError):
        dossier_accept(dossier=dossier, actor=world.clerk)
    traveller.move_to(local(WEDNESDAY, 10))
    dossier_complete(dossier=dossier, actor=world.citizen, parts=[PartInput(name="Ảnh mới")])
    assert dossier.status == Status.SUBMITTED
    assert dossier.accept_by == local(THURSDAY, 10)
    dossier_accept(dossier=dossier, actor=world.clerk)
    assert Flag.ACCEPTANCE_LATE not in dossier.flags


def test_acceptance_after_completion_is_told_as_the_supplement_received(
    world: World, traveller: time_machine.Traveller
) -> None:
    plain = submitted(world)
    dossier_accept(dossier=plain, actor=world.clerk)
    (sms,) = dossier_messages(plain).filter(kind=EventType.RECEIVED, channel="sms")
    assert sms.body.startswith(f"Ho so {plain.code} da duoc tiep nhan.")

    completed = submitted(world)
    dossier_request_completion(dossier=completed, actor=world.clerk, items=["Ảnh"], reason="Mờ")
    dossier_complete(dossier=completed, actor=world.citizen, parts=[PartInput(name="Ảnh mới")])
    dossier_accept(dossier=completed, actor=world.clerk)
    (sms,) = dossier_messages(completed).filter(kind=EventType.RECEIVED, channel="sms")
    # What the citizen waits to hear first: what they sent arrived; then the appointment.
    assert sms.body.startswith(
        f"Da nhan ho so bo sung, hoan thien cua ho so {completed.code}; ho so da duoc tiep nhan."
    )
    assert "Hen tra ket qua" in sms.body and sms.body.isascii()
    rendered = message_render(
        "dossiers/notices/received", "email", notice_context(completed) | {"after_completion": True}
    )
    assert (
        rendered[0]
        == f"Hồ sơ {completed.code}: đã nhận hồ sơ bổ sung, hoàn thiện và tiếp nhận hồ sơ"
    )
    assert "đã nhận hồ sơ bổ sung, hoàn thiện của Ông/Bà" in rendered[1]


def test_completion_request_needs_items_and_reason(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = submitted(world)
    with pytest.raises(TransitionError):
        dossier_request_completion(dossier=dossier, actor=world.clerk, items=[], reason="x")
    with pytest.raises(TransitionError):
        dossier_request_completion(dossier=dossier, actor=world.clerk, items=["a"], reason=" ")
    with pytest.raises(TransitionError):
        dossier_complete(dossier=dossier, actor=world.citizen)
    assert Dossier.objects.get().status == Status.SUBMITTED


def test_reject_online_dossier(world: World, traveller: time_machine.Traveller) -> None:
    dossier = submitted(world)
    dossier_reject(dossier=dossier, actor=world.clerk, reason="Không thuộc thẩm quyền")
    assert dossier.status == Status.REJECTED
    assert dossier.ended_at is None
    with pytest.raises(TransitionError):
        dossier_accept(dossier=dossier, actor=world.clerk)


def test_reject_after_receipt_is_refused(world: World, received: Dossier) -> None:
    with pytest.raises(TransitionError):
        dossier_reject(dossier=received, actor=world.clerk, reason="x")


# --- control slip -----------------------------------------------------------------------------


def test_handover_walks_the_workflow_and_judges_each_step(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    # The counter performs the first step ("Tiếp nhận, chuyển hồ sơ") from the receipt on.
    assert received.current_step == world.steps[0]
    first = dossier_handover(dossier=received, actor=world.clerk, receiver_name="Trần Văn Minh")
    assert (first.position, first.from_unit_name, first.to_unit_name, first.step) == (
        1,
        world.center.name,
        "Phòng Hành chính tư pháp",
        world.steps[1],
    )
    assert first.receiver == "Trần Văn Minh" and first.giver == "Nguyễn Thị Lan"
    # The counter's own step is judged by this first hand-over, in the row's note.
    assert first.note == "Tiếp nhận, chuyển hồ sơ: 0/8 giờ, trước hạn"
    traveller.move_to(local(MONDAY, 11))  # 2 working hours of 8: early
    second = dossier_handover(dossier=received, actor=world.specialist)
    assert (second.from_unit_name, second.to_unit_name, second.step) == (
        "Phòng Hành chính tư pháp",
        "Lãnh đạo Sở Tư pháp",
        world.steps[2],
    )
    first.refresh_from_db()
    assert (first.result, first.used_hours) == ("early", 2)
    traveller.move_to(local(WEDNESDAY, 9))  # 14 working hours of 8: late
    dossier_finish(dossier=to_signing(world, received), actor=world.leader)
    second.refresh_from_db()
    assert (second.result, second.used_hours) == ("late", 14)
    assert received.current_step == world.steps[2]
    with pytest.raises(TransitionError, match="đơn vị nhận"):
        dossier_handover(dossier=received, actor=world.leader)  # no step left to walk to
    back = dossier_handover(dossier=received, actor=world.leader, to_unit=world.center.name)
    assert (back.from_unit_name, back.step, back.budget_hours) == (
        "Lãnh đạo Sở Tư pháp",
        None,
        None,
    )


def test_handover_follows_catalogue_steps_named_by_agency_code(
    world: World, traveller: time_machine.Traveller
) -> None:
    version = procedure_create(
        code="2.000488",
        name="Cấp Phiếu lý lịch tư pháp",
        agency=world.justice,
        field=world.field,
        duration=Decimal(3),
        unit="working_days",
        steps=[
            ("Tiếp nhận, kiểm tra và chuyển hồ sơ", world.center.code, Decimal(4)),
            ("Thẩm định hồ sơ, dự thảo kết quả", world.justice.code, Decimal(12)),
            ("Lãnh đạo Sở ký", world.justice.code, Decimal(4)),
            ("Trả kết quả", world.center.code, Decimal(4)),
        ],
    )
    dossier = dossier_receive(
        procedure_version=version,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    dossier_handover(dossier=dossier, actor=world.clerk)  # 12 h from Mon 09:00: Tue 15:00
    traveller.move_to(local(MONDAY, 16))
    dossier_handover(dossier=dossier, actor=world.specialist)  # 4 h: Tuesday 10:00
    traveller.move_to(local(TUESDAY, 10))
    dossier_finish(dossier=to_signing(world, dossier), actor=world.leader)
    dossier_handover(dossier=dossier, actor=world.leader)  # the result back: Tuesday 16:00
    traveller.move_to(local(WEDNESDAY, 8))
    dossier_deliver(dossier=dossier, actor=world.clerk, channel="counter")
    slip = list(
        dossier.handovers.order_by("position").values_list(
            "from_unit__name", "to_unit__name", "step_name", "result"
        )
    )
    assert slip == [
        (world.center.name, "Sở Tư pháp", "Thẩm định hồ sơ, dự thảo kết quả", "early"),
        ("Sở Tư pháp", "Sở Tư pháp", "Lãnh đạo Sở ký", "on_time"),
        ("Sở Tư pháp", world.center.name, "Trả kết quả", "late"),
    ]


def test_first_handover_judges_the_counters_own_step(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    # The rule (form 06): when the receiving unit performs the workflow's first step, the
    # dossier is in it from receipt; the first row is one-stop unit -> competent agency (step
    # 2), and the counter's step is judged against its budget at that first hand-over.
    assert (received.current_step, received.current_step_since) == (
        world.steps[0],
        local(MONDAY, 9),
    )
    traveller.move_to(local(WEDNESDAY, 9))  # 16 working hours at the counter, of 8: late
    first = dossier_handover(dossier=received, actor=world.clerk, note="Bản gốc kèm theo")
    assert (first.from_unit_name, first.to_unit_name, first.step, first.budget_hours) == (
        world.center.name,
        "Phòng Hành chính tư pháp",
        world.steps[1],
        8,
    )
    assert first.note == "Tiếp nhận, chuyển hồ sơ: 16/8 giờ, quá hạn; Bản gốc kèm theo"
    event = DossierEvent.objects.filter(dossier=received, type=EventType.HANDOVER).get()
    assert (event.data["counter_step"], event.data["counter_step_result"]) == (
        "Tiếp nhận, chuyển hồ sơ",
        "late",
    )
    assert Decimal(event.data["counter_step_hours"]) == 16
    traveller.move_to(local(WEDNESDAY, 10))
    dossier_handover(dossier=received, actor=world.specialist)
    traveller.move_to(local(FRIDAY, 9))
    dossier_finish(dossier=to_signing(world, received), actor=world.leader)
    # The counter's overrun counts among the late steps, before the rows' own.
    assert received.late_steps == "Tiếp nhận, chuyển hồ sơ; Ký duyệt kết quả"


def test_counter_step_before_the_first_handover_restarts_after_a_supplement(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    traveller.move_to(local(MONDAY, 15))
    dossier_request_supplement(dossier=received, actor=world.clerk, items=["A"], reason="B")
    traveller.move_to(local(NEXT_MONDAY, 9))
    dossier_receive_supplement(dossier=received, actor=world.clerk)
    assert not received.handovers.exists()  # no row yet: still the counter's step
    assert (received.current_step, received.current_step_since) == (
        world.steps[0],
        local(NEXT_MONDAY, 9),
    )
    traveller.move_to(local(NEXT_MONDAY, 10))
    first = dossier_handover(dossier=received, actor=world.clerk)
    assert (first.position, first.step) == (1, world.steps[1])
    assert first.note == "Tiếp nhận, chuyển hồ sơ: 1/8 giờ, trước hạn"


def test_a_first_step_of_another_unit_is_the_first_row(
    world: World, traveller: time_machine.Traveller
) -> None:
    version = procedure_create(
        code="2.000999",
        name="Thủ tục do Sở tiếp nhận",
        agency=world.justice,
        field=world.field,
        duration=Decimal(3),
        unit="working_days",
        steps=[
            ("Thẩm định hồ sơ", world.justice.code, Decimal(8)),
            ("Lãnh đạo Sở ký", world.justice.code, Decimal(4)),
        ],
    )
    dossier = dossier_receive(
        procedure_version=version,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    assert dossier.current_step is None
    first = dossier_handover(dossier=dossier, actor=world.clerk)
    assert (first.from_unit_name, first.to_unit_name, first.step_name, first.note) == (
        world.center.name,
        "Sở Tư pháp",
        "Thẩm định hồ sơ",
        "",
    )


def test_handover_to_a_named_unit_and_refusals(world: World, received: Dossier) -> None:
    # Leaving the workflow before its end is a leader's decision, written on the row.
    with pytest.raises(ActorNotAllowed, match="bước tiếp theo"):
        dossier_handover(dossier=received, actor=world.clerk, to_unit="Văn thư Sở Tư pháp")
    manager = staff_create("giamdoc", "Phạm Thu Hà", world.center, "center_manager")
    row = dossier_handover(dossier=received, actor=manager, to_unit="Văn thư Sở Tư pháp")
    assert row.to_unit_name == "Văn thư Sở Tư pháp" and row.step is None
    assert "Lãnh đạo chuyển ngoài quy trình (bước tiếp theo: Thẩm định hồ sơ)" in row.note
    other_step = world.hours_procedure.steps.create(position=1, name="X", hours=1)
    with pytest.raises(TransitionError, match="quy trình"):
        dossier_handover(dossier=received, actor=world.leader, step=other_step)
    dossier_stop(dossier=received, actor=world.leader, reason="Công dân đề nghị")
    with pytest.raises(TransitionError):
        dossier_handover(dossier=received, actor=world.clerk, to_unit="A")


# --- supplement during processing ----------------------------------------------------------------


def test_supplement_pauses_and_restarts_the_clock_from_zero(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    traveller.move_to(local(TUESDAY, 10))
    dossier_request_supplement(
        dossier=appraised, actor=world.specialist, items=["Bản sao giấy khai sinh"], reason="Thiếu"
    )
    assert appraised.status == Status.SUPPLEMENT_REQUESTED
    assert appraised.supplement_count == 1
    assert Flag.SUPPLEMENT_LATE not in appraised.flags
    with pytest.raises(TransitionError):
        dossier_finish(dossier=to_signing(world, appraised), actor=world.leader)
    traveller.move_to(local(NEXT_MONDAY, 10))
    dossier_receive_supplement(dossier=appraised, actor=world.clerk)
    assert appraised.status == Status.PROCESSING
    # As a new receipt on Monday 12/10 10:00: 3 working days → Thursday 15/10 17:00.
    assert appraised.due_at == local(NEXT_MONDAY + dt.timedelta(days=3), 17)
    assert appraised.received_at == local(MONDAY, 9)  # the receipt date itself stays
    assert appraised.due_explanation["restarted_at"]
    traveller.move_to(local(NEXT_MONDAY + dt.timedelta(days=2), 10))
    dossier_finish(dossier=to_signing(world, appraised), actor=world.leader)
    assert appraised.dossier_class == "early"


def test_supplement_pauses_the_step_and_gives_its_budget_back(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    dossier_handover(dossier=received, actor=world.clerk)  # appraisal from Monday 09:00
    traveller.move_to(local(MONDAY, 11))
    dossier_request_supplement(dossier=received, actor=world.specialist, items=["A"], reason="B")
    appraisal = Handover.objects.get(dossier=received, position=1)
    assert appraisal.finished_at == local(MONDAY, 11) and appraisal.result == "early"
    assert "bổ sung" in appraisal.note
    traveller.move_to(local(NEXT_MONDAY, 9))  # a week waiting for the applicant
    dossier_receive_supplement(dossier=received, actor=world.clerk)
    again = Handover.objects.get(dossier=received, position=2)
    assert (again.to_unit_name, again.step, again.budget_hours) == (
        "Phòng Hành chính tư pháp",
        world.steps[1],
        8,
    )
    assert again.finished_at is None
    traveller.move_to(local(NEXT_MONDAY, 15))
    dossier_handover(dossier=received, actor=world.specialist)
    again.refresh_from_db()
    assert again.result == "early"  # the week of waiting is not the unit's


def test_supplement_after_three_working_days_is_flagged(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    traveller.move_to(local(FRIDAY, 8))
    dossier_request_supplement(dossier=appraised, actor=world.specialist, items=["A"], reason="B")
    assert Flag.SUPPLEMENT_LATE in appraised.flags
    event = appraised.events.get(type=EventType.SUPPLEMENT_REQUESTED)
    assert event.data["late"] is True


def test_second_supplement_request_makes_the_dossier_late(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    for day in (MONDAY, TUESDAY):
        traveller.move_to(local(day, 10))
        dossier_request_supplement(
            dossier=appraised, actor=world.specialist, items=["A"], reason="B"
        )
        traveller.move_to(local(day, 11))
        dossier_receive_supplement(dossier=appraised, actor=world.clerk)
    assert Flag.SUPPLEMENT_REPEATED in appraised.flags
    dossier_finish(
        dossier=to_signing(world, appraised), actor=world.leader
    )  # Tuesday 11:00, long before due
    assert appraised.dossier_class == "late"
    assert appraised.late_reason == "Yêu cầu bổ sung hồ sơ nhiều hơn một lần"


def test_supplement_refusals(world: World, received: Dossier) -> None:
    with pytest.raises(TransitionError):
        dossier_receive_supplement(dossier=received, actor=world.clerk)
    with pytest.raises(TransitionError):
        dossier_request_supplement(dossier=received, actor=world.specialist, items=[], reason="B")
    with pytest.raises(TransitionError):
        dossier_request_supplement(dossier=received, actor=world.specialist, items=["A"], reason="")


def test_no_supplement_within_fifteen_days_stops_the_dossier(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    dossier_request_supplement(dossier=appraised, actor=world.specialist, items=["A"], reason="B")
    # Requested Monday 5/10: the whole of Tuesday 20/10 is still allowed.
    assert dossiers_stop_expired_supplements(local(dt.date(2026, 10, 20), 23)) == []
    stopped = dossiers_stop_expired_supplements(local(dt.date(2026, 10, 21), 0, 5))
    assert [d.pk for d in stopped] == [appraised.pk]
    appraised.refresh_from_db()
    assert appraised.status == Status.STOPPED
    assert appraised.end_kind == EndKind.STOPPED
    assert "15 ngày" in appraised.end_reason
    assert dossiers_stop_expired_supplements(local(dt.date(2026, 10, 22))) == []


# --- extension --------------------------------------------------------------------------------


def test_extension_once_with_apology(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    traveller.move_to(local(WEDNESDAY, 16))
    dossier_extend(
        dossier=appraised,
        actor=world.leader,
        reason="Chờ xác minh",
        new_due_at=local(NEXT_MONDAY, 17),
    )
    assert appraised.extended_due_at == local(NEXT_MONDAY, 17)
    assert appraised.has_apology and appraised.extension_count == 1
    assert appraised.due_at == local(THURSDAY, 17)
    with pytest.raises(TransitionError, match="một lần"):
        dossier_extend(
            dossier=appraised,
            actor=world.leader,
            reason="Lần hai",
            new_due_at=local(NEXT_MONDAY + dt.timedelta(days=1), 17),
        )


def test_extension_on_the_due_day_is_issued_late_and_flagged(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    # ND 118 Điều 19.6 asks for the letter one working day before the due date (Thursday);
    # a later one is still owed to the applicant: issued, flagged, its event marked late.
    traveller.move_to(local(THURSDAY, 8))
    dossier_extend(
        dossier=appraised, actor=world.leader, reason="x", new_due_at=local(NEXT_MONDAY, 17)
    )
    appraised.refresh_from_db()
    assert appraised.extension_count == 1 and appraised.has_apology
    assert Flag.EXTENSION_LATE in appraised.flags
    event = appraised.events.get(type=EventType.EXTENSION)
    assert event.data["late"] is True


def test_extension_in_time_is_not_flagged(world: World, appraised: Dossier) -> None:
    dossier_extend(
        dossier=appraised, actor=world.leader, reason="x", new_due_at=local(NEXT_MONDAY, 17)
    )
    appraised.refresh_from_db()
    assert Flag.EXTENSION_LATE not in appraised.flags
    assert appraised.events.get(type=EventType.EXTENSION).data["late"] is False


def test_new_appointment_is_a_working_day_within_bounds(world: World, appraised: Dossier) -> None:
    saturday = NEXT_MONDAY - dt.timedelta(days=2)
    with pytest.raises(TransitionError, match="không phải ngày làm việc"):
        dossier_extend(
            dossier=appraised, actor=world.leader, reason="x", new_due_at=local(saturday, 17)
        )
    with pytest.raises(TransitionError, match="30 ngày làm việc"):
        dossier_extend(
            dossier=appraised,
            actor=world.leader,
            reason="x",
            new_due_at=local(MONDAY + dt.timedelta(days=7 * 8), 17),
        )
    appraised.refresh_from_db()
    assert appraised.extension_count == 0 and appraised.extended_due_at is None


def test_extension_needs_reason_and_later_appointment(world: World, appraised: Dossier) -> None:
    with pytest.raises(TransitionError):
        dossier_extend(
            dossier=appraised, actor=world.leader, reason="", new_due_at=local(NEXT_MONDAY, 17)
        )
    with pytest.raises(TransitionError, match="sau ngày hẹn"):
        dossier_extend(
            dossier=appraised, actor=world.leader, reason="x", new_due_at=local(WEDNESDAY, 17)
        )


def test_extension_does_not_rescue_a_late_dossier(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    traveller.move_to(local(TUESDAY, 9))
    dossier_extend(
        dossier=appraised, actor=world.leader, reason="Chờ", new_due_at=local(NEXT_MONDAY, 17)
    )
    traveller.move_to(local(FRIDAY, 9))  # before the new appointment, after the due date
    dossier_finish(
        dossier=to_signing(world, appraised), actor=world.leader, late_reason="Chờ xác minh"
    )
    assert appraised.dossier_class == "late"
    assert appraised.has_apology
    assert appraised.late_reason == "Chờ xác minh"


# --- ends -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (local(WEDNESDAY, 16), "early"),
        (local(THURSDAY, 16, 59), "on_time"),
        (local(THURSDAY, 17, 30), "on_time"),  # same date: on time (domain.md §6)
        (local(FRIDAY, 8), "late"),
    ],
)
def test_finish_classes_the_dossier(
    world: World,
    appraised: Dossier,
    traveller: time_machine.Traveller,
    when: dt.datetime,
    expected: str,
) -> None:
    traveller.move_to(when)
    dossier_finish(dossier=to_signing(world, appraised), actor=world.leader)
    appraised.refresh_from_db()
    assert appraised.status == Status.RESULT_READY
    assert appraised.ended_at == when
    assert appraised.end_kind == EndKind.RESULT
    assert appraised.dossier_class == expected


def test_late_dossier_keeps_the_steps_that_overran(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    dossier_handover(dossier=received, actor=world.clerk)  # appraisal from Monday 09:00
    traveller.move_to(local(FRIDAY, 10))
    dossier_handover(dossier=received, actor=world.specialist)  # appraisal took 4 days: late
    traveller.move_to(local(FRIDAY, 11))
    dossier_finish(dossier=to_signing(world, received), actor=world.leader)
    assert received.dossier_class == "late"
    assert received.late_steps == "Thẩm định hồ sơ"
    assert received.late_reason == "Quá hạn tại bước: Thẩm định hồ sơ"
    signing = Handover.objects.get(dossier=received, position=2)
    assert signing.finished_at == local(FRIDAY, 11) and signing.result == "early"


def test_working_hours_procedure_is_late_after_due_instant(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = dossier_receive(
        procedure_version=world.hours_procedure,
        applicant=citizen_applicant(),
        actor=world.clerk,
        receiving_unit=world.center,
    )
    assert dossier.due_at == local(MONDAY, 15)  # 2.5 h before noon, 1.5 h after 13:30
    # No workflow: the counter hands it to the competent agency, which decides.
    dossier_handover(dossier=dossier, actor=world.clerk, to_unit=world.justice.name)
    traveller.move_to(local(MONDAY, 15, 1))
    dossier_finish(dossier=to_signing(world, dossier), actor=world.leader)
    assert dossier.dossier_class == "late"


class EndArgs(TypedDict, total=False):
    """The keyword arguments a test adds to an ending service's ``dossier`` and ``actor``."""

    reason: str


def test_refuse_withdraw_stop_end_the_dossier_apart_from_classes(
    world: World, traveller: time_machine.Traveller
) -> None:
    cases = [
        (dossier_refuse, EndArgs(reason="Không đủ điều kiện"), Status.REFUSED, EndKind.REFUSED),
        (dossier_withdraw, EndArgs(), Status.WITHDRAWN, EndKind.WITHDRAWN),
        (dossier_stop, EndArgs(reason="Công dân đề nghị"), Status.STOPPED, EndKind.STOPPED),
    ]
    for service, kwargs, status, kind in cases:
        dossier = dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
        )
        dossier_handover(dossier=dossier, actor=world.clerk)
        service(dossier=dossier, actor=world.leader, **kwargs)
        dossier.refresh_from_db()
        assert (dossier.status, dossier.end_kind) == (status, kind)
        assert dossier.ended_at == local(MONDAY, 9)
        assert dossier.dossier_class == ""
        with pytest.raises(TransitionError):
            dossier_finish(dossier=to_signing(world, dossier), actor=world.leader)
        with pytest.raises(TransitionError):
            service(dossier=dossier, actor=world.leader, **kwargs)


def test_refuse_and_stop_need_a_reason(world: World, received: Dossier) -> None:
    with pytest.raises(TransitionError):
        dossier_refuse(dossier=received, actor=world.leader, reason=" ")
    with pytest.raises(TransitionError):
        dossier_stop(dossier=received, actor=world.leader, reason="")
    received.refresh_from_db()
    assert received.status == Status.PROCESSING


def test_withdraw_before_acceptance_is_not_an_end(
    world: World, traveller: time_machine.Traveller
) -> None:
    dossier = submitted(world)
    dossier_withdraw(dossier=dossier, actor=world.citizen)
    assert dossier.status == Status.WITHDRAWN
    assert dossier.ended_at is None and dossier.end_kind == ""


def test_withdraw_after_result_is_refused(world: World, appraised: Dossier) -> None:
    dossier_finish(dossier=to_signing(world, appraised), actor=world.leader)
    with pytest.raises(TransitionError):
        dossier_withdraw(dossier=appraised, actor=world.citizen)


def test_deliver_after_result_keeps_the_end(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    with pytest.raises(TransitionError):
        dossier_deliver(dossier=appraised, actor=world.clerk, channel="counter")
    dossier_finish(dossier=to_signing(world, appraised), actor=world.leader)
    dossier_handover(dossier=appraised, actor=world.leader, to_unit=world.center.name)
    traveller.move_to(local(TUESDAY, 9))
    with pytest.raises(TransitionError, match="bưu gửi"):
        dossier_deliver(dossier=appraised, actor=world.clerk, channel="postal")
    with pytest.raises(TransitionError):
        dossier_deliver(dossier=appraised, actor=world.clerk, channel="drone")
    dossier_deliver(dossier=appraised, actor=world.clerk, channel="postal", reference="EB123VN")
    appraised.refresh_from_db()
    assert appraised.status == Status.DELIVERED
    assert appraised.delivery_channel == "postal"
    assert appraised.delivered_at == local(TUESDAY, 9)
    assert appraised.ended_at == local(MONDAY, 9)
    last = appraised.handovers.order_by("-position").first()
    assert last is not None and last.finished_at == local(TUESDAY, 9)
    with pytest.raises(TransitionError):
        dossier_deliver(dossier=appraised, actor=world.clerk, channel="counter")


def test_refused_dossier_papers_are_handed_back_once_and_stay_refused(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    from motcua.dossiers.rules import Action, action_label, dossier_actions

    dossier_refuse(dossier=appraised, actor=world.leader, reason="Không đủ điều kiện")
    traveller.move_to(local(TUESDAY, 9))
    appraised.refresh_from_db()
    assert Action.DELIVER in dossier_actions(world.clerk, appraised)
    assert action_label(Action.DELIVER, appraised) == "Trả thông báo và hồ sơ cho người nộp"
    dossier_deliver(dossier=appraised, actor=world.clerk, channel="postal", reference="EB9VN")
    appraised.refresh_from_db()
    assert appraised.status == Status.REFUSED and appraised.end_kind == "refused"
    assert appraised.delivery_channel == "postal"
    assert appraised.delivered_at == local(TUESDAY, 9)
    assert Action.DELIVER not in dossier_actions(world.clerk, appraised)
    with pytest.raises(TransitionError, match="không có kết quả hoặc giấy tờ"):
        dossier_deliver(dossier=appraised, actor=world.clerk, channel="counter")


def test_withdrawn_before_acceptance_has_nothing_to_hand_back(world: World) -> None:
    dossier = submitted(world)
    dossier_withdraw(dossier=dossier, actor=world.citizen)
    with pytest.raises(TransitionError):
        dossier_deliver(dossier=dossier, actor=world.clerk, channel="counter")


# --- scans ----------------------------------------------------------------------------------------


def test_overdue_scan_flags_late_acceptance_and_due_dates_once(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    online = submitted(world)
    assert dossiers_flag_overdue(local(MONDAY, 12)) == 0
    assert dossiers_flag_overdue(local(TUESDAY, 10)) == 1
    assert dossiers_flag_overdue(local(FRIDAY, 8)) == 1
    assert dossiers_flag_overdue(local(FRIDAY, 9)) == 0
    online.refresh_from_db()
    received.refresh_from_db()
    assert online.flags == [Flag.ACCEPTANCE_OVERDUE]
    assert received.flags == [Flag.OVERDUE]


# --- concurrency and the trail ------------------------------------------------------------------


def test_stale_expected_version_is_a_conflict_and_changes_nothing(
    world: World, appraised: Dossier
) -> None:
    seen = appraised.version
    dossier_request_supplement(
        dossier=appraised, actor=world.specialist, items=["A"], reason="B", expected_version=seen
    )
    with pytest.raises(ConflictError, match="người khác"):
        dossier_stop(dossier=appraised, actor=world.leader, reason="x", expected_version=seen)
    appraised.refresh_from_db()
    assert appraised.status == Status.SUPPLEMENT_REQUESTED
    assert appraised.version == seen + 1


def test_every_change_is_in_the_audit_trail_and_events(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    dossier_handover(dossier=received, actor=world.clerk)
    dossier_request_supplement(dossier=received, actor=world.specialist, items=["A"], reason="B")
    dossier_receive_supplement(dossier=received, actor=world.clerk)
    dossier_extend(
        dossier=received, actor=world.leader, reason="x", new_due_at=local(NEXT_MONDAY, 17)
    )
    dossier_finish(dossier=to_signing(world, received), actor=world.leader)
    dossier_deliver(dossier=received, actor=world.clerk, channel="counter")
    expected = [
        "received",
        "handover",
        "supplement_requested",
        "supplement_received",
        "extension",
        "handover",  # the appraisal passes it to the signing step
        "result_ready",
        "result_delivered",
    ]
    assert events(received) == expected
    trail = AuditEvent.objects.filter(object_type="dossier", object_id=received.code)
    assert sorted(trail.values_list("action", flat=True)) == sorted(expected)
    actors = dict(
        DossierEvent.objects.filter(dossier=received).values_list("type", "actor__username")
    )
    assert actors["extension"] == "lanhdao"
    assert received.version == len(expected) - 1


def test_finish_stores_the_result_file_with_its_hash(
    world: World, appraised: Dossier, settings: Settings, tmp_path: Path
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
    content = b"%PDF-1.4 ket qua"
    upload = SimpleUploadedFile("phieu LLTP.PDF", content, content_type="application/pdf")
    dossier_finish(dossier=to_signing(world, appraised), actor=world.leader, result_file=upload)
    appraised.refresh_from_db()
    assert appraised.result_sha256 == hashlib.sha256(content).hexdigest()
    document = result_document(appraised)
    assert document is not None and document.content_type == "application/pdf"
    assert document.kind == "result" and document.issuer_agency_id == appraised.agency_id
    assert document.code == f"{appraised.applicant_id_number}.{world.procedure.procedure.code}"
    with document.file.open("rb") as stored:
        assert stored.read() == content
