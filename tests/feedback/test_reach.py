"""How citizens reach the rating and the PAKN form, and staff their PAKN queue."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from motcua.dossiers.forms_docs.context import lookup_url
from motcua.feedback.models import Content, Rating, RatingChannel
from tests.feedback.conftest import dossier_make
from tests.world import World

pytestmark = pytest.mark.django_db

ALL_GOOD = {c.value: "2" for c in Content}
RATING_LINK = re.compile(r'href="(/danh-gia/[^"]+)"')


def _rate_from(client: Client, lookup: str) -> Rating:
    page = client.get(lookup).content.decode()
    link = RATING_LINK.search(page)
    assert link, "the lookup page offers the rating"
    done = client.post(link.group(1).replace("&amp;", "&"), ALL_GOOD)
    assert done.status_code == 200
    return Rating.objects.get()


def test_a_rating_reached_from_the_receipts_qr_code_counts_as_qr(world: World) -> None:
    dossier = dossier_make(world)
    scanned = urlsplit(lookup_url(dossier.code, dossier.secret))
    rating = _rate_from(Client(), f"{scanned.path}?{scanned.query}")
    assert rating.channel == RatingChannel.QR


def test_a_rating_reached_from_a_typed_lookup_counts_as_web(world: World) -> None:
    dossier = dossier_make(world)
    rating = _rate_from(Client(), f"/tra-cuu/?ma={dossier.code}&bi-mat={dossier.secret}")
    assert rating.channel == RatingChannel.WEB


def test_the_portal_links_to_the_pakn_form_with_what_it_is_about(world: World) -> None:
    client = Client()
    assert 'href="/phan-anh/gui/"' in client.get("/").content.decode()
    code = world.procedure.procedure.code
    procedure = client.get(f"/thu-tuc/{code}/").content.decode()
    assert f'href="/phan-anh/gui/?thu-tuc={code}"' in procedure
    dossier = dossier_make(world)
    lookup = client.get(f"/tra-cuu/?ma={dossier.code}&bi-mat={dossier.secret}").content.decode()
    assert f'href="/phan-anh/gui/?ho-so={dossier.code}"' in lookup
    form = client.get(f"/phan-anh/gui/?ho-so={dossier.code}").content.decode()
    assert f'value="{dossier.code}"' in form


def test_staff_who_handle_pakn_find_the_queue_in_the_staff_menu(world: World) -> None:
    for user in (world.clerk, world.specialist, world.leader):
        client = Client()
        client.force_login(user)
        inbox = client.get("/can-bo/").content.decode()
        assert 'href="/phan-anh/can-bo/"' in inbox, user.username
        queue = client.get("/phan-anh/can-bo/").content.decode()
        # The queue keeps the staff application's menu: the way back to the dossiers.
        assert 'href="/can-bo/"' in queue and 'aria-current="page"' in queue
