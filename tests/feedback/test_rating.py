"""Rating a dossier (ND 118/2025 Điều 33) through the secret link, and counter tablets."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from pytest_django import Settings

from motcua.dossiers.models import DossierEvent, EventType, Status
from motcua.feedback.models import Content, KioskDevice, KioskRating, Rating, RatingChannel
from motcua.feedback.queries import kiosk_counts
from motcua.feedback.services import (
    FeedbackError,
    FeedbackInput,
    feedback_submit,
    kiosk_device_create,
    rating_submit,
)
from tests.feedback.conftest import dossier_make
from tests.responses import ClientResponse
from tests.world import World

ALL_GOOD = {c.value: "2" for c in Content}
# The contents asked of a dossier filed at the counter with no PAKN about it.
WALK_IN = [c.value for c in Content if c not in (Content.ONLINE, Content.COMPLAINTS)]


def body(response: ClientResponse) -> str:
    """The page's main content (the header echoes the address and a per-response token)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def url(code: str, secret: str = "ABCD2345", extra: str = "") -> str:
    return f"/danh-gia/{code}/?bi-mat={secret}{extra}"


def test_the_rating_page_lists_the_nine_contents_and_stores_them(world: World) -> None:
    # Filed online and complained about: all nine contents of ND 118/2025 Điều 33 apply.
    dossier = dossier_make(world, channel="online")
    feedback_submit(
        data=FeedbackInput(
            subject="dossier", title="T", text="N", name="A", phone="0900", reference=dossier.code
        )
    )
    client = Client()
    page = client.get(url(dossier.code))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('type="radio"') == 36  # nine contents × (three levels + not applicable)
    for content in Content:
        assert str(content.label) in html
    answers = ALL_GOOD | {"attitude": "0", "contacts": "1", "comment": "Cán bộ chưa nhiệt tình"}
    done = client.post(url(dossier.code, extra="&kenh=qr"), answers)
    assert done.status_code == 200
    assert "15/18" in done.content.decode()
    rating = Rating.objects.get(dossier=dossier)
    assert rating.rubric == "nd118_2025"
    assert rating.scores == {c.value: 2 for c in Content} | {"attitude": 0, "contacts": 1}
    assert (rating.points, rating.max_points) == (15, 18)  # 0–2 per content
    assert rating.negative is True
    assert rating.channel == RatingChannel.QR
    assert rating.comment == "Cán bộ chưa nhiệt tình"


def test_a_missing_content_is_refused_and_nothing_is_stored(world: World) -> None:
    dossier = dossier_make(world)
    answers = dict(ALL_GOOD)
    del answers["attitude"]
    page = Client().post(url(dossier.code), answers)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Vui lòng chọn mức đánh giá" in html
    # The error sits in the content's own group, in Vietnamese.
    attitude = html[html.index("5. Thái độ") :]
    attitude = attitude[: attitude.index("</fieldset>")]
    assert "Vui lòng chọn một mức." in attitude
    assert not Rating.objects.exists()


def test_wrong_secret_and_unknown_code_look_the_same(world: World) -> None:
    dossier = dossier_make(world)
    client = Client()
    wrong = client.get(url(dossier.code, "ZZZZ9999"))
    unknown = client.get(url("KHONG-CO-0001"))
    no_secret = client.get(f"/danh-gia/{dossier.code}/")
    assert wrong.status_code == unknown.status_code == no_secret.status_code == 404
    assert body(wrong) == body(unknown) == body(no_secret)
    assert client.post(url(dossier.code, "ZZZZ9999"), ALL_GOOD).status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("status", "end_kind"),
    [(Status.PROCESSING, ""), (Status.REFUSED, "refused"), (Status.WITHDRAWN, "withdrawn")],
)
def test_no_rating_before_a_result(world: World, status: str, end_kind: str) -> None:
    dossier = dossier_make(world, status=status, end_kind=end_kind)
    client = Client()
    assert client.get(url(dossier.code)).status_code == 404
    assert client.post(url(dossier.code), ALL_GOOD).status_code == 404
    assert not Rating.objects.exists()


def test_one_rating_per_dossier_the_second_is_refused(world: World) -> None:
    dossier = dossier_make(world, status=Status.DELIVERED)
    client = Client()
    client.post(url(dossier.code), ALL_GOOD)
    again = client.post(url(dossier.code), {c.value: "0" for c in Content})
    assert "Cảm ơn" in again.content.decode()
    rating = Rating.objects.get(dossier=dossier)
    # At the counter, no PAKN: seven contents apply, 14 points possible.
    assert (rating.points, rating.max_points) == (14, 14)
    with pytest.raises(FeedbackError):
        rating_submit(dossier=dossier, answers={c: "0" for c in WALK_IN})
    assert Rating.objects.count() == 1


def test_the_rating_names_the_clerk_who_delivered(world: World) -> None:
    dossier = dossier_make(world, status=Status.DELIVERED, delivery_channel="counter")
    DossierEvent.objects.create(
        dossier=dossier,
        type=EventType.RESULT_DELIVERED,
        at=dt.datetime(2026, 10, 7, 3, tzinfo=dt.UTC),
        actor=world.clerk,
    )
    rating = rating_submit(dossier=dossier, answers={c: "1" for c in WALK_IN})
    assert rating.clerk == world.clerk
    assert rating.negative is False


