"""The citizen's page while the agency waits for a supplement (issue 13 item 5): what is
asked, why, by when, the paused clock; one upload per item; staff then receive it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import User

from motcua.archive.models import Document
from motcua.dossiers.models import Dossier, DossierPart, Status
from motcua.dossiers.services import (
    dossier_accept,
    dossier_handover,
    dossier_request_supplement,
    dossier_submit,
)
from motcua.dossiers.uploads import upload_check
from motcua.portal.services import stored_document_add
from tests.dossiers.conftest import citizen_applicant
from tests.portal.conftest import EXE, PDF, PNG, Portal, upload
from tests.world import MONDAY, local

pytestmark = pytest.mark.django_db

ITEMS = ["Bản sao Căn cước có chứng thực", "Sơ đồ vị trí thửa đất"]


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(local(MONDAY, 9), tick=False) as traveller:
        yield traveller


@pytest.fixture
def waiting(portal: Portal, clock: time_machine.Traveller) -> Dossier:
    """The citizen's online dossier, received Monday 5/10/2026 09:00 (due Thursday 8/10
    17:00), asked for a supplement by the specialist at 10:00 the same day."""
    world = portal.world
    dossier = dossier_submit(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=portal.citizen,
        owner=portal.citizen,
    )
    dossier_accept(dossier=dossier, actor=world.clerk, receiving_unit=world.center)
    dossier_handover(dossier=dossier, actor=world.clerk)
    clock.move_to(local(MONDAY, 10))
    dossier_request_supplement(
        dossier=dossier, actor=world.specialist, items=ITEMS, reason="Bản chụp bị mờ"
    )
    dossier.refresh_from_db()
    return dossier


def page(portal: Portal, dossier: Dossier) -> str:
    response = portal.client(portal.citizen).get(f"/ca-nhan/ho-so/{dossier.code}/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_page_shows_what_why_until_when_and_the_paused_clock(
    portal: Portal, waiting: Dossier
) -> None:
    text = page(portal, waiting)
    assert "Cần bổ sung hồ sơ" in text
    assert all(f"<li>{item}</li>" in text for item in ITEMS)
    assert "Bản chụp bị mờ" in text
    assert "yêu cầu bổ sung ngày 5/10/2026" in text
    assert "Hạn gửi hồ sơ bổ sung: hết ngày 20 tháng 10 năm 2026 (15 ngày" in text
    # The due date is not shown as running.
    facts = text[text.index('<dl class="facts">') : text.index("</dl>")]
    assert "Tạm dừng tính thời hạn" in facts
    assert "8/10/2026" not in facts
    # One upload per requested item.
    assert 'name="item-1"' in text and 'name="item-2"' in text


def test_the_public_lookup_shows_the_paused_clock_too(portal: Portal, waiting: Dossier) -> None:
    response = portal.client().get(
        "/tra-cuu/", {"ma": waiting.code, "bi-mat": waiting.secret}, follow=True
    )
    text = html.unescape(response.content.decode())
    facts = text[text.index('<dl class="facts">') : text.index("</dl>")]
    assert "Tạm dừng tính thời hạn" in facts and "8/10/2026" not in facts


def test_citizen_uploads_per_item_and_the_dossier_keeps_waiting(
    portal: Portal, waiting: Dossier
) -> None:
    due = waiting.due_at
    stored = stored_document_add(
        owner=portal.citizen,
        name="Sơ đồ cũ",
        checked=upload_check(upload("so-do.png", PNG, "image/png")),
    )
    client = portal.client(portal.citizen)
    response = client.post(
        f"/ca-nhan/ho-so/{waiting.code}/",
        {
            "item-1": upload("cccd.pdf", PDF + b"cccd"),
            "reuse-item-2": str(stored.pk),
            "note": "Gửi bản rõ",
        },
    )
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Status.SUPPLEMENT_REQUESTED and waiting.due_at == due
    first = DossierPart.objects.get(dossier=waiting, name=ITEMS[0])
    assert first.documents.get().file.read() == PDF + b"cccd"
    second = DossierPart.objects.get(dossier=waiting, name=ITEMS[1])
    assert second.reused and second.documents.get().source_id == stored.pk
    text = page(portal, waiting)
    assert "Đã gửi bổ sung lúc 10:00, 5/10/2026" in text and "Gửi bản rõ" in text
    assert "Đã gửi hồ sơ bổ sung trực tuyến" in text  # the timeline


def test_a_wrong_file_is_refused_next_to_its_item_and_nothing_is_stored(
    portal: Portal, waiting: Dossier
) -> None:
    before = Document.objects.count()
    response = portal.client(portal.citizen).post(
        f"/ca-nhan/ho-so/{waiting.code}/",
        {"item-1": upload("a.pdf", PDF), "item-2": upload("so-do.pdf", EXE)},
    )
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    second = re.search(
        r"<fieldset[^>]*>\s*<legend>2\. " + ITEMS[1] + r"</legend>(.*?)</fieldset>", text, re.S
    )
    assert second is not None and "has-error" in text
    assert "“so-do.pdf” không phải tệp PDF, JPEG hoặc PNG" in second.group(1)
    assert Document.objects.count() == before
    assert not DossierPart.objects.filter(dossier=waiting, name=ITEMS[0]).exists()


def test_nothing_sent_is_an_error(portal: Portal, waiting: Dossier) -> None:
    response = portal.client(portal.citizen).post(f"/ca-nhan/ho-so/{waiting.code}/", {})
    assert response.status_code == 400
    assert "Phải gửi ít nhất một tệp hoặc một ghi chú." in html.unescape(response.content.decode())


def test_another_citizen_gets_404(portal: Portal, waiting: Dossier) -> None:
    other = User.objects.create_user("khac@example.vn", password="x")
    response = portal.client(other).post(
        f"/ca-nhan/ho-so/{waiting.code}/", {"item-1": upload("a.pdf", PDF)}
    )
    assert response.status_code == 404
    assert not DossierPart.objects.filter(dossier=waiting, name=ITEMS[0]).exists()


def test_staff_see_the_submitted_items_and_receive_them_in_one_action(
    portal: Portal, waiting: Dossier, clock: time_machine.Traveller
) -> None:
    portal.client(portal.citizen).post(
        f"/ca-nhan/ho-so/{waiting.code}/", {"item-1": upload("cccd.pdf", PDF + b"x")}
    )
    staff = portal.client(portal.world.specialist)
    text = html.unescape(staff.get(f"/can-bo/ho-so/{waiting.code}/").content.decode())
    assert "Người nộp đã gửi bổ sung trực tuyến lúc" in text
    assert ITEMS[0] in text and "Đã nhận đủ bổ sung" in text
    sent = DossierPart.objects.get(dossier=waiting, name=ITEMS[0]).documents.get()
    assert f'href="/can-bo/ho-so/{waiting.code}/giay-to/{sent.pk}/"' in text  # opens it
    waiting.refresh_from_db()
    clock.move_to(local(MONDAY.replace(day=12), 10))
    staff = portal.client(portal.world.specialist)  # a week later: a new session
    response = staff.post(
        f"/can-bo/ho-so/{waiting.code}/nhan-bo-sung/", {"version": waiting.version}
    )
    assert response["Location"] == f"/can-bo/ho-so/{waiting.code}/"
    waiting.refresh_from_db()
    assert waiting.status == Status.PROCESSING
    assert waiting.due_at == local(MONDAY.replace(day=15), 17)  # restarted from zero
