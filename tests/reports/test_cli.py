"""`motcua report` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from motcua.cli import main

from .builders import agency, dossier, procedure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _history() -> None:
    pv = procedure(agency("000.00.01.H18", "Sở Tư pháp"))
    dossier(pv, received="2022-06-06T02:00", channel="online")


def test_report_prints_json_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--from", "2022-06-05", "--to", "2022-08-31"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["received"]["online"] == 1
    assert out["scope"]["agency"] is None


def test_report_writes_the_file_and_scopes_by_agency(tmp_path: Path) -> None:
    target = tmp_path / "r.json"
    args = [
        "report",
        "--from",
        "2022-06-05",
        "--to",
        "2022-08-31",
        "--agency",
        "000.00.01.H18",
        "--format",
        "json",
        "--output",
        str(target),
    ]
    assert main(args) == 0
    assert json.loads(target.read_text())["scope"]["name"] == "Sở Tư pháp"


def test_documents_need_an_output_file(capsys: pytest.CaptureFixture[str]) -> None:
    # The documents themselves are tested in test_documents.py.
    args = ["report", "--from", "2022-06-05", "--to", "2022-08-31", "--format", "docx"]
    assert main(args) == 2
    assert "--format docx needs --output FILE" in capsys.readouterr().err


def test_unknown_agency_and_bad_period_say_what_is_wrong(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["report", "--from", "2022-06-05", "--to", "2022-08-31", "--agency", "X"]) == 2
    assert "no agency with code 'X'" in capsys.readouterr().err
    assert main(["report", "--from", "2022-09-05", "--to", "2022-08-31"]) == 2
    assert "before it starts" in capsys.readouterr().err


def test_bad_date_is_rejected_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--from", "5/6/2022", "--to", "2022-08-31"])
    assert "YYYY-MM-DD" in capsys.readouterr().err
