"""Who works at the counter (reviewer's findings on issue 5): only a one-stop unit's staff
receive, only the procedures its committee decides at its level, and only they return
results."""

from __future__ import annotations

from django.test import Client

from motcua.agencies.models import AgencyKind
from motcua.core.models import Role
from motcua.dossiers.models import Dossier, EndKind, Status
from tests.responses import ClientResponse

from .conftest import World, login, make_agency, make_staff, make_version, paper_parts
from .test_views import received, text

RECEIVE = {
    "outcome": "receive",
    "applicant_kind": "citizen",
    "applicant_name": "Nguyễn Văn An",
    "applicant_phone": "0912345678",
    "applicant_id_number": "001099012345",
    "channel": "direct",
    "delivery": "counter",
}


def _receive(client: Client, world: World, version_pk: int | None = None) -> ClientResponse:
    version_pk = version_pk or world.version.pk
    return client.post(f"/can-bo/quay/thu-tuc/{version_pk}/", {**RECEIVE, **paper_parts(world)})


def test_specialists_and_department_leaders_do_not_receive(world: World) -> None:
    for user in (world.outsider, world.specialist, world.leader):
        client = login(Client(), user)
        response = _receive(client, world)
        assert response.status_code == 403, user.username
        page = text(client.get(f"/can-bo/quay/thu-tuc/{world.version.pk}/"))
        assert 'value="receive"' not in page
    assert not Dossier.objects.exists()


def test_a_counter_receives_only_what_its_committee_decides_at_its_level(world: World) -> None:
    # A commune's one-stop unit does not receive the province's procedures.
    commune = make_agency("000.01.60.H18", "UBND xã Kiến Đức", AgencyKind.PEOPLE_COMMITTEE)
    commune_center = make_agency(
        "000.11.60.H18", "Bộ phận Một cửa xã Kiến Đức", AgencyKind.SERVICE_CENTER, commune
    )
    commune_clerk = make_staff("motcuaxa", commune_center, Role.COUNTER_CLERK)
    assert _receive(login(Client(), commune_clerk), world).status_code == 403
    commune_version = make_version("1.000001", "Chứng thực bản sao", commune, world.field)
    assert _receive(login(Client(), world.clerk), world, commune_version.pk).status_code == 403
    assert not Dossier.objects.exists()
    assert _receive(login(Client(), world.manager), world).status_code == 302


def test_the_counter_menu_and_the_delivery_belong_to_the_one_stop_unit(world: World) -> None:
    client = Client()
    dossier = received(world, client)
    Dossier.objects.filter(pk=dossier.pk).update(
        status=Status.RESULT_READY, end_kind=EndKind.RESULT, ended_at=dossier.received_at
    )
    leader = login(Client(), world.leader)
    page = text(leader.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "/can-bo/quay/" not in page.split("<main", 1)[0]  # no counter in the menu
    assert "Trả kết quả cho người nộp" not in page
    response = leader.post(
        f"/can-bo/ho-so/{dossier.code}/tra-ket-qua/",
        {"version": dossier.version, "channel": "counter"},
    )
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    clerk_page = text(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Trả kết quả cho người nộp" in clerk_page
