"""The project boots: settings, URL map, the health check and the CLI's help."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from motcua.cli import main


@pytest.mark.django_db
def test_healthz_answers_ok(client: Client, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path  # no worker has ever beaten here
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "worker": {"status": "none"}}


@pytest.mark.django_db
def test_admin_login_page_speaks_vietnamese(client: Client) -> None:
    # The admin's login is the staff login (one login with one set of limits).
    response = client.get("/quan-tri/login/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/dang-nhap/")
    assert response.status_code == 200
    assert "Tên đăng nhập" in response.content.decode()


def test_cli_without_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "serve" in capsys.readouterr().out


@pytest.mark.django_db
def test_pages_speak_vietnamese_whatever_the_browser_language(client: Client) -> None:
    page = client.get("/quan-tri/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", follow=True)
    assert "Tên đăng nhập" in page.content.decode()
    assert page["Content-Language"] == "vi"


@pytest.mark.django_db
def test_english_is_a_choice_remembered_in_the_language_cookie(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/quan-tri/login/", HTTP_ACCEPT_LANGUAGE="vi", follow=True)
    assert "Username" in page.content.decode()
    assert page["Content-Language"] == "en"