def test_rating_pages_are_rate_limited_per_address(world: World, settings: Settings) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "FEEDBACK_RATE": "3/300"}
    dossier = dossier_make(world)
    client = Client()
    codes = [client.get(url(dossier.code)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(url(dossier.code)).status_code == 200


def test_kiosk_records_taps_per_clerk_and_resets(world: World) -> None:
    lan = kiosk_device_create(clerk=world.clerk, label="Quầy 1", actor=world.admin)
    minh = kiosk_device_create(clerk=world.specialist, label="Quầy 2", actor=world.admin)
    client = Client()
    page = client.get(f"/danh-gia/quay/{lan.token}/")
    html = page.content.decode()
    assert page.status_code == 200
    for label in ("Hài lòng", "Bình thường", "Không hài lòng"):
        assert label in html
    assert html.count('name="score"') == 3
    tap = client.post(f"/danh-gia/quay/{lan.token}/", {"score": "2"})
    assert tap.status_code == 302 and tap["Location"].endswith("?cam-on=1")
    thanks = client.get(tap["Location"]).content.decode()
    assert 'http-equiv="refresh"' in thanks  # back to the faces without JavaScript
    client.post(f"/danh-gia/quay/{lan.token}/", {"score": "0"})
    client.post(f"/danh-gia/quay/{minh.token}/", {"score": "1"})
    client.post(f"/danh-gia/quay/{minh.token}/", {"score": "7"})  # not a level: ignored
    start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    assert kiosk_counts(start, end) == {
        world.clerk.pk: {2: 1, 0: 1},
        world.specialist.pk: {1: 1},
    }
    assert KioskRating.objects.count() == 3


def test_unknown_or_revoked_kiosk_is_not_found(world: World) -> None:
    device = kiosk_device_create(clerk=world.clerk, actor=world.admin)
    KioskDevice.objects.filter(pk=device.pk).update(active=False)
    client = Client()
    assert client.get(f"/danh-gia/quay/{device.token}/").status_code == 404
    assert client.post(f"/danh-gia/quay/{device.token}/", {"score": "2"}).status_code == 404
    assert client.get("/danh-gia/quay/doan-bua/").status_code == 404
    assert not KioskRating.objects.exists()


def test_staff_summary_counts_ratings_in_scope_and_taps_per_clerk(world: World) -> None:
    with time_machine.travel(dt.datetime(2026, 10, 12, 3, tzinfo=dt.UTC), tick=False):
        mine = dossier_make(world)
        rating_submit(dossier=mine, answers={c: "2" for c in WALK_IN} | {"attitude": "0"})
        leader = Client()
        leader.force_login(world.leader)
        assert leader.post("/phan-anh/can-bo/danh-gia/", {"label": "Quầy 5"}).status_code == 302
        device = KioskDevice.objects.get(clerk=world.leader)
        Client().post(f"/danh-gia/quay/{device.token}/", {"score": "0"})
        page = leader.get("/phan-anh/can-bo/danh-gia/")
        html = page.content.decode()
        assert page.context["summary"]["rated"] == 1
        assert page.context["summary"]["negative"] == 1
        (nd118,) = page.context["summary"]["rubrics"]
        attitude = nd118["contents"][4]
        assert attitude["levels"] == [0, 0, 1]
        assert "Không áp dụng" in html
        assert page.context["kiosk_rows"][0]["levels"] == [0, 0, 1]
        assert device.token in html
        outsider = Client()
        outsider.force_login(world.outsider)
        other = outsider.get("/phan-anh/can-bo/danh-gia/")
        assert other.context["summary"]["rated"] == 0  # another agency's dossiers
        assert other.context["kiosk_rows"] == []


def test_kiosk_taps_are_limited_per_device_not_per_address(
    world: World, settings: Settings
) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "KIOSK_RATE": "2/60", "FEEDBACK_RATE": "2/300"}
    one = kiosk_device_create(clerk=world.clerk, actor=world.admin)
    two = kiosk_device_create(clerk=world.specialist, actor=world.admin)
    client = Client()  # every tablet of the center behind one address
    codes = [
        client.post(f"/danh-gia/quay/{one.token}/", {"score": "2"}).status_code for _ in range(3)
    ]
    assert codes == [302, 302, 429]
    assert client.post(f"/danh-gia/quay/{two.token}/", {"score": "2"}).status_code == 302
    assert [client.get(f"/danh-gia/quay/{one.token}/").status_code for _ in range(3)] == [200] * 3
    guesses = [client.get(f"/danh-gia/quay/doan-{n}/").status_code for n in range(3)]
    assert guesses == [404, 404, 429]
    assert KioskRating.objects.count() == 3


def test_errors_are_summarised_with_links_and_the_browser_does_not_block(world: World) -> None:
    """The browser's bubble is not the only error: the form is ``novalidate`` and the server's
    page lists each missing content, linked to its group."""
    dossier = dossier_make(world)
    form = Client().get(url(dossier.code)).content.decode()
    assert re.search(r'<form method="post" class="fb-rate" novalidate>', form)
    answers = dict(ALL_GOOD)
    del answers["attitude"], answers["time"]
    html = Client().post(url(dossier.code), answers).content.decode()
    summary = html[
        html.index('id="rate-errors"') : html.index("</div>", html.index('id="rate-errors"'))
    ]
    assert 'href="#q-attitude"' in summary and 'href="#q-time"' in summary
    assert 'href="#q-contacts"' not in summary
    assert 'id="q-attitude"' in html
    assert not Rating.objects.exists()
