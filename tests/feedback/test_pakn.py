"""Complaints and petitions (PAKN): codes, working-day deadlines, staff handling, overdue
warnings, publication without personal data, and the person's "unsatisfied"."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.test import Client

from motcua.core.models import AuditEvent
from motcua.feedback.models import Feedback, FeedbackStatus
from motcua.feedback.services import (
    FeedbackInput,
    feedback_answer,
    feedback_classify,
    feedback_flag_overdue,
    feedback_forward,
    feedback_mark_unsatisfied,
    feedback_publish,
    feedback_submit,
)
from motcua.notify.models import Message
from tests.feedback.conftest import dossier_make
from tests.world import World, local

MON = dt.date(2026, 10, 5)  # a Monday; no holiday in October–November 2026
PERSON = {
    "name": "Trần Thị Hoa",
    "phone": "0911222333",
    "email": "hoa.tran@example.vn",
    "address": "12 Lê Lợi, Gia Nghĩa",
}


def submit(
    text: str = "Cán bộ quầy 3 yêu cầu nộp thêm giấy tờ không có trong quy định.",
    *,
    subject: str = "general",
    title: str = "Yêu cầu thêm giấy tờ",
    reference: str = "",
) -> Feedback:
    data = FeedbackInput(
        subject=subject,
        title=title,
        text=text,
        name=PERSON["name"],
        phone=PERSON["phone"],
        email=PERSON["email"],
        address=PERSON["address"],
        reference=reference,
    )
    return feedback_submit(data=data)


def test_codes_and_deadlines_in_working_days(world: World) -> None:
    with time_machine.travel(local(MON, 9), tick=False):
        first = submit()
        second = submit()
    assert first.code == "PAKN-261005-0001" and second.code == "PAKN-261005-0002"
    assert len(first.secret) == 8 and first.secret != second.secret
    # Forward within 5 working days, answer within 15 (domain.md §9): Mon 5/10 → Mon 12/10
    # and Mon 26/10, at the end of office hours.
    assert first.forward_by == local(dt.date(2026, 10, 12), 17)
    assert first.due_at == first.first_due_at == local(dt.date(2026, 10, 26), 17)
    with time_machine.travel(local(dt.date(2026, 10, 9), 16), tick=False):  # Friday, after 15:00
        late = submit()
    # Deemed received Monday 12/10: 15 working days → Monday 2/11.
    assert late.due_at == local(dt.date(2026, 11, 2), 17)


def test_a_dossier_code_routes_the_pakn_to_its_agency(world: World) -> None:
    dossier = dossier_make(world)
    with time_machine.travel(local(MON, 9), tick=False):
        fb = submit(subject="dossier", reference=dossier.code)
        unknown = submit(subject="dossier", reference="KHONG-CO")
    assert fb.dossier == dossier and fb.agency == world.justice
    assert unknown.dossier is None and unknown.agency is None and unknown.reference == "KHONG-CO"


def test_lifecycle_forward_late_restarts_the_clock_and_answer_late_is_kept(world: World) -> None:
    with time_machine.travel(local(MON, 9), tick=False):
        fb = submit()
        fb = feedback_classify(feedback=fb, actor=world.clerk, kind="report", agency=world.justice)
    assert fb.status == FeedbackStatus.CLASSIFIED
    with time_machine.travel(local(dt.date(2026, 10, 13), 9), tick=False):  # 6th working day
        fb = feedback_forward(feedback=fb, actor=world.leader, to_agency=world.transport)
    assert fb.forward_late is True and fb.agency == world.transport
    assert fb.due_at == local(dt.date(2026, 11, 3), 17)  # 15 working days from Tue 13/10
    assert fb.first_due_at == local(dt.date(2026, 10, 26), 17)
    with time_machine.travel(local(dt.date(2026, 11, 4), 9), tick=False):
        fb = feedback_answer(feedback=fb, actor=world.outsider, answer="Đã chấn chỉnh cán bộ.")
    assert fb.status == FeedbackStatus.ANSWERED and fb.answered_late is True
    assert [e.type for e in fb.events.all()] == ["submitted", "classified", "forwarded", "answered"]
    actions = set(AuditEvent.objects.filter(object_id=fb.code).values_list("action", flat=True))
    assert actions == {
        "feedback_submitted",
        "feedback_classified",
        "feedback_forwarded",
        "feedback_answered",
    }


def test_staff_list_is_ordered_by_deadline_marks_overdue_and_respects_scope(world: World) -> None:
    with time_machine.travel(local(MON, 9), tick=False):
        early = submit(title="Sớm")
        feedback_classify(feedback=early, actor=world.clerk, kind="report", agency=world.justice)
    with time_machine.travel(local(dt.date(2026, 10, 20), 9), tick=False):
        later = submit(title="Muộn")
        feedback_classify(feedback=later, actor=world.clerk, kind="petition", agency=world.justice)
    with time_machine.travel(local(dt.date(2026, 10, 28), 9), tick=False):
        client = Client()
        client.force_login(world.specialist)
        html = client.get("/phan-anh/can-bo/").content.decode()
        assert html.index(early.code) < html.index(later.code)
        assert html.count("Quá hạn</span>") == 1  # only the one due 26/10
        assert feedback_flag_overdue() == 1
        assert feedback_flag_overdue() == 0  # once per deadline
        outsider = Client()
        outsider.force_login(world.outsider)
        assert early.code not in outsider.get("/phan-anh/can-bo/").content.decode()
        assert outsider.get(f"/phan-anh/can-bo/{early.code}/").status_code == 404
        assert client.get(f"/phan-anh/can-bo/{early.code}/").status_code == 200
    assert Client().get("/phan-anh/can-bo/").status_code == 302  # to the login page
    assert [e.type for e in Feedback.objects.get(pk=early.pk).events.all()][-1] == "overdue"


def test_staff_answer_and_publish_through_the_pages(world: World) -> None:
    fb = submit(subject="general")
    client = Client()
    client.force_login(world.leader)
    feedback_classify(feedback=fb, actor=world.clerk, kind="report", agency=world.justice)
    r = client.post(f"/phan-anh/can-bo/{fb.code}/", {"action": "answer", "answer": "Trả lời."})
    assert r.status_code == 302
    r = client.post(
        f"/phan-anh/can-bo/{fb.code}/", {"action": "publish", "public_text": "Câu hỏi đã biên tập."}
    )
    assert r.status_code == 302
    fb.refresh_from_db()
    assert fb.published_at is not None and fb.public_text == "Câu hỏi đã biên tập."
    reader = Client()
    reader.force_login(world.specialist)
    assert reader.get(f"/phan-anh/can-bo/{fb.code}/").status_code == 200
    assert AuditEvent.objects.filter(
        action="feedback_view", object_id=fb.code, actor=world.specialist
    ).exists()
    # The person is told by e-mail and SMS, with a link that carries their secret.
    sent = {m.channel: m for m in Message.objects.all()}
    assert set(sent) == {"email", "sms"}
    assert sent["email"].recipient == PERSON["email"]
    assert fb.secret in sent["email"].body


def test_published_answers_show_no_personal_data(world: World) -> None:
    text = "Tôi là Trần Thị Hoa, số 0911222333, bị yêu cầu nộp thêm giấy tờ."
    fb = submit(text=text)
    hidden = submit(text="Chưa trả lời")
    feedback_answer(feedback=fb, actor=world.leader, answer="Sở đã kiểm tra và chấn chỉnh.")
    feedback_publish(
        feedback=fb, actor=world.leader, public_text="Tôi bị yêu cầu nộp thêm giấy tờ."
    )
    client = Client()
    for page in (client.get("/phan-anh/"), client.get(f"/phan-anh/{fb.code}/")):
        html = page.content.decode()
        assert page.status_code == 200
        assert "Sở đã kiểm tra và chấn chỉnh." in html
        assert "Tôi bị yêu cầu nộp thêm giấy tờ." in html
        for personal in (*PERSON.values(), fb.secret):
            assert personal not in html
    assert hidden.code not in client.get("/phan-anh/").content.decode()
    assert client.get(f"/phan-anh/{hidden.code}/").status_code == 404


def test_submit_and_follow_through_the_pages(world: World) -> None:
    client = Client()
    page = client.post(
        "/phan-anh/gui/",
        {"subject": "procedure", "reference": "1.001234", "title": "Phí", "text": "Phí?", **PERSON},
    )
    assert page.status_code == 200
    fb = Feedback.objects.get()
    html = page.content.decode()
    assert fb.code in html and fb.secret in html
    assert fb.procedure is not None and fb.agency == world.justice
    no_contact = client.post("/phan-anh/gui/", {"subject": "general", "text": "x", "name": "A"})
    assert "ít nhất một cách liên hệ" in no_contact.content.decode()
    assert Feedback.objects.count() == 1
    follow = client.get(f"/phan-anh/tra-cuu/?code={fb.code}&secret={fb.secret}")
    assert follow.status_code == 200 and "Phí?" in follow.content.decode()
    assert client.get(f"/phan-anh/tra-cuu/?code={fb.code}&secret=SAI12345").status_code == 404


def test_unsatisfied_reopens_with_new_deadline_only_with_the_secret(world: World) -> None:
    with time_machine.travel(local(MON, 9), tick=False):
        fb = submit()
        fb = feedback_answer(feedback=fb, actor=world.leader, answer="Trả lời.")
    client = Client()
    with time_machine.travel(local(dt.date(2026, 10, 7), 9), tick=False):
        wrong = client.post(
            "/phan-anh/tra-cuu/", {"code": fb.code, "secret": "SAI12345", "reason": "x"}
        )
        assert wrong.status_code == 404
        assert Feedback.objects.get(pk=fb.pk).status == FeedbackStatus.ANSWERED
        ok = client.post(
            "/phan-anh/tra-cuu/",
            {"code": fb.code, "secret": fb.secret.lower(), "reason": "Chưa rõ"},
        )
        assert ok.status_code == 200
    fb.refresh_from_db()
    assert fb.status == FeedbackStatus.REOPENED and fb.reopen_count == 1
    assert fb.unsatisfied_at is not None
    assert fb.due_at == local(dt.date(2026, 10, 28), 17)  # 15 working days from Wed 7/10
    # Once per answer: a reopened PAKN cannot be marked again until it is answered again.
    again = client.post("/phan-anh/tra-cuu/", {"code": fb.code, "secret": fb.secret})
    assert "Chỉ có thể đánh giá" in again.content.decode()
    fb = feedback_answer(feedback=fb, actor=world.leader, answer="Trả lời lại.")
    fb = feedback_mark_unsatisfied(feedback=fb, secret=fb.secret)
    assert fb.reopen_count == 2
