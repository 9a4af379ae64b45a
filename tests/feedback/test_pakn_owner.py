"""A PAKN sent by a signed-in citizen: prefilled, tied to the account, listed under "Hồ sơ
của tôi"; the automatic title cut at a word boundary (issue 16)."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.feedback.models import Feedback
from motcua.feedback.services import feedback_title
from motcua.portal.models import CitizenIdentity
from tests.world import World

pytestmark = pytest.mark.django_db

TEXT = (
    "Tôi nộp hồ sơ đăng ký khai sinh cho con từ ngày 3 tháng 11 nhưng đến nay vẫn chưa được "
    "trả kết quả, xin cơ quan kiểm tra giúp."
)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            TEXT,
            "Tôi nộp hồ sơ đăng ký khai sinh cho con từ ngày 3 tháng 11 nhưng đến nay vẫn…",
        ),
        ("Ngắn gọn", "Ngắn gọn"),
        ("  nhiều   khoảng   trắng  ", "nhiều khoảng trắng"),
        ("x" * 100, "x" * 79 + "…"),
    ],
)
def test_the_automatic_title_is_cut_at_a_word_boundary(text: str, title: str) -> None:
    assert feedback_title(text) == title
    assert len(feedback_title(text)) <= 80


def test_a_signed_in_citizens_pakn_is_prefilled_tied_and_listed(world: World) -> None:
    CitizenIdentity.objects.create(user=world.citizen, provider="local", subject="0912345678")
    client = Client()
    client.force_login(world.citizen)
    form = client.get("/phan-anh/gui/").content.decode()
    assert 'value="An"' in form and 'value="0912345678"' in form
    sent = client.post(
        "/phan-anh/gui/",
        {"subject": "general", "text": TEXT, "name": "An", "phone": "0912345678"},
    )
    assert sent.status_code == 200
    feedback = Feedback.objects.get()
    assert feedback.owner == world.citizen
    assert feedback.title.endswith("đến nay vẫn…")
    mine = client.get("/ca-nhan/ho-so/").content.decode()
    assert "Phản ánh, kiến nghị của tôi" in mine and feedback.code in mine
    assert feedback.title in mine
    # Someone else's list does not show it; an anonymous PAKN has no owner.
    Client().post(
        "/phan-anh/gui/", {"subject": "general", "text": "Khác", "name": "B", "phone": "0900000000"}
    )
    assert Feedback.objects.filter(owner__isnull=True).count() == 1


def test_staff_sending_a_pakn_do_not_tie_it_to_their_account(world: World) -> None:
    client = Client()
    client.force_login(world.clerk)
    client.post(
        "/phan-anh/gui/",
        {"subject": "general", "text": "Góp ý", "name": "C", "phone": "0900000001"},
    )
    assert Feedback.objects.get().owner is None
