"""The province's list of procedures received regardless of administrative boundaries
(ND 118/2025): ``motcua import province-wide`` / ``motcua export province-wide``, and what the
imported list lets a one-stop point receive on a day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import ProvinceWideListing
from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.dossiers.intake_points import Refusal, point_refusal
from tests.world import (
    DECIDED_ON,
    DECISION,
    MONDAY,
    Communes,
    World,
    communes_build,
    world_build,
)


@dataclass(frozen=True)
class Place:
    """The fixture world with its communes (two procedures already listed by ``DECISION``)."""

    world: World
    communes: Communes


@pytest.fixture
def place(db: None) -> Place:
    world = world_build()
    return Place(world, communes_build(world))


HEADER = "province,procedure,decision,valid_from,valid_to\n"


def _file(tmp_path: Path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _listings() -> set[tuple[str, str, dt.date, dt.date | None]]:
    return {
        (row.procedure.code, row.decision, row.valid_from, row.valid_to)
        for row in ProvinceWideListing.objects.select_related("procedure")
    }


def test_a_decision_lists_and_takes_off_procedures_from_its_dates(
    tmp_path: Path, place: Place, capsys: pytest.CaptureFixture[str]
) -> None:
    world, communes = place.world, place.communes
    marriage = communes.unlisted_commune
    before = point_refusal(world.center, marriage, MONDAY)
    assert before is not None and before.code == Refusal.NOT_LISTED
    province = world.province.code
    path = _file(
        tmp_path,
        HEADER
        # A new decision lists marriage registration from 1/1/2026 ...
        + f"{province},1.000894,567/QĐ-UBND,2026-01-01,\n"
        # ... and the provincial procedure leaves the list after 30/9/2026.
        + f"{province},2.000488,{DECISION},{DECIDED_ON.isoformat()},2026-09-30\n",
    )

    assert main(["import", "province-wide", str(path)]) == 0
    assert f"{path}: 2 " in capsys.readouterr().out
    assert _listings() == {
        ("1.000894", "567/QĐ-UBND", dt.date(2026, 1, 1), None),
        ("2.000488", DECISION, DECIDED_ON, dt.date(2026, 9, 30)),
        ("2.000815", DECISION, DECIDED_ON, None),
    }
    # A dossier is judged on its receipt day.
    assert point_refusal(world.center, marriage, MONDAY) is None
    refused = point_refusal(world.center, marriage, dt.date(2025, 12, 31))
    assert refused is not None and refused.code == Refusal.LISTED_LATER
    assert "1/1/2026" in refused.message and "567/QĐ-UBND" in refused.message
    provincial = communes.listed_provincial
    assert point_refusal(communes.commune_center, provincial, dt.date(2026, 9, 30)) is None
    ended = point_refusal(communes.commune_center, provincial, MONDAY)
    assert ended is not None and ended.code == Refusal.NOT_LISTED


def test_reimporting_the_same_file_changes_nothing(
    tmp_path: Path, place: Place, capsys: pytest.CaptureFixture[str]
) -> None:
    world = place.world
    path = _file(tmp_path, HEADER + f"{world.province.code},1.000894,567/QĐ-UBND,2026-01-01,\n")
    assert main(["import", "province-wide", str(path)]) == 0
    before = (_listings(), AuditEvent.objects.count())
    capsys.readouterr()

    assert main(["import", "province-wide", str(path)]) == 0
    assert f"{path}: 0 " in capsys.readouterr().out
    assert (_listings(), AuditEvent.objects.count()) == before


def test_the_export_reads_back_unchanged(
    tmp_path: Path, place: Place, capsys: pytest.CaptureFixture[str]
) -> None:
    world = place.world
    province = world.province.code
    source = _file(
        tmp_path,
        HEADER + f"{province},2.000488,{DECISION},{DECIDED_ON.isoformat()},2026-09-30\n",
        "in.csv",
    )
    assert main(["import", "province-wide", str(source)]) == 0
    out = tmp_path / "out.csv"
    assert main(["export", "province-wide", "--output", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text == (
        HEADER
        + f"{province},2.000488,{DECISION},2025-07-01,2026-09-30\n"
        + f"{province},2.000815,{DECISION},2025-07-01,\n"
    )
    before = _listings()
    ProvinceWideListing.objects.all().delete()

    assert main(["import", "province-wide", str(out)]) == 0
    assert _listings() == before
    capsys.readouterr()
    assert main(["import", "province-wide", str(out)]) == 0
    assert f"{out}: 0 " in capsys.readouterr().out
    assert main(["export", "province-wide"]) == 0
    assert capsys.readouterr().out == text


def test_a_bad_file_names_line_and_column_and_imports_nothing(
    tmp_path: Path, place: Place, capsys: pytest.CaptureFixture[str]
) -> None:
    world = place.world
    province = world.province.code
    path = _file(
        tmp_path,
        HEADER
        + f"{province},1.000894,567/QĐ-UBND,2026-01-01,\n"  # good, but not imported
        + f"{world.justice.code},1.000894,568/QĐ-UBND,2026-01-01,\n"
        + f"{province},9.999999,567/QĐ-UBND,2026-01-01,\n"
        + f"{province},1.000894,,2026-01-01,\n"
        + f"{province},1.000894,569/QĐ-UBND,1/1/2026,\n"
        + f"{province},1.000894,570/QĐ-UBND,2026-01-01,2025-12-31\n"
        + f"{province},1.000894,567/QĐ-UBND,2026-02-01,\n",
    )
    before = _listings()

    assert main(["import", "province-wide", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    located = [line.split(": ", 2)[:2] for line in err[:-1]]
    assert located == [
        [f"{path}:3", "province"],
        [f"{path}:4", "procedure"],
        [f"{path}:5", "decision"],
        [f"{path}:6", "valid_from"],
        [f"{path}:7", "valid_to"],
        [f"{path}:8", "decision"],
    ]
    assert "'9.999999'" in err[1] and "dòng 2" in err[5]
    assert err[-1].startswith(f"{path}: 6 ")
    assert _listings() == before


def test_a_file_without_its_columns_is_refused_at_line_one(
    tmp_path: Path, place: Place, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _listings()
    path = _file(tmp_path, "procedure,decision,until\n1.000894,567/QĐ-UBND,\n")
    assert main(["import", "province-wide", str(path)]) == 1
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"{path}:1: ")
    assert "province" in first and "valid_from" in first and "until" in first
    assert _listings() == before


def test_the_admin_writes_through_the_service_and_is_audited(place: Place, client: Client) -> None:
    world, communes = place.world, place.communes
    client.force_login(world.admin)
    url = reverse("admin:catalog_provincewidelisting_add")
    data = {
        "province": world.province.pk,
        "procedure": communes.unlisted_commune.procedure_id,
        "decision": " 567/QĐ-UBND ",
        "valid_from": "2026-01-01",
        "valid_to": "",
    }
    assert client.post(url, data).status_code == 302
    listing = ProvinceWideListing.objects.get(decision="567/QĐ-UBND")
    event = AuditEvent.objects.get(
        action="catalog.province_wide_listing_save", object_id=str(listing.pk)
    )
    assert event.actor == world.admin
    # A department is not a province: the form refuses it, nothing is written.
    data |= {"province": world.justice.pk, "decision": "568/QĐ-UBND"}
    assert client.post(url, data).status_code == 200
    assert not ProvinceWideListing.objects.filter(decision="568/QĐ-UBND").exists()
