"""A version that dossiers pin does not change: the admin shows it read-only (except its end
of validity) and offers a copy that replaces it for new dossiers."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.queries import procedure_current_version
from motcua.catalog.services import procedure_version_copy, procedure_version_is_pinned
from motcua.dossiers.services import Applicant, dossier_receive
from tests.world import World, local, world  # noqa: F401


@pytest.fixture
def pinned(world: World) -> ProcedureVersion:  # noqa: F811
    with time_machine.travel(local(dt.date(2026, 10, 5)), tick=False):
        dossier_receive(
            procedure_version=world.procedure,
            applicant=Applicant(kind="citizen", name="Hoàng Văn Bình", id_number="066090001234"),
            actor=world.clerk,
            receiving_unit=world.center,
        )
    return world.procedure


def test_pinned_is_detected(world: World, pinned: ProcedureVersion) -> None:  # noqa: F811
    assert procedure_version_is_pinned(pinned)
    assert not procedure_version_is_pinned(world.hours_procedure)


def test_copy_replaces_the_version_and_keeps_the_old(
    world: World,  # noqa: F811
    pinned: ProcedureVersion,
) -> None:
    new = procedure_version_copy(version=pinned, actor=world.admin)

    pinned.refresh_from_db()
    assert pinned.superseded_at is not None
    assert new.number == pinned.number + 1 and new.superseded_at is None
    assert [(s.name, s.hours) for s in new.steps.all()] == [
        (s.name, s.hours) for s in pinned.steps.all()
    ]
    assert not procedure_version_is_pinned(new)
    assert procedure_current_version(pinned.procedure.code, agency=pinned.agency) == new


def test_admin_keeps_a_pinned_version_read_only(
    client: Client,
    world: World,  # noqa: F811
    pinned: ProcedureVersion,
) -> None:
    client.force_login(world.admin)
    url = f"/quan-tri/catalog/procedureversion/{pinned.pk}/change/"

    page = client.get(url).content.decode()
    assert "đã được hồ sơ sử dụng" in page

    response = client.post(
        url,
        {
            "name": "Tên khác",
            "fee": 999,
            "valid_to": "2026-12-31",
            "steps-TOTAL_FORMS": 0,
            "steps-INITIAL_FORMS": 0,
            "parts-TOTAL_FORMS": 0,
            "parts-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    pinned.refresh_from_db()
    assert pinned.name == "Cấp phiếu lý lịch tư pháp cho công dân Việt Nam"
    assert pinned.fee == 0 and pinned.valid_to == dt.date(2026, 12, 31)
    assert pinned.steps.count() == 3


def test_admin_action_copies_pinned_versions(
    client: Client,
    world: World,  # noqa: F811
    pinned: ProcedureVersion,
) -> None:
    client.force_login(world.admin)

    response = client.post(
        "/quan-tri/catalog/procedureversion/",
        {"action": "copy_as_new_version", "_selected_action": [pinned.pk]},
        follow=True,
    )

    assert "Đã tạo 1 phiên bản mới" in response.content.decode()
    new = ProcedureVersion.objects.get(procedure=pinned.procedure, number=pinned.number + 1)
    edit = client.get(f"/quan-tri/catalog/procedureversion/{new.pk}/change/").content.decode()
    assert "đã được hồ sơ sử dụng" not in edit
    assert 'name="name"' in edit  # editable again
