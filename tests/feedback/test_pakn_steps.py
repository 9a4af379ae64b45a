"""PAKN deadlines of the regulation in force (refuse ≤ 2, more information ≤ 5, forward ≤ 5,
answer ≤ 15 working days; province overrides) and the indicators that use them, hand-counted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from pytest_django import Settings

from motcua.core.models import AuditEvent
from motcua.feedback.apps import check_pakn_deadlines
from motcua.feedback.deadlines import deadlines_on, parse_overrides
from motcua.feedback.models import Feedback, FeedbackStatus
from motcua.feedback.queries import pakn_counts
from motcua.feedback.services import (
    FeedbackError,
    FeedbackInput,
    feedback_answer,
    feedback_forward,
    feedback_publish,
    feedback_refuse,
    feedback_request_info,
    feedback_submit,
)
from motcua.notify.models import Message
from tests.world import World, local

OCT = (local(dt.date(2026, 10, 1), 0), local(dt.date(2026, 11, 1), 0))


def on(day: int, hour: int = 9, month: int = 10) -> time_machine.travel:
    return time_machine.travel(local(dt.date(2026, month, day), hour), tick=False)


def submit() -> Feedback:
    return feedback_submit(
        data=FeedbackInput(
            subject="general", title="T", text="N", name="A", phone="0911222333", email="a@b.vn"
        )
    )


def test_every_deadline_in_working_days_from_receipt(world: World) -> None:
    with on(5):  # Monday 5/10/2026, no holiday in October
        fb = submit()
    assert fb.refuse_by == local(dt.date(2026, 10, 7), 17)  # 2 working days
    assert fb.info_by == local(dt.date(2026, 10, 12), 17)  # 5
    assert fb.forward_by == local(dt.date(2026, 10, 12), 17)  # 5
    assert fb.due_at == local(dt.date(2026, 10, 26), 17)  # 15
    with on(9, hour=16):  # Friday after 15:00: deemed received Monday 12/10
        late = submit()
    assert late.refuse_by == local(dt.date(2026, 10, 14), 17)


def test_a_province_sets_its_own_deadlines(world: World, settings: Settings) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "PAKN_DEADLINES": "answer=10, refuse=1"}
    with on(5):
        fb = submit()
    assert fb.refuse_by == local(dt.date(2026, 10, 6), 17)
    assert fb.due_at == local(dt.date(2026, 10, 19), 17)
    assert fb.forward_by == local(dt.date(2026, 10, 12), 17)  # unchanged: 5


def test_deadline_settings_are_checked_precisely() -> None:
    assert parse_overrides("") == {}
    assert parse_overrides("publish=3") == {"publish": 3}
    with pytest.raises(ValueError, match=r"'answr=3'.*step one of"):
        parse_overrides("answer=3,answr=3")
    with pytest.raises(ValueError, match="'answer=ba': not a whole number"):
        parse_overrides("answer=ba")
    regime = deadlines_on(dt.date(2026, 1, 1))
    assert (regime.refuse, regime.more_info, regime.forward, regime.answer, regime.publish) == (
        2,
        5,
        5,
        15,
        2,
    )
    assert "20/2008" in regime.legal_basis


def test_refusal_and_request_for_information_are_flagged_when_late(world: World) -> None:
    with on(5):
        in_time, late, asked = submit(), submit(), submit()
    with on(7, hour=16):  # Wed 7/10 16:00, before 17:00 of the 2nd working day
        in_time = feedback_refuse(feedback=in_time, actor=world.clerk, reason="Không về TTHC")
    with on(8):
        late = feedback_refuse(feedback=late, actor=world.clerk, reason="Không về TTHC")
    with on(13):
        asked = feedback_request_info(feedback=asked, actor=world.clerk, question="Quầy số mấy?")
    assert in_time.status == late.status == FeedbackStatus.REFUSED
    assert (in_time.refused_late, late.refused_late) == (False, True)
    assert asked.info_late is True and asked.status == FeedbackStatus.RECEIVED
    assert asked.due_at == local(dt.date(2026, 10, 26), 17)  # the answer period runs on
    with pytest.raises(FeedbackError):
        feedback_answer(feedback=late, actor=world.clerk, answer="x")  # closed
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"feedback_refused", "feedback_info_requested"} <= actions
    bodies = list(Message.objects.values_list("body", flat=True))
    assert any("không được tiếp nhận. Lý do: Không về TTHC" in b for b in bodies)
    assert any("Quầy số mấy?" in b for b in bodies)
    with on(14):
        forwarded = submit()
        forwarded = feedback_forward(
            feedback=forwarded, actor=world.clerk, to_agency=world.transport
        )
        with pytest.raises(FeedbackError):
            feedback_refuse(feedback=forwarded, actor=world.clerk, reason="x")


def test_staff_refuse_from_the_page(world: World) -> None:
    with on(5):
        fb = submit()
    client = Client()
    client.force_login(world.leader)
    page = client.get(f"/phan-anh/can-bo/{fb.code}/").content.decode()
    assert "Hạn từ chối tiếp nhận" in page and "7/10/2026" in page
    empty = client.post(f"/phan-anh/can-bo/{fb.code}/", {"action": "refuse", "reason": ""})
    assert empty.status_code == 200 and Feedback.objects.get().status == "received"
    with on(6):
        done = client.post(
            f"/phan-anh/can-bo/{fb.code}/", {"action": "refuse", "reason": "Nặc danh"}
        )
    assert done.status_code == 302
    assert Feedback.objects.get().refuse_reason == "Nặc danh"
    lookup = Client().get(f"/phan-anh/tra-cuu/?code={fb.code}&secret={fb.secret}")
    assert "Nặc danh" in lookup.content.decode()  # the person sees why
    assert fb.code not in client.get("/phan-anh/can-bo/").content.decode()  # closed


def test_indicators_count_every_step_by_hand(world: World) -> None:
    with on(5):
        p1, p2, p3, p4 = submit(), submit(), submit(), submit()
    with on(6):
        feedback_refuse(feedback=p1, actor=world.clerk, reason="x")  # in time
    with on(7):
        feedback_request_info(feedback=p4, actor=world.clerk, question="?")  # in time
    with on(8):
        feedback_refuse(feedback=p2, actor=world.clerk, reason="x")  # late (by 7/10)
    with on(13):
        feedback_request_info(feedback=p3, actor=world.clerk, question="?")  # late (by 12/10)
    with on(14):
        p3 = feedback_answer(feedback=p3, actor=world.leader, answer="x")
    with on(15):
        feedback_publish(feedback=p3, actor=world.leader)
    with on(20):
        p4 = feedback_answer(feedback=p4, actor=world.leader, answer="x")
    with on(21):
        feedback_publish(feedback=p4, actor=world.leader)
    counts = pakn_counts(*OCT)
    # 1.5: the refused P1, P2 have nothing to answer; P3, P4 answered by 26/10.
    assert (counts["on_time"], counts["due"]) == (2, 2)
    # QĐ 766 on time: P1 (refused in time), P4 (asked, answered, published in time).
    assert (counts["handled_on_time"], counts["handled"]) == (2, 4)
    # Satisfaction: P2 and P3 late at a step.
    assert (counts["late"], counts["satisfied"], counts["total"]) == (2, 2, 4)


def test_a_mistyped_deadline_setting_fails_the_system_check(settings: Settings) -> None:
    assert check_pakn_deadlines() == []
    settings.MOTCUA = {**settings.MOTCUA, "PAKN_DEADLINES": "tra-loi=10"}
    (error,) = check_pakn_deadlines()
    assert error.id == "motcua.feedback.E001" and "'tra-loi=10'" in error.msg
