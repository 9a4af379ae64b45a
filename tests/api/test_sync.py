"""Incremental sync: ``updated_since`` with a cursor, and the events feed."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from motcua.dossiers.applicants import Applicant
from motcua.dossiers.importing import import_dossier_records
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_handover, dossier_receive
from tests.api.conftest import Api, applicant_json
from tests.dossiers.import_world import record
from tests.world import MONDAY, World, local

T0 = local(MONDAY, 9)


def _receive(world: World) -> Dossier:
    return dossier_receive(
        procedure_version=world.procedure,
        applicant=Applicant(**applicant_json()),
        actor=world.clerk,
        receiving_unit=world.center,
    )


def _sync(api: Api, cursor: str, limit: int = 100) -> tuple[list[str], str]:
    response = api.get("/dossiers", cursor=cursor, limit=limit)
    assert response.status_code == 200, response.content
    data = response.json()
    return [item["code"] for item in data["items"]], data["next"]


def test_cursor_never_skips_a_late_commit_and_returns_a_changed_dossier_again(
    world: World, clerk_api: Api, traveller: time_machine.Traveller
) -> None:
    first = _receive(world)
    traveller.move_to(T0 + dt.timedelta(seconds=1))
    second = _receive(world)

    traveller.move_to(T0 + dt.timedelta(seconds=2))
    response = clerk_api.get("/dossiers", updated_since=T0.isoformat())
    assert response.status_code == 200
    data = response.json()
    # Both are younger than the settle lag: not listed yet, the position is kept.
    assert data["items"] == [] and data["next"]
    cursor = data["next"]

    # A transaction that wrote at T0+0.5 s commits only now (simulated: its row appears
    # with that updated_at after the read above). Without the lag it would lie behind a
    # cursor already at ``second`` and never be seen.
    traveller.move_to(T0 + dt.timedelta(seconds=3))
    late = _receive(world)
    Dossier.objects.filter(pk=late.pk).update(updated_at=T0 + dt.timedelta(milliseconds=500))

    traveller.move_to(T0 + dt.timedelta(seconds=40))
    codes, cursor = _sync(clerk_api, cursor, limit=2)
    assert codes == [first.code, late.code]
    codes, cursor = _sync(clerk_api, cursor, limit=2)
    assert codes == [second.code]
    codes, same = _sync(clerk_api, cursor)
    assert codes == [] and same == cursor

    # A dossier changed after it was returned moves past the cursor and comes again.
    dossier_handover(dossier=first, actor=world.clerk, expected_version=first.version)
    traveller.move_to(T0 + dt.timedelta(seconds=80))
    codes, cursor = _sync(clerk_api, cursor)
    assert codes == [first.code]
    item = clerk_api.get("/dossiers", cursor=cursor).json()
    assert item["items"] == []


def test_sync_lists_updated_at_and_respects_scope(
    world: World, clerk_api: Api, outsider_api: Api, traveller: time_machine.Traveller
) -> None:
    dossier = _receive(world)
    traveller.move_to(T0 + dt.timedelta(minutes=5))
    data = clerk_api.get("/dossiers", updated_since=T0.isoformat()).json()
    assert [i["code"] for i in data["items"]] == [dossier.code]
    assert dt.datetime.fromisoformat(data["items"][0]["updated_at"]) == T0
    assert outsider_api.get("/dossiers", updated_since=T0.isoformat()).json()["items"] == []
    detail = clerk_api.get(f"/dossiers/{dossier.code}").json()
    assert dt.datetime.fromisoformat(detail["updated_at"]) == T0
    # Offset pages have no cursor; a cursor does not mix with an offset; a forged one is 422.
    assert clerk_api.get("/dossiers").json()["next"] is None
    mixed = clerk_api.get("/dossiers", updated_since=T0.isoformat(), offset=1)
    assert mixed.status_code == 422 and mixed.json()["errors"][0]["loc"] == ["query", "offset"]
    forged = clerk_api.get("/dossiers", cursor="bm90IGEgY3Vyc29y")
    assert forged.status_code == 422 and forged.json()["errors"][0]["loc"] == ["query", "cursor"]


def test_events_feed_pages_by_id_within_scope(
    world: World, clerk_api: Api, outsider_api: Api, traveller: time_machine.Traveller
) -> None:
    dossier = _receive(world)
    dossier_handover(dossier=dossier, actor=world.clerk, expected_version=dossier.version)
    traveller.move_to(T0 + dt.timedelta(seconds=5))
    # Not settled yet.
    assert clerk_api.get("/events").json() == {"items": [], "next": 0}

    traveller.move_to(T0 + dt.timedelta(minutes=1))
    page = clerk_api.get("/events", limit=1).json()
    ids = list(DossierEvent.objects.order_by("id").values_list("id", flat=True))
    assert len(ids) == 2
    assert [e["id"] for e in page["items"]] == ids[:1]
    assert page["items"][0]["dossier"] == dossier.code
    assert page["items"][0]["type"] == "received"
    rest = clerk_api.get("/events", after=page["next"]).json()
    assert [e["id"] for e in rest["items"]] == ids[1:]
    assert rest["items"][0]["type"] == "handover"
    assert clerk_api.get("/events", after=rest["next"]).json()["items"] == []
    assert outsider_api.get("/events").json()["items"] == []
    assert clerk_api.get("/events", limit=501).status_code == 422


def _import_history(code_seq: int = 1) -> Dossier:
    """One dossier of the history import, received in the past (its events dated then)."""
    import_dossier_records(
        [
            record(
                code_seq,
                procedure="1.001234",
                received_at="2026-09-01T10:00:00+07:00",
            )
        ],
        workers=1,
    )
    return Dossier.objects.get(code=record(code_seq)["code"])


def test_events_feed_waits_for_imported_events_dated_in_the_past(
    world: World, specialist_api: Api, traveller: time_machine.Traveller
) -> None:
    live = _receive(world)
    traveller.move_to(T0 + dt.timedelta(minutes=1))
    first = specialist_api.get("/events").json()
    assert [e["dossier"] for e in first["items"]] == [live.code]
    # A live transaction has drawn the next id and not committed yet (simulated: the id is
    # taken and the row written later, with that id).
    placeholder = DossierEvent.objects.create(
        dossier=live, type="handover", at=timezone.now(), actor_label="x"
    )
    late_id = placeholder.pk
    placeholder.delete()
    # Meanwhile the history import commits: higher ids, dated a month earlier.
    imported = _import_history()
    assert DossierEvent.objects.filter(dossier=imported).exists()
    traveller.move_to(T0 + dt.timedelta(minutes=1, seconds=5))
    # The imported events were written 5 s ago: not settled, whatever their date.
    early = specialist_api.get("/events", after=first["next"]).json()
    assert early == {"items": [], "next": first["next"]}
    # The live transaction commits.
    DossierEvent.objects.create(
        id=late_id, dossier=live, type="handover", at=timezone.now(), actor_label="x"
    )
    traveller.move_to(T0 + dt.timedelta(minutes=2))
    rest = specialist_api.get("/events", after=first["next"]).json()
    assert rest["items"][0]["id"] == late_id
    assert {e["dossier"] for e in rest["items"][1:]} == {imported.code}


def test_dossier_sync_does_not_skip_a_dossier_an_import_checked_long_before_writing(
    world: World, specialist_api: Api, traveller: time_machine.Traveller
) -> None:
    start = specialist_api.get("/dossiers", updated_since=T0.isoformat()).json()["next"]
    traveller.move_to(T0 + dt.timedelta(minutes=10))
    seen: list[str] = []
    cursor = start

    def meanwhile(message: str) -> None:
        # The import has checked its input (minutes, on a real file) and not written yet;
        # the counter goes on and a client syncs.
        nonlocal cursor
        if not message.startswith("checked"):
            return
        traveller.move_to(T0 + dt.timedelta(minutes=11))
        live = _receive(world)
        traveller.move_to(T0 + dt.timedelta(minutes=11, seconds=40))
        codes, cursor = _sync(specialist_api, cursor)
        assert codes == [live.code]
        seen.extend(codes)
        traveller.move_to(T0 + dt.timedelta(minutes=12))

    import_dossier_records(
        [record(1, procedure="1.001234", received_at="2026-09-01T10:00:00+07:00")],
        workers=1,
        progress=meanwhile,
    )
    imported = Dossier.objects.get(code=record(1)["code"])
    # Stamped when written, not when the import was set up.
    assert imported.updated_at == T0 + dt.timedelta(minutes=12)
    traveller.move_to(T0 + dt.timedelta(minutes=13))
    codes, _cursor = _sync(specialist_api, cursor)
    assert seen and codes == [imported.code]
