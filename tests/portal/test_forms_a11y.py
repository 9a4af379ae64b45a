"""Form errors a screen reader can reach: each invalid input points at its message, which is
in Vietnamese, and the browser's own (English on many phones) validation is off."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.portal.conftest import Portal

pytestmark = pytest.mark.django_db

INPUT = re.compile(r"<(?:input|textarea|select)\b[^>]*>")


def _described_errors(html: str) -> dict[str, str]:
    """name -> the text its aria-describedby points at, for inputs marked invalid."""
    found = {}
    for tag in INPUT.findall(html):
        if 'aria-invalid="true"' not in tag:
            continue
        named = re.search(r'name="([^"]+)"', tag)
        described = re.search(r'aria-describedby="([^"]+)"', tag)
        assert named is not None and described is not None, tag
        name = named.group(1)
        ids = described.group(1).split()
        texts = [re.search(rf'id="{i}"[^>]*>(.*?)</', html, re.S) for i in ids]
        found[name] = " ".join(m.group(1) for m in texts if m)
    return found


def test_register_errors_are_tied_to_their_inputs(portal: Portal) -> None:
    html = Client().post("/ca-nhan/dang-ky/", {"next": ""}).content.decode()
    errors = _described_errors(html)
    assert set(errors) == {"full_name", "identifier", "password", "password2"}
    assert all("bắt buộc" in text for text in errors.values()), errors
    assert "novalidate" in html


def test_pakn_errors_are_tied_to_their_inputs_and_in_vietnamese(portal: Portal) -> None:
    html = Client().post("/phan-anh/gui/", {"subject": "general"}).content.decode()
    errors = _described_errors(html)
    assert {"text", "name"} <= set(errors)
    assert "Vui lòng cho biết ít nhất một cách liên hệ." in html
    assert re.search(r"<form[^>]*novalidate", html)
