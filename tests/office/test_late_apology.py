"""A late dossier can still get its apology letter (reviewer's findings on issue 5): issued
late and flagged, so the figures stay honest; the dashboard's "late without apology" list no
longer shows it; the new appointment is a working day within bounds."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.test import Client

from motcua.dossiers.models import DossierClass, Flag

from .conftest import World, login
from .test_views import text

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.datetime(2026, 10, 5, 9, tzinfo=LOCAL)


def test_a_late_dossier_gets_its_apology_flagged_as_late(world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        dossier = world.dossier(due_at=MONDAY - dt.timedelta(days=3), received_at=MONDAY)
        # The apology letter is signed by the competent agency: its leader (dossiers.rules).
        client = login(Client(), world.leader)
        page = text(client.get(f"/can-bo/ho-so/{dossier.code}/"))
        assert "Lập thư xin lỗi và hẹn lại" in page and "Gửi muộn" in page
        saturday = dt.date(2026, 10, 10)
        response = client.post(
            f"/can-bo/ho-so/{dossier.code}/gia-han/",
            {"version": dossier.version, "new_due_date": saturday.isoformat(), "reason": "Chờ"},
            follow=True,
        )
        assert "không phải ngày làm việc" in text(response)
        dossier.refresh_from_db()
        assert dossier.extended_due_at is None
        client.post(
            f"/can-bo/ho-so/{dossier.code}/gia-han/",
            {"version": dossier.version, "new_due_date": "2026-10-07", "reason": "Chờ ý kiến"},
        )
        dossier.refresh_from_db()
        assert dossier.has_apology and Flag.EXTENSION_LATE in dossier.flags
        assert dossier.extended_due_at is not None
        assert client.get(f"/can-bo/ho-so/{dossier.code}/mau-04/").status_code == 200
        # Finished late, it counts among the late dossiers with an apology (indicator 1.4.4).
        client.post(f"/can-bo/ho-so/{dossier.code}/co-ket-qua/", {"version": dossier.version})
        dossier.refresh_from_db()
        assert dossier.dossier_class == DossierClass.LATE and dossier.has_apology


def test_forms_04_and_03_leave_the_heads_name_to_the_head(world: World) -> None:
    from motcua.dossiers.forms_docs.context import apology_context, refusal_context

    with time_machine.travel(MONDAY, tick=False):
        dossier = world.dossier(received_at=MONDAY, due_at=MONDAY + dt.timedelta(days=10))
        # A specialist proposes; the apology is the leader's to issue (dossiers.rules).
        specialist = login(Client(), world.specialist)
        refused = specialist.post(
            f"/can-bo/ho-so/{dossier.code}/gia-han/",
            {"version": dossier.version, "new_due_date": "2026-10-23", "reason": "Chờ"},
        )
        assert refused.status_code == 403
        leader = login(Client(), world.leader)
        leader.post(
            f"/can-bo/ho-so/{dossier.code}/gia-han/",
            {"version": dossier.version, "new_due_date": "2026-10-23", "reason": "Chờ"},
        )
        dossier.refresh_from_db()
        assert dossier.extension_count == 1
        signature = apology_context(dossier).signature
        assert signature.title == "GIÁM ĐỐC" and signature.name == "Leader"
        leader.post(
            f"/can-bo/ho-so/{dossier.code}/tra-lai/", {"version": dossier.version, "reason": "Sai"}
        )
        assert refusal_context(dossier).signature.name == "Leader"
