"""Agencies: paths kept by the services, subtrees at a date, successors after mergers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client

from motcua.agencies.models import Agency
from motcua.agencies.queries import (
    agency_acting_ids,
    agency_current_successor,
    agency_predecessors,
    agency_scope_ids,
    agency_subtree_at,
)
from motcua.agencies.services import agency_create, agency_paths_rebuild, agency_update
from motcua.catalog import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> dict[str, Agency]:
    province = agency_create(code="P", name="UBND tỉnh", level="province", kind="people_committee")
    dept = agency_create(code="D", name="Sở", level="province", parent=province)
    unit = agency_create(code="U", name="Phòng", level="province", kind="unit", parent=dept)
    old = agency_create(
        code="O",
        name="Phòng cũ",
        level="province",
        kind="unit",
        parent=dept,
        valid_to=dt.date(2025, 2, 28),
    )
    district = agency_create(
        code="H",
        name="UBND huyện",
        level="district",
        parent=province,
        valid_to=dt.date(2025, 6, 30),
    )
    return {"P": province, "D": dept, "U": unit, "O": old, "H": district}


def _paths() -> dict[str, str]:
    return dict(Agency.objects.values_list("code", "path"))


def test_create_sets_materialised_paths(tree: dict[str, Agency]) -> None:
    p, d, u = tree["P"], tree["D"], tree["U"]
    assert _paths()["U"] == f"/{p.pk}/{d.pk}/{u.pk}/"
    assert _paths()["P"] == f"/{p.pk}/"


def test_reparenting_rewrites_the_whole_subtree(tree: dict[str, Agency]) -> None:
    h, d = tree["H"], tree["D"]

    agency_update(agency=d, parent=h)

    paths = _paths()
    assert paths["D"] == f"/{tree['P'].pk}/{h.pk}/{d.pk}/"
    assert paths["U"] == f"{paths['D']}{tree['U'].pk}/"
    assert paths["O"] == f"{paths['D']}{tree['O'].pk}/"
    assert paths["H"] == f"/{tree['P'].pk}/{h.pk}/"
    assert agency_paths_rebuild() == 0  # what the update wrote is what the links say


def test_a_parent_inside_the_subtree_is_refused(tree: dict[str, Agency]) -> None:
    before = _paths()
    with pytest.raises(ValidationError):
        agency_update(agency=tree["D"], parent=tree["U"])
    with pytest.raises(ValidationError):
        agency_update(agency=tree["D"], parent=tree["D"])
    with pytest.raises(ValidationError):
        agency_update(agency=tree["D"], successor=tree["D"])
    assert _paths() == before


def test_subtree_at_a_date_keeps_only_valid_agencies(tree: dict[str, Agency]) -> None:
    def codes(agency: Agency, day: dt.date) -> set[str]:
        return set(agency_subtree_at(agency, day).values_list("code", flat=True))

    assert codes(tree["P"], dt.date(2022, 8, 1)) == {"P", "D", "U", "O", "H"}
    assert codes(tree["P"], dt.date(2025, 3, 1)) == {"P", "D", "U", "H"}
    assert codes(tree["P"], dt.date(2025, 7, 1)) == {"P", "D", "U"}
    assert codes(tree["D"], dt.date(2025, 2, 28)) == {"D", "U", "O"}


def test_scope_ids_is_a_prefix_filter(tree: dict[str, Agency]) -> None:
    assert agency_scope_ids(tree["D"]) == sorted([tree["D"].pk, tree["U"].pk, tree["O"].pk])
    # A sibling whose id shares a prefix ("/1/" vs "/12/") must not leak in.
    assert tree["H"].pk not in agency_scope_ids(tree["D"])


def test_acting_ids_in_one_query_with_what_mergers_passed_in(
    tree: dict[str, Agency], django_assert_num_queries: Any
) -> None:
    # A district committee merged away into the department: its work passed to the
    # department's subtree; the old division ("O", no successor) to its parent, the department.
    agency_update(agency=tree["H"], successor=tree["D"])
    outside = agency_create(code="X", name="Sở khác", level="province", parent=tree["P"])
    day = dt.date(2025, 7, 1)
    with django_assert_num_queries(1):
        leader = agency_acting_ids(tree["D"], subtree=True, day=day)
    assert leader == {tree[c].pk for c in "DUOH"}
    assert outside.pk not in leader
    # A member of the division acts for it alone; of the department, for it and what passed
    # into it (the old division's heir is its parent, the department).
    assert agency_acting_ids(tree["U"], subtree=False, day=day) == {tree["U"].pk}
    assert agency_acting_ids(tree["D"], subtree=False, day=day) == {tree[c].pk for c in "DOH"}
    # Before the mergers nothing has passed.
    assert agency_acting_ids(tree["D"], subtree=True, day=dt.date(2025, 1, 1)) == {
        tree[c].pk for c in "DUO"
    }


def test_successor_cycle_stops(tree: dict[str, Agency]) -> None:
    a, b = tree["O"], tree["H"]
    agency_update(agency=a, successor=b)
    agency_update(agency=b, successor=a)
    assert agency_current_successor(a, dt.date(2026, 1, 1)) in {a, b}


@pytest.fixture
def demo_catalogue() -> None:
    demo.load(lambda _msg: None)


def _by_name(name: str) -> Agency:
    return Agency.objects.get(name=name)


@pytest.mark.usefixtures("demo_catalogue")
def test_successors_through_the_2025_mergers() -> None:
    tnmt = _by_name("Sở Tài nguyên và Môi trường tỉnh Đắk Nông")
    # Still itself while valid, Sở NN&MT of Đắk Nông from 3/2025, Lâm Đồng's from 7/2025.
    assert agency_current_successor(tnmt, dt.date(2022, 8, 1)) == tnmt
    assert agency_current_successor(tnmt, dt.date(2025, 4, 1)) == _by_name(
        "Sở Nông nghiệp và Môi trường tỉnh Đắk Nông"
    )
    assert agency_current_successor(tnmt, dt.date(2025, 7, 1)) == _by_name(
        "Sở Nông nghiệp và Môi trường tỉnh Lâm Đồng"
    )
    gia_nghia = _by_name("Ủy ban nhân dân thành phố Gia Nghĩa")
    assert agency_current_successor(gia_nghia, dt.date(2025, 7, 1)).level == "commune"
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)):
        assert agency_current_successor(_by_name("Sở Kế hoạch và Đầu tư tỉnh Đắk Nông")) == (
            _by_name("Sở Tài chính tỉnh Lâm Đồng")
        )


@pytest.mark.usefixtures("demo_catalogue")
def test_province_subtree_before_and_after_the_merger() -> None:
    dak_nong = _by_name("Ủy ban nhân dân tỉnh Đắk Nông")
    lam_dong = _by_name("Ủy ban nhân dân tỉnh Lâm Đồng")
    q3_2022 = set(agency_subtree_at(dak_nong, dt.date(2022, 8, 31)).values_list("name", flat=True))
    assert "Sở Kế hoạch và Đầu tư tỉnh Đắk Nông" in q3_2022
    assert "Ủy ban nhân dân huyện Đắk Mil" in q3_2022
    assert "Sở Nông nghiệp và Môi trường tỉnh Đắk Nông" not in q3_2022
    assert not agency_subtree_at(dak_nong, dt.date(2025, 7, 1)).exists()
    after = set(agency_subtree_at(lam_dong, dt.date(2025, 7, 1)).values_list("name", flat=True))
    assert {"Ủy ban nhân dân phường Bắc Gia Nghĩa", "Ủy ban nhân dân xã Đắk Mil"} <= after
    assert not any(a.level == "district" for a in agency_subtree_at(lam_dong, dt.date(2025, 7, 1)))
    # Lâm Đồng's Sở NN&MT inherits the history of the two departments that merged into it.
    nnmt = _by_name("Sở Nông nghiệp và Môi trường tỉnh Lâm Đồng")
    inherited = {a.name for a in agency_predecessors(nnmt)}
    assert {
        "Sở Tài nguyên và Môi trường tỉnh Đắk Nông",
        "Sở Nông nghiệp và Phát triển nông thôn tỉnh Đắk Nông",
        "Sở Nông nghiệp và Môi trường tỉnh Đắk Nông",
    } <= inherited
    land_unit = _by_name("Phòng Quy hoạch - Giao đất - Sở Tài nguyên và Môi trường tỉnh Đắk Nông")
    assert land_unit.pk in agency_scope_ids(nnmt, include_predecessors=True)
    assert land_unit.pk not in agency_scope_ids(nnmt)


def test_admin_create_and_reparent_keep_paths(client: Client, tree: dict[str, Agency]) -> None:
    user = get_user_model().objects.create_superuser("quantri", "qt@example.vn", "matkhau-123")
    client.force_login(user)
    form = {
        "code": "N",
        "name": "Phòng mới",
        "short_name": "",
        "level": "province",
        "kind": "unit",
        "parent": tree["D"].pk,
        "valid_from": "",
        "valid_to": "",
        "successor": "",
        # The letterheads inline (none added).
        "letterheads-TOTAL_FORMS": "0",
        "letterheads-INITIAL_FORMS": "0",
    }
    assert client.post("/quan-tri/agencies/agency/add/", form).status_code == 302
    new = Agency.objects.get(code="N")
    assert new.path == f"{tree['D'].path}{new.pk}/"

    d = tree["D"]
    change = dict(form, code="D", name="Sở", kind="department", parent=tree["H"].pk)
    assert client.post(f"/quan-tri/agencies/agency/{d.pk}/change/", change).status_code == 302
    new.refresh_from_db()
    assert new.path.startswith(f"/{tree['P'].pk}/{tree['H'].pk}/{d.pk}/")

    # A descendant as parent is refused with a Vietnamese message, nothing saved.
    bad = dict(change, parent=new.pk)
    response = client.post(f"/quan-tri/agencies/agency/{d.pk}/change/", bad)
    assert response.status_code == 200
    assert "Không thể chọn chính cơ quan này" in response.content.decode()
    d.refresh_from_db()
    assert d.parent_id == tree["H"].pk
