"""Light pages: what a phone downloads for each public page (HTML + CSS + JS, gzip-compressed
as WhiteNoise and any proxy serve them), held under a budget. Run with ``-s`` to print the
table: ``pytest tests/portal/test_page_weights.py -s``."""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from motcua.dossiers.applicants import Applicant
from motcua.dossiers.services import dossier_accept, dossier_finish, dossier_submit
from tests.portal.conftest import Portal

pytestmark = pytest.mark.django_db

BUDGET = 100 * 1024  # bytes, gzip, per page with its CSS and JS
ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="/static/([^"?]+)')
FONT_OR_CDN = re.compile(r"https?://(?!127\.0\.0\.1)|@font-face|\.woff2?")


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


def weigh(client: Client, url: str) -> tuple[int, int, int, int]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content
    css = js = 0
    raw = len(html)
    for path in ASSET.findall(html.decode()):
        found = finders.find(path)
        assert found, path
        with open(found, "rb") as f:
            data = f.read()
        assert not FONT_OR_CDN.search(data.decode("utf-8", "replace")), path
        raw += len(data)
        if path.endswith(".css"):
            css += _gz(data)
        else:
            js += _gz(data)
    assert not FONT_OR_CDN.search(html.decode()), url
    return _gz(html), css, js, raw


def test_public_pages_stay_under_budget(portal: Portal) -> None:
    dossier = dossier_submit(
        procedure_version=portal.building,
        applicant=Applicant(kind="citizen", name="Nguyễn Văn An"),
        actor=portal.citizen,
        owner=portal.citizen,
    )
    dossier = dossier_accept(dossier=dossier, actor=portal.world.clerk)
    dossier = dossier_finish(dossier=dossier, actor=portal.world.leader)  # rateable
    pages = {
        "home": (portal.client(), "/"),
        "search": (portal.client(), "/thu-tuc/?q=giay+phep"),
        "procedure": (portal.client(), "/thu-tuc/1.009972/"),
        "notice (A4)": (portal.client(), "/thu-tuc/1.009972/in/"),
        "submission": (portal.client(portal.citizen), "/thu-tuc/1.009972/nop/"),
        "lookup": (portal.client(), f"/tra-cuu/?ma={dossier.code}&bi-mat={dossier.secret}"),
        "rating": (portal.client(), f"/danh-gia/{dossier.code}/?bi-mat={dossier.secret}"),
        "PAKN form": (portal.client(), "/phan-anh/gui/"),
    }
    rows = []
    for name, (client, url) in pages.items():
        html, css, js, raw = weigh(client, url)
        total = html + css + js
        rows.append((name, html, css, js, total, raw))
        assert total < BUDGET, (name, total)
        # The public pages work as plain HTML forms and links; their one script is the
        # half-kilobyte site.js (the language switch sends itself, which an inline handler
        # did before the Content-Security-Policy), loaded deferred.
        assert js < 1024, (name, js)
    print("\npage          HTML gz   CSS gz    JS gz    total gz   (uncompressed)")
    for name, html, css, js, total, raw in rows:
        print(f"{name:<12} {html:>8} {css:>8} {js:>8} {total:>10}   ({raw})")
