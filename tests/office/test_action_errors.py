"""An action refused by its form keeps what was typed: after the redirect its form is open,
the typed reason still in it, the errors beside the fields and summarised at the top with
links to the fields; a reload shows the page as it is."""

from __future__ import annotations

import re

from django.test import Client

from motcua.dossiers.models import Dossier, Status

from .conftest import World, login, paper_parts
from .test_counter_rules import RECEIVE


def _received(client: Client, world: World) -> Dossier:
    sent = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/", {**RECEIVE, **paper_parts(world)}
    )
    assert sent.status_code == 302
    return Dossier.objects.get()


def test_a_failed_action_stays_open_with_the_typed_reason(world: World) -> None:
    client = login(Client(), world.clerk)
    dossier = _received(client, world)
    url = f"/can-bo/ho-so/{dossier.code}/"
    reason = "Bản vẽ thiết kế thiếu chữ ký của chủ đầu tư"
    sent = client.post(
        f"{url}yeu-cau-bo-sung/", {"version": dossier.version, "items": "", "reason": reason}
    )
    assert sent.status_code == 302 and sent["Location"] == url
    page = client.get(url).content.decode()
    summary = re.search(
        r'<div class="error-summary[^"]*" role="alert"[^>]*>(.*?)</div>', page, re.S
    )
    assert summary is not None
    assert 'href="#supplement_items"' in summary.group(1)
    assert "Nội dung cần bổ sung (mỗi dòng một nội dung) là bắt buộc." in summary.group(1)
    assert re.search(r'<details open data-action="supplement">', page)
    assert reason in page  # still in its box
    assert Dossier.objects.get().status == Status.PROCESSING
    # Shown once: a reload is the plain page, the action folded again.
    again = client.get(url).content.decode()
    assert "error-summary" not in again and '<details open data-action="supplement">' not in again


def test_a_service_refusal_is_in_the_error_summary(world: World) -> None:
    """The form passes but the service refuses (here: someone changed the dossier since the
    page was read): the refusal heads the page's error summary, once, the form open again
    with what was typed."""
    client = login(Client(), world.clerk)
    dossier = _received(client, world)
    url = f"/can-bo/ho-so/{dossier.code}/"
    reason = "Bản vẽ thiết kế thiếu chữ ký của chủ đầu tư"
    sent = client.post(
        f"{url}yeu-cau-bo-sung/",
        {"version": dossier.version + 1, "items": "Bản vẽ có chữ ký", "reason": reason},
    )
    assert sent.status_code == 302
    page = client.get(url).content.decode()
    summary = re.search(
        r'<div class="error-summary[^"]*" role="alert"[^>]*>(.*?)</div>', page, re.S
    )
    assert summary is not None
    assert "cập nhật" in summary.group(1)
    assert re.search(r'<details open data-action="supplement">', page)
    assert reason in page
    # Said once: not a second time as a message.
    message = re.search(r"<li>(.*?)</li>", summary.group(1))
    assert message is not None and page.count(message.group(1)) == 1
    assert Dossier.objects.get().status == Status.PROCESSING
