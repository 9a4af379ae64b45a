"""procedure_search (without diacritics) and procedure_current_version."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from motcua.agencies.models import Agency
from motcua.catalog import demo
from motcua.catalog.queries import procedure_current_version, procedure_search
from motcua.core.text import fold

pytestmark = pytest.mark.django_db
Q3_2022 = dt.date(2022, 8, 1)


@pytest.fixture(autouse=True)
def _demo() -> None:
    demo.load(lambda _msg: None)


def _codes(text: str, *, day: dt.date, field: str | None = None) -> set[str]:
    return {v.procedure.code for v in procedure_search(text, field=field, day=day)}


def test_search_ignores_case_and_diacritics() -> None:
    plain = _codes("giay phep xay dung", day=Q3_2022)
    accented = _codes("GIẤY PHÉP XÂY DỰNG", day=Q3_2022)
    assert plain == accented
    assert {"1.009972", "1.009974", "1.010000"} <= plain
    assert "2.000488" not in plain


def test_search_needs_every_word_and_finds_codes() -> None:
    assert _codes("ly lich tu phap cong dan", day=Q3_2022) == {"2.000488"}
    assert _codes("2.000488", day=Q3_2022) == {"2.000488"}
    assert _codes("khong co thu tuc nao nhu the nay", day=Q3_2022) == set()


def test_search_filters_by_field_agency_and_day() -> None:
    assert _codes("dang ky", field="Hộ tịch", day=Q3_2022) == {"1.001193", "1.000894", "1.000656"}
    gia_nghia = Agency.objects.get(name="Ủy ban nhân dân thành phố Gia Nghĩa")
    # The city and the wards under it, not the province's departments.
    in_city = list(procedure_search("", agency=gia_nghia, day=Q3_2022))
    assert in_city and all(v.agency.path.startswith(gia_nghia.path) for v in in_city)
    assert {v.level for v in in_city} == {"district", "commune"}
    # After 1/7/2025 the district is gone, and so are its procedures.
    assert not procedure_search("", agency=gia_nghia, day=dt.date(2025, 8, 1)).exists()
    moved = _codes("giay phep xay dung nha o rieng le", day=dt.date(2025, 8, 1))
    assert moved == {"1.010000"}


def test_current_version_follows_the_reorganisations() -> None:
    def agency_of(code: str, day: dt.date) -> str:
        version = procedure_current_version(code, day)
        assert version is not None
        return version.agency.name

    assert agency_of("1.009645", Q3_2022) == "Sở Kế hoạch và Đầu tư tỉnh Đắk Nông"
    assert agency_of("1.009645", dt.date(2025, 3, 1)) == "Sở Tài chính tỉnh Đắk Nông"
    assert agency_of("1.009645", dt.date(2025, 7, 1)) == "Sở Tài chính tỉnh Lâm Đồng"
    # Driving licences left the catalogue on 1/3/2025 (moved to the police).
    assert procedure_current_version("1.002804", dt.date(2025, 3, 1)) is None
    assert procedure_current_version("9.999999", Q3_2022) is None


def test_current_version_per_agency_and_today() -> None:
    dak_mil = Agency.objects.get(name="Ủy ban nhân dân huyện Đắk Mil")
    version = procedure_current_version("1.010000", Q3_2022, agency=dak_mil)
    assert version is not None and version.agency == dak_mil
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)):
        today = procedure_current_version("2.000488")
    assert today is not None and today.agency.name == "Sở Tư pháp tỉnh Lâm Đồng"


def test_search_tolerates_missing_spaces_and_diacritics() -> None:
    assert "1.001193" in _codes("khaisinh", day=Q3_2022)
    assert "1.001193" in _codes("ĐĂNGKÝ KHAISINH", day=Q3_2022)
    assert "1.001193" in _codes("dangkykhaisinh", day=Q3_2022)
    # Still needs the letters in that order: not any name with "khai" and "sinh" apart.
    assert _codes("sinhkhai", day=Q3_2022) == set()


def test_search_ranks_exact_then_prefix_matches_first() -> None:
    # The exact name comes first, whatever its code (by code, 1.000xxx would lead).
    found = [v.procedure.code for v in procedure_search("dangky khaisinh", day=Q3_2022)]
    assert found[0] == "1.001193"
    results = list(procedure_search("dang ky", day=Q3_2022))
    starts = [fold(v.name).startswith("dang ky") for v in results]
    # Every name starting with the words comes before any that only contains them.
    assert True in starts and False in starts
    assert starts == sorted(starts, reverse=True)
