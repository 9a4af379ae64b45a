"""Only the unit holding a dossier's step acts on it (reviewer's findings on issue 5): the
counter clerk could move a dossier at the appraisal step to "Trả kết quả", skipping the
appraisal and the leader's signature on the control slip (form 06); a specialist of the
deciding department set a new appointment on a dossier still at the counter."""

from __future__ import annotations

import datetime as dt
import re

from django.test import Client

from motcua.dossiers.models import Dossier, EventType, Handover, Status
from tests.responses import ClientResponse

from .conftest import World, login, sign_off_workflow
from .test_views import received, text


def _offered(page: str, step_pk: int, position: int) -> bool:
    """Whether the hand-over form offers the step (a radio button labelled "N. …")."""
    return re.search(rf'name="step" value="{step_pk}"[^>]*>\s*{position}\.', page) is not None


def _post(client: Client, dossier: Dossier, path: str, data: dict[str, object]) -> ClientResponse:
    dossier.refresh_from_db()
    return client.post(
        f"/can-bo/ho-so/{dossier.code}/{path}/", {"version": dossier.version, **data}, follow=True
    )


def test_the_counter_cannot_skip_to_the_last_step(world: World) -> None:
    steps = sign_off_workflow(world)
    clerk = Client()
    dossier = received(world, clerk)
    assert dossier.current_step == steps[0]
    page = text(clerk.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Bước tiếp theo: 2. Thẩm định hồ sơ, dự thảo kết quả" in page
    assert _offered(page, steps[3].pk, 4) is False  # no skip offered
    refused = text(_post(clerk, dossier, "chuyen-xu-ly", {"step": steps[3].pk}))
    assert "bước tiếp theo của quy trình" in refused
    assert not Handover.objects.exists()
    _post(clerk, dossier, "chuyen-xu-ly", {})
    row = Handover.objects.get()
    assert (row.from_unit_name, row.to_unit_name, row.step) == (
        world.center.name,
        world.construction_unit.name,
        steps[1],
    )
    # Now at the appraisal step: the counter no longer holds it.
    page = text(clerk.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Chuyển bước tiếp theo" not in page
    for step in (steps[3], None):
        response = clerk.post(
            f"/can-bo/ho-so/{dossier.code}/chuyen-xu-ly/",
            {"version": Dossier.objects.get().version, "step": step.pk if step else ""},
        )
        assert response.status_code == 403
    assert Handover.objects.count() == 1


def test_decisions_wait_for_the_dossier_at_the_deciding_unit(world: World) -> None:
    sign_off_workflow(world)
    dossier = received(world, Client())
    specialist = login(Client(), world.specialist)
    page = text(specialist.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Gia hạn, thư xin lỗi" not in page and "Hoàn thành, có kết quả" not in page
    assert dossier.due_at is not None
    new_day = (dossier.due_at + dt.timedelta(days=7)).date()
    for path, data in [
        ("gia-han", {"new_due_date": new_day.isoformat(), "reason": "Chờ ý kiến"}),
        ("co-ket-qua", {}),
        ("tra-lai", {"reason": "x"}),
        ("yeu-cau-bo-sung", {"items": "x", "reason": "x"}),
    ]:
        response = specialist.post(
            f"/can-bo/ho-so/{dossier.code}/{path}/", {"version": dossier.version, **data}
        )
        assert response.status_code == 403, path
    dossier.refresh_from_db()
    assert dossier.extended_due_at is None and dossier.status == Status.PROCESSING


def test_the_holding_unit_walks_on_and_a_leader_may_skip_on_record(world: World) -> None:
    steps = sign_off_workflow(world)
    dossier = received(world, clerk := Client())
    _post(clerk, dossier, "chuyen-xu-ly", {})
    specialist = login(Client(), world.specialist)
    page = text(specialist.get(f"/can-bo/ho-so/{dossier.code}/"))
    # The specialist proposes; the apology letter and the result are the leader's.
    assert "Bước tiếp theo: 3. Lãnh đạo Sở ký" in page and "Gia hạn, thư xin lỗi" not in page
    assert "Hoàn thành, có kết quả" not in page
    assert _offered(page, steps[3].pk, 4) is False
    refused = text(_post(specialist, dossier, "chuyen-xu-ly", {"step": steps[3].pk}))
    assert "chỉ lãnh đạo" in refused and Handover.objects.count() == 1
    # The department's leader holds the unit's step too, and may skip: the slip says so.
    leader = login(Client(), world.leader)
    page = text(leader.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert _offered(page, steps[3].pk, 4) is True
    _post(leader, dossier, "chuyen-xu-ly", {"step": steps[3].pk})
    row = Handover.objects.order_by("-position").first()
    assert row is not None and row.step == steps[3]
    assert row.note.startswith("Lãnh đạo cho vượt bước: Lãnh đạo Sở ký")
    event = dossier.events.filter(type=EventType.HANDOVER).order_by("-at", "-id").first()
    assert event is not None and event.data["route"] == "skip"
    assert event.data["skipped"] == ["Lãnh đạo Sở ký"]


def test_rework_goes_back_to_an_earlier_step_on_record(world: World) -> None:
    steps = sign_off_workflow(world)
    dossier = received(world, clerk := Client())
    _post(clerk, dossier, "chuyen-xu-ly", {})
    specialist = login(Client(), world.specialist)
    _post(specialist, dossier, "chuyen-xu-ly", {})
    leader = login(Client(), world.leader)
    page = text(leader.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert _offered(page, steps[1].pk, 2) is True
    _post(leader, dossier, "chuyen-xu-ly", {"step": steps[1].pk, "note": "Sai số liệu"})
    row = Handover.objects.order_by("-position").first()
    assert row is not None and row.step == steps[1]
    assert row.note == "Chuyển lại để xử lý lại: Thẩm định hồ sơ, dự thảo kết quả; Sai số liệu"
    dossier.refresh_from_db()
    assert dossier.current_step == steps[1]
