"""Ratings in a real browser (the rest of the feedback tests are in tests/feedback): the
rating page on a 360 px phone, one tap per content, no JavaScript needed, no horizontal
scrolling; the counter tablet resetting itself after a tap."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.feedback.models import Content, KioskRating, Rating
from motcua.feedback.services import kiosk_device_create
from tests.feedback.conftest import dossier_make
from tests.world import world_build

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rating_on_a_phone(new_page: Any) -> None:
    dossier = dossier_make(world_build(), channel="online")
    page = new_page(width=360, height=740)
    page.goto(f"/danh-gia/{dossier.code}/?bi-mat={dossier.secret}")
    page.get_by_role("heading", name="Đánh giá mức độ hài lòng").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # Filed online, no PAKN about it: complaint handling is not asked (feedback.rubric).
    labels = [str(c.label) for c in Content if c != Content.COMPLAINTS]
    for n, label in enumerate(labels):
        group = page.get_by_role("group", name=f"{n + 1}. {label}")
        choice = "Bình thường" if label == str(Content.ONLINE.label) else "Hài lòng"
        group.get_by_label(choice, exact=True).check()  # a tap on the big label
    shot(page, "feedback-rating-360")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.get_by_role("heading", name="Cảm ơn ông/bà đã đánh giá").wait_for()
    rating = Rating.objects.get(dossier=dossier)
    assert (rating.points, rating.max_points) == (15, 16)
    assert rating.scores["online"] == 1 and rating.scores["complaints"] is None


def test_rating_errors_show_in_the_page_on_a_phone(new_page: Any) -> None:
    """A content left out: the page (not the browser's bubble) says which, at the top with a
    link and in the content's own group; "Không áp dụng" is an answer like the others."""
    dossier = dossier_make(world_build(), channel="direct")
    page = new_page(width=360, height=740)
    page.goto(f"/danh-gia/{dossier.code}/?bi-mat={dossier.secret}")
    # Filed at the counter, no PAKN: neither the online service nor complaints are asked.
    assert page.get_by_role("group", name=str(Content.ONLINE.label)).count() == 0
    labels = [str(c.label) for c in Content if c not in (Content.COMPLAINTS, Content.ONLINE)]
    for n, label in enumerate(labels):
        if label == str(Content.ATTITUDE.label):
            continue  # forgotten
        choice = "Không áp dụng" if label == str(Content.AGENCIES.label) else "Hài lòng"
        page.get_by_role("group", name=f"{n + 1}. {label}").get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    summary = page.locator("#rate-errors")
    summary.wait_for()
    summary.get_by_role("link", name=str(Content.ATTITUDE.label)).click()
    assert page.evaluate("location.hash") == "#q-attitude"
    page.locator("#q-attitude").get_by_text("Vui lòng chọn một mức.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "feedback-rating-errors-360")
    assert not Rating.objects.exists()
    page.locator("#q-attitude").get_by_label("Bình thường", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.get_by_role("heading", name="Cảm ơn ông/bà đã đánh giá").wait_for()
    rating = Rating.objects.get(dossier=dossier)
    assert rating.scores["agencies"] is None and rating.scores["attitude"] == 1


def test_kiosk_on_a_tablet_resets_after_a_tap(new_page: Any) -> None:
    world = world_build()
    device = kiosk_device_create(clerk=world.clerk, label="Quầy 1", actor=world.admin)
    page = new_page(width=800, height=1000)
    page.goto(f"/danh-gia/quay/{device.token}/")
    shot(page, "feedback-kiosk")
    page.get_by_role("button", name="Hài lòng", exact=True).click()
    page.get_by_role("status").wait_for()
    # The counter's shared tablet returns to the question by itself for the next citizen:
    # the timed refresh is the kiosk's purpose, and the screen holds one sentence to read.
    shot(page, "feedback-kiosk-thanks", allow_axe=("meta-refresh",))
    # The page goes back to the faces by itself (meta refresh, no JavaScript needed).
    page.get_by_role("button", name="Không hài lòng").wait_for(timeout=8_000)
    assert KioskRating.objects.get().score == 2
