"""``motcua import guidance``: validated first, all or nothing, idempotent by line hash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.dossiers.importing import ImportFailed, import_guidance_records
from motcua.dossiers.models import Guidance
from tests.dossiers.import_world import CENTER, DATA, catalogue_build, write_jsonl

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    return catalogue_build()


def test_guidance_file_imports_and_reimport_changes_nothing(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(DATA / "guidance_small.jsonl")
    assert main(["import", "guidance", path]) == 0
    rows = list(Guidance.objects.order_by("at"))
    assert [(g.kind, g.unit.code, g.procedure_code) for g in rows] == [
        ("direct", CENTER, "1.004227"),
        ("incoming_call", CENTER, ""),
        ("outgoing_call", CENTER, ""),
    ]
    assert rows[0].at == dt.datetime(2022, 8, 29, 8, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert all(len(g.import_key) == 64 for g in rows)
    assert main(["import", "guidance", path]) == 0
    assert "0 guidance imported, 3 already present" in capsys.readouterr().out
    assert Guidance.objects.count() == 3
    assert AuditEvent.objects.filter(action="guidance.import").count() == 2


def test_guidance_with_any_bad_line_imports_nothing(
    world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {"at": "2022-08-29T08:15:00+07:00", "kind": "direct", "unit": CENTER}
    path = write_jsonl(
        tmp_path / "guidance.jsonl",
        [
            good,
            {**good, "unit": "000.00.99.H18"},
            {**good, "kind": "letter"},
            {**good, "at": "29/08/2022"},
            {**good, "procedure": "9.999"},
        ],
    )
    assert main(["import", "guidance", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:4] == [
        "guidance.jsonl:2: unit: unknown agency '000.00.99.H18'",
        "guidance.jsonl:3: kind: 'letter' is not one of ['direct', 'outgoing_call', "
        "'incoming_call']",
        "guidance.jsonl:4: at: '29/08/2022' is not a date-time with a UTC offset",
        "guidance.jsonl:5: procedure: unknown procedure '9.999'",
    ]
    assert Guidance.objects.count() == 0


def test_guidance_api_raises_with_every_error(world: dict[str, Any]) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_guidance_records([{"kind": "direct", "unit": CENTER}, {"at": 1}])
    assert [(e.line, e.field) for e in caught.value.errors] == [
        (1, "at"),
        (2, "at"),
        (2, "kind"),
        (2, "unit"),
    ]
