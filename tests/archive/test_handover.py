"""Hand-over to the records office (`motcua archive export`) and the list of documents past
their retention (`motcua archive expired`), through the command."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from pytest_django import Settings

from motcua.archive.files import atomic_with_files
from motcua.archive.models import Document, DocumentKind, Origin
from motcua.archive.services import DocumentMeta, document_store
from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import PartInput, dossier_finish, dossier_receive
from tests.dossiers.conftest import citizen_applicant, to_signing
from tests.world import MONDAY, World, local

SCAN = b"%PDF-1.4 ban chup giay khai sinh"
RESULT = b"%PDF-1.4 phieu ly lich tu phap"


def _dossier(world: World, id_number: str, *, finish: bool = True) -> Dossier:
    dossier = dossier_receive(
        procedure_version=world.procedure,
        applicant=citizen_applicant(id_number=id_number),
        actor=world.clerk,
        receiving_unit=world.center,
        parts=[
            PartInput(
                name="Giấy khai sinh",
                file=SimpleUploadedFile("khai-sinh.pdf", SCAN + id_number.encode()),
                content_type="application/pdf",
            )
        ],
    )
    if finish:
        dossier = to_signing(world, dossier)
        dossier_finish(
            dossier=dossier,
            actor=world.leader,
            result_file=SimpleUploadedFile("ket-qua.pdf", RESULT + id_number.encode()),
        )
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def dossiers(world: World, media: Path) -> dict[str, Dossier]:
    """Sở Tư pháp: two dossiers ended in 2026, one open, one ended in 2027; one of Sở GTVT
    ended in 2026; and a citizen's own document (no dossier)."""
    made: dict[str, Dossier] = {}
    with time_machine.travel(local(MONDAY, 9), tick=False):
        made["first"] = _dossier(world, "066090000001")
        made["second"] = _dossier(world, "066090000002")
        made["open"] = _dossier(world, "066090000003", finish=False)
        made["other_agency"] = _dossier(world, "066090000004")
        with atomic_with_files():
            document_store(
                content=ContentFile(b"%PDF-1.4 cccd", name="cccd.pdf"),
                content_type="application/pdf",
                meta=DocumentMeta(name="CCCD", kind=DocumentKind.UPLOAD, origin=Origin.ONLINE),
                owner=world.citizen,
                in_store=True,
            )
    # Decided by another agency (set directly: the world has no procedure of Sở GTVT).
    Dossier.objects.filter(pk=made["other_agency"].pk).update(agency=world.transport)
    with time_machine.travel(local(MONDAY.replace(year=2027), 9), tick=False):
        made["next_year"] = _dossier(world, "066090000005")
    return made


def _export(tmp_path: Path, *args: str) -> tuple[int, Path]:
    out = tmp_path / "goi-nop-luu"
    code = main(["archive", "export", "--output", str(out), *args])
    return code, out


