"""Where the public reaches an agency: ``motcua import agency-contacts`` / ``motcua export
agency-contacts`` (all or nothing, idempotent, round-tripping)."""

from __future__ import annotations

from pathlib import Path

import pytest

from motcua.agencies.models import AgencyContact
from motcua.cli import main
from motcua.core.models import AuditEvent
from tests.world import World, world_build


@pytest.fixture
def world(db: None) -> World:
    return world_build()


HEADER = "agency,address,opening_hours,phone,hotline,email,map_url\n"
CENTER = (
    '000.00.01.H18,"Số 1 Trần Hưng Đạo, phường Nghĩa Đức","Thứ Hai – Thứ Sáu: 7:00–11:30, '
    '13:30–17:00; Thứ Bảy: 7:30–11:30",0261 3544 999,1900 1234,ttpvhcc@daknong.gov.vn,'
    '"https://maps.example.vn/?q=12.0,107.7"\n'
)


def _file(tmp_path: Path, text: str, name: str = "contacts.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_records_contacts_and_reads_back_unchanged(
    tmp_path: Path, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, HEADER + CENTER + "000.00.19.H18,Số 5 Lê Duẩn,,,,,\n")

    assert main(["import", "agency-contacts", str(path)]) == 0
    assert "2 dòng địa chỉ liên hệ được ghi, 0 không đổi" in capsys.readouterr().out
    center = AgencyContact.objects.get(agency=world.center)
    assert center.opening_lines == [
        "Thứ Hai – Thứ Sáu: 7:00–11:30, 13:30–17:00",
        "Thứ Bảy: 7:30–11:30",
    ]
    assert (center.phone, center.hotline) == ("0261 3544 999", "1900 1234")
    assert AuditEvent.objects.filter(action="agency.contact_save").count() == 2

    assert main(["import", "agency-contacts", str(path)]) == 0
    assert "0 dòng địa chỉ liên hệ được ghi, 2 không đổi" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="agency.contact_save").count() == 2

    out = tmp_path / "out.csv"
    assert main(["export", "agency-contacts", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
    assert main(["import", "agency-contacts", str(out)]) == 0
    assert "0 dòng địa chỉ liên hệ được ghi, 2 không đổi" in capsys.readouterr().out


def test_a_malformed_line_names_file_line_and_column_and_imports_nothing(
    tmp_path: Path, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(
        tmp_path,
        HEADER
        + CENTER
        + "000.00.19.H18,Số 5,,,,not-an-address,\n"
        + "000.99.99.H18,Số 6,,,,,\n"
        + "000.00.20.H18,Số 7,,,,,http://insecure.example/\n"
        + "000.00.01.H18,Số 8, phường 2,,,,,\n",
    )

    assert main(["import", "agency-contacts", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:3: email: " in err
    assert f"{path}:4: agency: " in err
    assert f"{path}:5: map_url: " in err
    assert f"{path}:6: map_url: " in err  # one cell too many
    assert f"{path}:2:" not in err
    assert not AgencyContact.objects.exists()


def test_a_column_left_out_keeps_what_is_recorded(tmp_path: Path, world: World) -> None:
    assert main(["import", "agency-contacts", str(_file(tmp_path, HEADER + CENTER))]) == 0
    phone_only = _file(tmp_path, "agency,phone\n000.00.01.H18,0261 1\n", "p.csv")
    assert main(["import", "agency-contacts", str(phone_only)]) == 0
    center = AgencyContact.objects.get(agency=world.center)
    assert center.phone == "0261 1"
    assert center.address == "Số 1 Trần Hưng Đạo, phường Nghĩa Đức"
