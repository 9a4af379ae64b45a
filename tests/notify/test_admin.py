"""The outbox in the admin: Vietnamese, filterable, read-only, with a retry action."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from motcua.notify.models import Channel, Message, MessageStatus
from motcua.notify.services import notification_enqueue

URL = "/quan-tri/notify/message/"


@pytest.fixture
def admin_client_vi(db: None, client: Client) -> Client:
    user = User.objects.create_superuser("quantri", "quantri@example.vn", "x")
    client.force_login(user)
    return client


def failed_message() -> Message:
    (m,) = notification_enqueue(
        kind="received",
        recipients=[(Channel.EMAIL, "a@example.vn")],
        context={"body": "x"},
        reference="dossier:000.00.19.H18-220829-0001",
    )
    Message.objects.filter(pk=m.pk).update(
        status=MessageStatus.FAILED, attempts=6, last_error="SMTPServerDisconnected"
    )
    return m


def test_outbox_list_speaks_vietnamese_and_filters_by_status(admin_client_vi: Client) -> None:
    m = failed_message()
    response = admin_client_vi.get(URL, {"status__exact": "failed"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Gửi không thành công" in page
    assert "Gửi lại các thông báo đã chọn" in page
    assert m.recipient in page
    assert (
        "a@example.vn" not in admin_client_vi.get(URL, {"status__exact": "sent"}).content.decode()
    )


def test_retry_action_queues_a_failed_message_again(admin_client_vi: Client) -> None:
    m = failed_message()
    response = admin_client_vi.post(
        URL, {"action": "retry", "_selected_action": [m.pk]}, follow=True
    )
    assert "Đã đưa 1 thông báo vào hàng đợi gửi lại." in response.content.decode()
    m.refresh_from_db()
    assert (m.status, m.attempts) == (MessageStatus.PENDING, 0)


def test_outbox_rows_cannot_be_deleted_in_the_admin(admin_client_vi: Client) -> None:
    m = failed_message()
    assert admin_client_vi.post(f"{URL}{m.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Message.objects.filter(pk=m.pk).exists()


def test_a_dossiers_messages_are_found_by_its_code(admin_client_vi: Client) -> None:
    m = failed_message()
    (other,) = notification_enqueue(
        kind="received", recipients=[(Channel.EMAIL, "b@example.vn")], context={"body": "x"}
    )
    page = admin_client_vi.get(URL, {"q": "000.00.19.H18-220829-0001"}).content.decode()
    assert m.recipient in page and other.recipient not in page
    assert "dossier:000.00.19.H18-220829-0001" in page
    page = admin_client_vi.get(URL, {"kind": "received"}).content.decode()
    assert m.recipient in page and other.recipient in page
