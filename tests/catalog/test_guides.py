"""The citizen's guide of a procedure version (conditions, steps, blank forms):
``motcua import procedure-guides DIR`` / ``motcua export procedure-guides DIR``, all or
nothing, idempotent, round-tripping; a new version of the procedure keeps it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from motcua.catalog.models import BlankForm, ProcedureVersion
from motcua.catalog.services import catalog_import, procedure_version_copy
from motcua.cli import main
from motcua.core.models import AuditEvent
from tests.world import World, world_build


@pytest.fixture
def world(db: None) -> World:
    return world_build()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _folder(tmp_path: Path, entries: list[Any], name: str = "guides") -> Path:
    folder = tmp_path / name
    (folder / "mau").mkdir(parents=True, exist_ok=True)
    (folder / "mau" / "to-khai.pdf").write_bytes(PDF)
    (folder / "mau" / "don.docx").write_bytes(docx_bytes())
    lines = [e if isinstance(e, str) else json.dumps(e, ensure_ascii=False) for e in entries]
    (folder / "guides.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _stored_files() -> list[str]:
    """The names of the stored blank forms' files, sorted: every form has its file."""
    names = []
    for form in BlankForm.objects.all():
        assert form.file.name is not None
        names.append(form.file.name)
    return sorted(names)


ENTRY: dict[str, Any] = {
    "code": "1.001234",
    "conditions": "Công dân Việt Nam từ đủ 14 tuổi.",
    "steps": ["Nộp tờ khai tại Trung tâm", "Nhận giấy hẹn", "Nhận phiếu theo hẹn"],
    "forms": [
        {
            "name": "Tờ khai yêu cầu cấp Phiếu LLTP",
            "number": "Mẫu 03/TK",
            "file": "mau/to-khai.pdf",
        },
        {"name": "Đơn đề nghị", "number": "", "file": "mau/don.docx"},
    ],
}


def _guide(version: ProcedureVersion) -> tuple[Any, ...]:
    version.refresh_from_db()
    forms = [
        (f.name, f.number, f.content_type, f.file.open("rb").read())
        for f in version.forms.order_by("position")
    ]
    return (version.conditions, version.applicant_step_lines, forms)


def test_import_records_the_guide_and_a_second_import_changes_nothing(
    tmp_path: Path, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path, [ENTRY])

    assert main(["import", "procedure-guides", str(folder)]) == 0
    assert "1 phiên bản" in capsys.readouterr().out
    conditions, steps, forms = _guide(world.procedure)
    assert conditions == "Công dân Việt Nam từ đủ 14 tuổi."
    assert steps == ENTRY["steps"]
    assert [(n, num, ct) for n, num, ct, _b in forms] == [
        ("Tờ khai yêu cầu cấp Phiếu LLTP", "Mẫu 03/TK", "application/pdf"),
        (
            "Đơn đề nghị",
            "",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ]
    assert forms[0][3] == PDF
    assert AuditEvent.objects.filter(action="catalog.guide_save").count() == 1
    files = _stored_files()

    assert main(["import", "procedure-guides", str(folder)]) == 0
    assert "0 phiên bản thủ tục được cập nhật, 1 không đổi" in capsys.readouterr().out
    assert _stored_files() == files
    assert AuditEvent.objects.filter(action="catalog.guide_save").count() == 1


def test_export_reads_back_unchanged(tmp_path: Path, world: World) -> None:
    assert main(["import", "procedure-guides", str(_folder(tmp_path, [ENTRY]))]) == 0
    before = _guide(world.procedure)
    out = tmp_path / "out"

    assert main(["export", "procedure-guides", str(out)]) == 0
    exported = [json.loads(line) for line in (out / "guides.jsonl").read_text().splitlines()]
    assert [(e["code"], e["version"]) for e in exported] == [("1.001234", 1)]
    # Changing the guide, then importing the export, restores it exactly.
    changed = {**ENTRY, "conditions": "khác", "steps": [], "forms": []}
    assert main(["import", "procedure-guides", str(_folder(tmp_path, [changed], "x"))]) == 0
    assert _guide(world.procedure) != before
    assert main(["import", "procedure-guides", str(out)]) == 0
    assert _guide(world.procedure) == before
    out2 = tmp_path / "out2"
    assert main(["export", "procedure-guides", str(out2)]) == 0
    assert (out2 / "guides.jsonl").read_text() == (out / "guides.jsonl").read_text()


def test_a_malformed_line_names_file_line_and_column_and_imports_nothing(
    tmp_path: Path, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not a form")
    folder = _folder(
        tmp_path,
        [
            ENTRY,
            {"code": "1.009999", "forms": [{"name": "Tờ khai", "file": "mau/missing.pdf"}]},
            {"code": "9.999999"},
            '{"code": "1.009999", "steps": [',
            {"code": "1.009999", "version": 1, "forms": [{"name": "X", "file": "../notes.txt"}]},
        ],
    )
    (folder / "mau" / "fake.pdf").write_text("plain text")

    assert main(["import", "procedure-guides", str(folder)]) == 1
    err = capsys.readouterr().err
    guides = folder / "guides.jsonl"
    assert f"{guides}:2: forms[0].file: mau/missing.pdf" in err
    assert f"{guides}:3: code: " in err
    assert f"{guides}:4: json: " in err
    assert f"{guides}:5: forms[0].file: " in err
    assert f"{guides}:1:" not in err
    assert not BlankForm.objects.exists()
    world.procedure.refresh_from_db()
    assert world.procedure.conditions == ""


def test_a_file_that_is_not_a_pdf_is_refused(
    tmp_path: Path, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(
        tmp_path, [{"code": "1.001234", "forms": [{"name": "Tờ khai", "file": "mau/fake.pdf"}]}]
    )
    (folder / "mau" / "fake.pdf").write_text("<html>not a pdf</html>")

    assert main(["import", "procedure-guides", str(folder)]) == 1
    assert f"{folder / 'guides.jsonl'}:1: forms[0].file: mau/fake.pdf" in capsys.readouterr().err
    assert not BlankForm.objects.exists()


def test_a_new_version_keeps_the_guide(
    tmp_path: Path, world: World, document: dict[str, Any]
) -> None:
    catalog_import(document, actor="test")
    entry = {**ENTRY, "code": "2.000488"}
    assert main(["import", "procedure-guides", str(_folder(tmp_path, [entry]))]) == 0
    first = ProcedureVersion.objects.get(procedure__code="2.000488")
    guide = _guide(first)

    document["procedures"][0]["fee"] = 100000  # a changed procedure is a new version
    catalog_import(document, actor="test")
    second = ProcedureVersion.objects.get(procedure__code="2.000488", valid_to=None, number=2)
    assert _guide(second) == guide
    copy = procedure_version_copy(version=second, actor="test")
    assert _guide(copy) == guide
