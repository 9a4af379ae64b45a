"""motcua import catalog / motcua export catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from motcua.catalog.models import ProcedureVersion
from motcua.cli import main

pytestmark = pytest.mark.django_db


def _write(tmp_path: Path, document: dict[str, Any], name: str = "catalog.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_then_reimport(
    tmp_path: Path, document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, document)

    assert main(["import", "catalog", str(path)]) == 0
    assert "procedure versions 2 created" in capsys.readouterr().out
    assert main(["import", "catalog", str(path)]) == 0
    assert "0 created" in capsys.readouterr().out
    assert ProcedureVersion.objects.count() == 2


def test_invalid_file_exits_non_zero_with_file_and_path(
    tmp_path: Path, document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    document["procedures"][0]["steps"][1]["hours"] = -1
    document["procedures"][1]["agency"] = "000.00.77.H99"
    path = _write(tmp_path, document)

    assert main(["import", "catalog", str(path)]) == 1

    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{path}: $.procedures[0].steps[1].hours: -1 is less than the minimum of 0",
        f"{path}: 1 error(s); nothing imported.",
    ]
    assert not ProcedureVersion.objects.exists()


def test_semantic_errors_and_check_mode(
    tmp_path: Path, document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    document["procedures"][1]["agency"] = "000.00.77.H99"
    path = _write(tmp_path, document)

    assert main(["import", "catalog", "--check", str(path)]) == 1
    assert f"{path}: $.procedures[1].agency: unknown agency code '000.00.77.H99'" in (
        capsys.readouterr().err
    )
    document["procedures"][1]["agency"] = "000.00.03.H99"
    assert main(["import", "catalog", "--check", str(_write(tmp_path, document))]) == 0
    assert not ProcedureVersion.objects.exists()  # --check writes nothing


def test_bad_json_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"agencies": [\n  {"code": "x",}\n]}', encoding="utf-8")

    assert main(["import", "catalog", str(broken)]) == 1
    assert f"{broken}:2:16: invalid JSON: Expecting property name" in capsys.readouterr().err
    assert main(["import", "catalog", str(tmp_path / "nope.json")]) == 1
    assert "nope.json: cannot read" in capsys.readouterr().err


def test_export_to_file_and_stdout_round_trips(
    tmp_path: Path, document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    main(["import", "catalog", str(_write(tmp_path, document))])
    capsys.readouterr()
    out = tmp_path / "out.json"

    assert main(["export", "catalog", "--output", str(out)]) == 0
    assert main(["export", "catalog"]) == 0
    stdout = capsys.readouterr().out
    assert json.loads(stdout) == json.loads(out.read_text(encoding="utf-8"))
    assert "Cấp Phiếu lý lịch tư pháp" in stdout  # UTF-8, not \u escapes
    assert main(["import", "catalog", str(out)]) == 0
    assert "0 created" in capsys.readouterr().out
