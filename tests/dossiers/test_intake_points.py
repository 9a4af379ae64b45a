"""Who may receive a procedure (``dossiers.intake_points.intake_refusal``), over plain values:
no database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from motcua.dossiers.intake_points import (
    IntakePoint,
    IntakeProcedure,
    Listing,
    Refusal,
    intake_refusal,
    listing_on,
)

DAY = dt.date(2026, 10, 5)
# Ids: 1 the province's committee, 2 its centre, 3 Sở Tư pháp, 10 a commune's committee,
# 11 the commune's one-stop unit; 50 another province's committee, 51 its centre.
PROVINCIAL_CENTER = IntakePoint(
    id=2,
    name="Trung tâm Phục vụ hành chính công tỉnh",
    kind="service_center",
    level="province",
    valid_from=None,
    valid_to=None,
    committee_id=1,
    committee_name="UBND tỉnh Đắk Nông",
    province_id=1,
)
COMMUNE_POINT = IntakePoint(
    id=11,
    name="Bộ phận Một cửa xã Nhân Cơ",
    kind="service_center",
    level="commune",
    valid_from=None,
    valid_to=None,
    committee_id=10,
    committee_name="UBND xã Nhân Cơ",
    province_id=1,
)
OTHER_PROVINCE_CENTER = replace(
    PROVINCIAL_CENTER, id=51, name="Trung tâm PVHCC tỉnh Lâm Đồng", committee_id=50, province_id=50
)
PROVINCIAL = IntakeProcedure(
    name="Cấp phiếu lý lịch tư pháp",
    agency_name="Sở Tư pháp",
    level="province",
    ancestry=frozenset({1, 3}),
    province_id=1,
)
COMMUNE = IntakeProcedure(
    name="Đăng ký kết hôn",
    agency_name="UBND xã Nhân Cơ",
    level="commune",
    ancestry=frozenset({1, 10}),
    province_id=1,
)


def listed(procedure: IntakeProcedure, on: dt.date | None = dt.date(2025, 7, 1)) -> IntakeProcedure:
    return replace(procedure, province_wide=True, decision="1234/QĐ-UBND", decided_on=on)


@pytest.mark.parametrize(
    ("point", "procedure"),
    [
        pytest.param(PROVINCIAL_CENTER, PROVINCIAL, id="own committee, province"),
        pytest.param(COMMUNE_POINT, COMMUNE, id="own committee, commune"),
        pytest.param(PROVINCIAL_CENTER, listed(COMMUNE), id="listed commune at the centre"),
        pytest.param(COMMUNE_POINT, listed(PROVINCIAL), id="listed provincial at a commune"),
        pytest.param(COMMUNE_POINT, listed(COMMUNE, on=None), id="listed, no date"),
        pytest.param(PROVINCIAL_CENTER, listed(COMMUNE, on=DAY), id="listed that very day"),
    ],
)
def test_points_that_may_receive(point: IntakePoint, procedure: IntakeProcedure) -> None:
    assert intake_refusal(point, procedure, DAY) is None


def test_a_procedure_not_on_the_list_is_refused_at_another_level_with_the_reason() -> None:
    refused = intake_refusal(PROVINCIAL_CENTER, COMMUNE, DAY)
    assert refused is not None and refused.code == Refusal.NOT_LISTED
    assert refused.message == (
        "Thủ tục “Đăng ký kết hôn” do UBND xã Nhân Cơ giải quyết ở cấp xã và không thuộc danh "
        "mục thủ tục tiếp nhận không phụ thuộc địa giới hành chính của tỉnh. Trung tâm Phục vụ "
        "hành chính công tỉnh chỉ tiếp nhận thủ tục của UBND tỉnh Đắk Nông ở cấp tỉnh."
    )
    refused = intake_refusal(COMMUNE_POINT, PROVINCIAL, DAY)
    assert refused is not None and refused.code == Refusal.NOT_LISTED
    assert "UBND xã Nhân Cơ ở cấp xã" in refused.message


def test_another_commune_of_the_same_level_is_not_its_own_committee() -> None:
    neighbour = replace(COMMUNE, agency_name="UBND xã Nghĩa Đức", ancestry=frozenset({1, 20}))
    refused = intake_refusal(COMMUNE_POINT, neighbour, DAY)
    assert refused is not None and refused.code == Refusal.NOT_LISTED
    assert intake_refusal(COMMUNE_POINT, listed(neighbour), DAY) is None


def test_the_list_applies_from_its_decision() -> None:
    later = listed(COMMUNE, on=DAY + dt.timedelta(days=1))
    refused = intake_refusal(PROVINCIAL_CENTER, later, DAY)
    assert refused is not None and refused.code == Refusal.LISTED_LATER
    assert "từ ngày 6/10/2026 (Quyết định số 1234/QĐ-UBND)" in refused.message
    # Its own committee's point receives it whatever the list says.
    assert intake_refusal(COMMUNE_POINT, later, DAY) is None


def test_the_list_ends_when_a_later_decision_takes_the_procedure_off() -> None:
    ending = replace(listed(COMMUNE), listed_until=DAY - dt.timedelta(days=1))
    refused = intake_refusal(PROVINCIAL_CENTER, ending, DAY)
    assert refused is not None and refused.code == Refusal.NOT_LISTED
    assert intake_refusal(PROVINCIAL_CENTER, ending, DAY - dt.timedelta(days=1)) is None


def test_the_receipt_day_picks_its_listing() -> None:
    first = Listing("1/QĐ-UBND", dt.date(2025, 7, 1), dt.date(2025, 12, 31))
    second = Listing("2/QĐ-UBND", dt.date(2026, 3, 1))
    assert listing_on([first, second], dt.date(2025, 6, 30)) == first  # the next to come
    assert listing_on([second, first], dt.date(2025, 7, 1)) == first
    assert listing_on([first, second], dt.date(2026, 1, 15)) == second  # a gap: next to come
    assert listing_on([first, second], DAY) == second
    assert listing_on([first], DAY) is None
    # Two decisions in force: the later one speaks.
    amended = Listing("3/QĐ-UBND", dt.date(2026, 6, 1))
    assert listing_on([second, amended], DAY) == amended


def test_the_list_stops_at_the_province() -> None:
    refused = intake_refusal(OTHER_PROVINCE_CENTER, listed(PROVINCIAL), DAY)
    assert refused is not None and refused.code == Refusal.OTHER_PROVINCE


def test_only_a_one_stop_point_receives() -> None:
    department = replace(PROVINCIAL_CENTER, id=3, name="Sở Tư pháp", kind="department")
    refused = intake_refusal(department, PROVINCIAL, DAY)
    assert refused is not None and refused.code == Refusal.NOT_ONE_STOP
    assert refused.message.startswith("Sở Tư pháp không phải Bộ phận Một cửa")


def test_a_point_receives_only_while_it_exists() -> None:
    # A district's one-stop unit ended with the district level on 30/6/2025.
    district = replace(COMMUNE_POINT, valid_to=dt.date(2025, 6, 30))
    assert intake_refusal(district, listed(COMMUNE), dt.date(2025, 6, 30)) is None
    refused = intake_refusal(district, COMMUNE, dt.date(2025, 7, 1))
    assert refused is not None and refused.code == Refusal.POINT_CLOSED
    assert "không hoạt động vào ngày 1/7/2025" in refused.message
    opening = replace(COMMUNE_POINT, valid_from=dt.date(2025, 7, 1))
    refused = intake_refusal(opening, COMMUNE, dt.date(2025, 6, 30))
    assert refused is not None and refused.code == Refusal.POINT_CLOSED
