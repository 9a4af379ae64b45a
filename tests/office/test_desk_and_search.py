"""A person's desk: a hand-over picks a person of the receiving unit, whose "my desk" then
holds the dossier; the inbox search finds the code, the applicant's name by word prefixes
with diacritics and case ignored, the phone and the identity number, and nothing else."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.core.models import Role
from motcua.dossiers.models import Dossier, Handover, search_words

from .conftest import World, login, make_staff, make_version

pytestmark = pytest.mark.django_db


def codes(client: Client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200
    return {d.code for d in response.context["page"].object_list}


@pytest.fixture
def hoa(world: World) -> Dossier:
    return world.dossier(
        applicant_name="Trịnh Thị Hoa",
        applicant_phone="0987654321",
        applicant_id_number="001090012345",
    )


@pytest.mark.parametrize(
    "query",
    [
        "trinh thi hoa",
        "TRỊNH THỊ HOA",
        "Trịnh",
        "hoa",
        "thi ho",  # word prefixes, in any order of typing
        "Hoa Trinh",
        "0987654321",
        "0987 654 321",
        "+84 987 654 321",
        "001090012345",
    ],
)
def test_search_finds_the_applicant(world: World, client: Client, hoa: Dossier, query: str) -> None:
    other = make_version(
        "1.009973", "Cấp giấy phép sửa chữa công trình", world.construction, world.field
    )
    world.dossier(version=other, applicant_name="Nguyễn Văn Trinh Bạch")  # "trinh" too
    world.dossier(version=other, applicant_name="Lê Văn Hòa", applicant_phone="0912345678")
    login(client, world.leader)
    found = codes(client, f"/can-bo/?q={query}")
    if query in ("Trịnh", "trinh thi hoa", "TRỊNH THỊ HOA", "Hoa Trinh", "thi ho"):
        assert hoa.code in found
        if query == "Trịnh":
            assert len(found) == 2  # Hoa and Nguyễn Văn Trinh Bạch, not "công trình"
        else:
            assert found == {hoa.code}
    elif query == "hoa":
        assert len(found) == 2  # Trịnh Thị Hoa and Lê Văn Hòa
    else:
        assert found == {hoa.code}


def test_search_does_not_match_inside_words_or_procedure_text(
    world: World, client: Client, hoa: Dossier
) -> None:
    world.dossier(applicant_name="Phạm Văn Tâm")  # procedure "Cấp giấy phép xây dựng mới"
    login(client, world.leader)
    assert codes(client, "/can-bo/?q=inh") == set()
    assert codes(client, "/can-bo/?q=xay dung") == set()
    assert codes(client, f"/can-bo/?q={hoa.code[-11:]}") == {hoa.code}  # part of the code
    assert codes(client, f"/can-bo/?q={hoa.code.lower()}") == {hoa.code}


def test_the_search_column_follows_the_name() -> None:
    assert search_words("Công ty TNHH Đức-Anh (A.B)") == " cong ty tnhh duc anh a b"


def handover(client: Client, dossier: Dossier, **data: object) -> None:
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/chuyen-xu-ly/", {"version": dossier.version, **data}
    )
    assert response.status_code == 302


def test_a_handover_to_a_person_puts_it_on_their_desk_only(world: World, client: Client) -> None:
    colleague = make_staff("colleague", world.construction_unit, Role.SPECIALIST)
    dossier = world.dossier()
    pool = world.dossier(current_unit=world.construction_unit)  # the unit's, nobody's
    login(client, world.leader)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert f'<optgroup label="{world.construction_unit.name}">' in page
    assert f'<option value="{world.specialist.pk}">' in page
    handover(client, dossier, to_unit=world.construction_unit.name, assignee=world.specialist.pk)
    dossier.refresh_from_db()
    assert dossier.assignee == world.specialist
    assert Handover.objects.get(dossier=dossier).receiver == "Specialist"

    login(client, world.specialist)
    assert codes(client, "/can-bo/?cua=toi") == {dossier.code, pool.code}
    login(client, colleague)
    assert codes(client, "/can-bo/?cua=toi") == {pool.code}

    # Handed on without naming anyone: off the person's desk, on the unit's.
    login(client, world.leader)
    dossier.refresh_from_db()
    handover(client, dossier, to_unit=world.construction.name)
    dossier.refresh_from_db()
    assert dossier.assignee is None
    login(client, world.specialist)
    assert codes(client, "/can-bo/?cua=toi") == {pool.code}


def test_a_person_outside_the_receiving_unit_is_refused(world: World, client: Client) -> None:
    dossier = world.dossier()
    login(client, world.leader)
    # The clerk is offered (the dossier's counter) but does not work in the construction unit.
    handover(client, dossier, to_unit=world.construction_unit.name, assignee=world.clerk.pk)
    dossier.refresh_from_db()
    assert dossier.assignee is None
    assert not Handover.objects.filter(dossier=dossier).exists()
    # Someone not offered at all is a form error.
    handover(client, dossier, to_unit=world.construction_unit.name, assignee=world.outsider.pk)
    assert not Handover.objects.filter(dossier=dossier).exists()


@pytest.mark.parametrize(
    ("who", "has_desk"),
    [("specialist", True), ("clerk", True), ("leader", True), ("provincial", False)],
)
def test_my_desk_is_offered_only_to_those_who_have_one(
    world: World, client: Client, who: str, has_desk: bool
) -> None:
    login(client, getattr(world, who))
    page = client.get("/can-bo/").content.decode()
    assert ('name="cua"' in page) == has_desk
    if not has_desk:
        world.dossier()
        # Asking for it anyway shows the whole scope, as the page says.
        assert client.get("/can-bo/?cua=toi").context["mine"] is False
