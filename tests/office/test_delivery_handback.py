"""The result handed back to the counter (reviewer's findings on issue 5): a delivery
without the control slip's last row records it, and the page no longer says the dossier is
being processed elsewhere."""

from __future__ import annotations

from django.test import Client

from motcua.dossiers.models import Handover, Status

from .conftest import World, login
from .test_views import at_agency, text


def test_delivery_records_the_missing_hand_back(world: World) -> None:
    clerk = Client()
    dossier = at_agency(world, clerk)
    specialist = login(Client(), world.specialist)
    specialist.post(f"/can-bo/ho-so/{dossier.code}/co-ket-qua/", {"version": dossier.version})
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    page = text(clerk.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Đang xử lý tại" not in page and "Kết quả đang ở" in page
    clerk.post(
        f"/can-bo/ho-so/{dossier.code}/tra-ket-qua/",
        {"version": dossier.version, "channel": "counter"},
    )
    dossier.refresh_from_db()
    assert dossier.status == Status.DELIVERED
    last = Handover.objects.filter(dossier=dossier).order_by("-position").first()
    assert last is not None
    assert (last.from_unit_name, last.to_unit_name) == (
        world.construction_unit.name,
        world.center.name,
    )
    assert "ghi nhận khi trả kết quả" in last.note and last.finished_at is not None
    page = text(clerk.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Đang xử lý tại" not in page
