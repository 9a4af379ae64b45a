"""The project boots: settings, URL map, the health check and the CLI's help."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.cli import main


@pytest.mark.django_db
def test_healthz_answers_ok(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_admin_login_page_speaks_vietnamese(client: Client) -> None:
    response = client.get("/quan-tri/login/")
    assert response.status_code == 200
    assert "Tên đăng nhập" in response.content.decode()


def test_cli_without_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "serve" in capsys.readouterr().out