@pytest.mark.django_db(transaction=False)
def test_export_package_holds_the_agency_year_documents_with_matching_hashes(
    world: World, dossiers: dict[str, Dossier], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _export(tmp_path, "--agency", world.justice.code, "--year", "2026")

    assert code == 0, capsys.readouterr().err
    manifest_bytes = (out / "manifest.json").read_bytes()
    manifest = json.loads(manifest_bytes)
    expected = Document.objects.filter(
        dossier__in=[dossiers["first"], dossiers["second"]]
    ).order_by("id")
    assert manifest["agency"] == {"code": world.justice.code, "name": world.justice.name}
    assert manifest["year"] == 2026
    # Exactly the two ended dossiers' parts and results: not the open one, not 2027's, not
    # another agency's, not a citizen's own document.
    assert sorted(e["id"] for e in manifest["documents"]) == [d.pk for d in expected]
    assert len(expected) == 4
    assert {e["dossier_code"] for e in manifest["documents"]} == {
        dossiers["first"].code,
        dossiers["second"].code,
    }
    for entry in manifest["documents"]:
        document = Document.objects.get(pk=entry["id"])
        data = (out / entry["file"]).read_bytes()
        assert entry["file"] == f"files/{document.pk}.pdf"
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] == document.sha256
        assert entry["size"] == len(data)
        assert entry["retention_years"] == document.retention_years
    result = next(
        e
        for e in manifest["documents"]
        if e["kind"] == "result" and e["dossier_code"] == dossiers["first"].code
    )
    assert result["code"] == "066090000001.1.001234"
    assert result["holder_id_number"] == "066090000001"
    assert result["issuer"] == world.justice.name
    assert result["issued_on"] == "2026-10-05"
    assert result["retain_until"] is None  # results are kept for good
    part = next(e for e in manifest["documents"] if e["kind"] == "part")
    assert part["retain_until"] == "2036-10-05"
    assert part["dossier_part"] == "Giấy khai sinh"
    # The manifest-level hashes: over the documents' list, and of the file itself.
    canonical = json.dumps(
        manifest["documents"], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()
    assert manifest["documents_sha256"] == hashlib.sha256(canonical).hexdigest()
    assert (out / "manifest.json.sha256").read_text() == (
        f"{hashlib.sha256(manifest_bytes).hexdigest()}  manifest.json\n"
    )
    assert sorted(p.name for p in (out / "files").iterdir()) == sorted(
        f"{d.pk}.pdf" for d in expected
    )
    event = AuditEvent.objects.get(action="archive.export")
    assert event.object_id == world.justice.code and event.data["documents"] == 4


@pytest.mark.django_db
def test_export_of_another_year_and_agency(
    world: World, dossiers: dict[str, Dossier], tmp_path: Path
) -> None:
    code, out = _export(tmp_path, "--agency", world.transport.code, "--year", "2026")
    assert code == 0
    codes = {
        e["dossier_code"] for e in json.loads((out / "manifest.json").read_text())["documents"]
    }
    assert codes == {dossiers["other_agency"].code}

    out2 = tmp_path / "2027"
    assert (
        main(
            [
                "archive",
                "export",
                "--agency",
                world.justice.code,
                "--year",
                "2027",
                "--output",
                str(out2),
            ]
        )
        == 0
    )
    codes = {
        e["dossier_code"] for e in json.loads((out2 / "manifest.json").read_text())["documents"]
    }
    assert codes == {dossiers["next_year"].code}


@pytest.mark.django_db
def test_export_refuses_to_overwrite_and_names_what_is_wrong(
    world: World, dossiers: dict[str, Dossier], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "goi-nop-luu"
    out.mkdir()
    (out / "cu.txt").write_text("đã có")
    code = main(
        [
            "archive",
            "export",
            "--agency",
            world.justice.code,
            "--year",
            "2026",
            "--output",
            str(out),
        ]
    )
    assert code == 1
    assert f"{out}: exists and is not an empty folder" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["cu.txt"]

    code = main(
        [
            "archive",
            "export",
            "--agency",
            "000.99",
            "--year",
            "2026",
            "--output",
            str(tmp_path / "x"),
        ]
    )
    assert code == 1
    assert "--agency 000.99: no agency has this code" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()

    with pytest.raises(SystemExit) as exit_info:
        main(
            [
                "archive",
                "export",
                "--agency",
                world.justice.code,
                "--year",
                "26",
                "--output",
                str(tmp_path / "y"),
            ]
        )
    assert exit_info.value.code == 2
    assert "'26' is not a year (YYYY)" in capsys.readouterr().err


@pytest.mark.django_db
def test_export_refuses_a_file_changed_in_storage_and_leaves_nothing(
    world: World,
    dossiers: dict[str, Dossier],
    media: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    damaged = Document.objects.filter(dossier=dossiers["second"], kind="result").get()
    assert damaged.file.name is not None
    (media / damaged.file.name).write_bytes(b"%PDF-1.4 sua doi")

    code, out = _export(tmp_path, "--agency", world.justice.code, "--year", "2026")

    assert code == 1
    err = capsys.readouterr().err
    assert f"document {damaged.pk}: file {damaged.file.name}: sha256" in err
    assert "differs from the recorded" in err
    assert not out.exists()
    assert not AuditEvent.objects.filter(action="archive.export").exists()


@pytest.mark.django_db
def test_expired_lists_documents_past_retention_at_a_date_and_deletes_nothing(
    world: World, dossiers: dict[str, Dossier], capsys: pytest.CaptureFixture[str]
) -> None:
    parts_2026 = Document.objects.filter(kind="part", created_at__year=2026).order_by("id")
    assert len(parts_2026) == 4  # four dossiers received on 5/10/2026

    # Parts are kept 10 years: the last day is 5/10/2036, expired from 6/10/2036.
    assert main(["archive", "expired", "--on", "2036-10-05"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1:] == []
    assert "0 document(s) past their retention on 2036-10-05" in err

    assert main(["archive", "expired", "--on", "2036-10-06"]) == 0
    out, err = capsys.readouterr()
    rows = [line.split("\t") for line in out.splitlines()[1:]]
    assert [int(row[0]) for row in rows] == [d.pk for d in parts_2026]
    assert {row[1] for row in rows} == {"part"}
    assert rows[0][7] == "2036-10-05"
    # Results and the citizen's store are kept for good; nothing was deleted.
    assert Document.objects.count() == 5 + 4 + 1  # parts, results, the citizen's own
    for document in parts_2026:
        assert document.file.name is not None
        assert document.file.storage.exists(document.file.name)


def test_expired_refuses_a_bad_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["archive", "expired", "--on", "5/10/2036"])
    assert exit_info.value.code == 2
    assert "'5/10/2036' is not a date (YYYY-MM-DD)" in capsys.readouterr().err


def test_retention_years_are_set_by_kind_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Settings
) -> None:
    import runpy

    import motcua.settings
    from motcua.archive.models import retention_years

    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_RETENTION_YEARS", "part=20, form=15")
    configured = runpy.run_path(motcua.settings.__file__)["MOTCUA"]
    assert configured["RETENTION_YEARS"] == {"part": 20, "form": 15}
    settings.MOTCUA = configured
    assert (retention_years("part"), retention_years("form")) == (20, 15)
    assert retention_years("result") == 0  # the default: for good

    monkeypatch.setenv("MOTCUA_RETENTION_YEARS", "part=hai mươi")
    with pytest.raises(ValueError, match="'part=hai mươi' is not KIND=YEARS"):
        runpy.run_path(motcua.settings.__file__)
