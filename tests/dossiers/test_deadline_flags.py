"""The "overdue" flags follow the dossier's current deadline, not the one it had when the scan ran.

A supplement restarts the legal clock (ND 118/2025 Điều 19.5), a completed online dossier waits
8 working hours again: the flag set by the overdue scan against the old deadline must go, and
come back only when the new deadline passes. An extension does not move the legal due date
(Điều 19.6), so it leaves the flag where the legal due date puts it.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from motcua.dossiers.models import Dossier, Flag, Status
from motcua.dossiers.services import (
    TransitionError,
    dossier_accept,
    dossier_complete,
    dossier_extend,
    dossier_finish,
    dossier_receive_supplement,
    dossier_request_completion,
    dossier_request_supplement,
    dossier_submit,
    dossiers_flag_overdue,
)
from motcua.office.queries import inbox_counts
from tests.dossiers.conftest import citizen_applicant, to_signing
from tests.world import MONDAY, World, local

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
THURSDAY = MONDAY + dt.timedelta(days=3)
FRIDAY = MONDAY + dt.timedelta(days=4)
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)
NEXT_THURSDAY = MONDAY + dt.timedelta(days=10)
NEXT_FRIDAY = MONDAY + dt.timedelta(days=11)


def flags(dossier: Dossier) -> list[str]:
    dossier.refresh_from_db(fields=["flags"])
    return list(dossier.flags)


def overdue_in_inbox(world: World) -> int:
    return inbox_counts(world.leader, mine=False)["overdue"]


def test_supplement_restart_drops_the_overdue_flag_until_the_new_due_date_passes(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    # Received Monday 09:00, due Thursday 17:00; the Friday scan flags it.
    traveller.move_to(local(FRIDAY, 8))
    assert dossiers_flag_overdue() == 1
    assert flags(appraised) == [Flag.OVERDUE]
    assert overdue_in_inbox(world) == 1

    dossier_request_supplement(
        dossier=appraised, actor=world.specialist, items=["Bản sao CCCD"], reason="Thiếu giấy tờ"
    )
    # The clock stands still while the supplement is awaited: not overdue (domain.md §7).
    assert Flag.OVERDUE not in flags(appraised)
    assert Flag.SUPPLEMENT_LATE in flags(appraised)  # the late request stays on record

    traveller.move_to(local(NEXT_MONDAY, 9))
    restarted = dossier_receive_supplement(dossier=appraised, actor=world.clerk)
    assert restarted.due_at == local(NEXT_THURSDAY, 17)
    assert Flag.OVERDUE not in restarted.flags
    assert Flag.OVERDUE not in flags(appraised)
    assert overdue_in_inbox(world) == 0
    assert dossiers_flag_overdue() == 0

    traveller.move_to(local(NEXT_FRIDAY, 8))
    assert dossiers_flag_overdue() == 1
    assert Flag.OVERDUE in flags(appraised)
    assert overdue_in_inbox(world) == 1


def test_scan_clears_a_stale_overdue_flag_left_by_earlier_versions(
    world: World, received: Dossier, traveller: time_machine.Traveller
) -> None:
    """Dossiers flagged before the services kept the flag in step are put right by the scan."""
    Dossier.objects.filter(pk=received.pk).update(
        flags=[Flag.SUPPLEMENT_LATE.value, Flag.OVERDUE.value]
    )
    traveller.move_to(local(TUESDAY, 9))  # due Thursday: not overdue
    assert dossiers_flag_overdue() == 0
    assert flags(received) == [Flag.SUPPLEMENT_LATE]


def test_ended_dossier_keeps_the_overdue_flag_it_ended_with(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    traveller.move_to(local(FRIDAY, 8))
    dossiers_flag_overdue()
    finished = dossier_finish(dossier=to_signing(world, appraised), actor=world.leader)
    assert finished.dossier_class == "late"
    traveller.move_to(local(NEXT_MONDAY, 9))
    dossiers_flag_overdue()
    assert flags(appraised) == [Flag.OVERDUE]


def test_extension_keeps_the_legal_due_date_for_the_overdue_flag(
    world: World, appraised: Dossier, traveller: time_machine.Traveller
) -> None:
    """The new appointment is what the applicant is told; the legal due date still decides
    whether the dossier is overdue (and late), so the flag comes when that date passes."""
    dossier_extend(
        dossier=appraised,
        actor=world.leader,
        reason="Cần xác minh thêm",
        new_due_at=local(NEXT_MONDAY, 17),
    )
    traveller.move_to(local(FRIDAY, 8))
    assert dossiers_flag_overdue() == 1
    assert flags(appraised) == [Flag.OVERDUE]
    # Once overdue it is too late for an apology letter (at least one working day before).
    with pytest.raises(TransitionError):
        dossier_extend(
            dossier=appraised, actor=world.leader, reason="x", new_due_at=local(NEXT_FRIDAY, 17)
        )


def test_completion_and_acceptance_drop_the_acceptance_overdue_flag(
    world: World, traveller: time_machine.Traveller
) -> None:
    online = dossier_submit(
        procedure_version=world.procedure,
        applicant=citizen_applicant(),
        actor=world.citizen,
        owner=world.citizen,
    )
    # Submitted Monday 09:00: 8 working hours end Tuesday 09:00.
    traveller.move_to(local(TUESDAY, 10))
    assert dossiers_flag_overdue() == 1
    assert flags(online) == [Flag.ACCEPTANCE_OVERDUE]

    dossier_request_completion(
        dossier=online, actor=world.clerk, items=["Tờ khai"], reason="Thiếu chữ ký"
    )
    assert flags(online) == []
    traveller.move_to(local(WEDNESDAY, 9))
    completed = dossier_complete(dossier=online, actor=world.citizen)
    assert completed.status == Status.SUBMITTED
    assert dossiers_flag_overdue() == 0
    assert flags(online) == []

    traveller.move_to(local(THURSDAY, 10))  # the new 8 hours ended Thursday 09:00
    assert dossiers_flag_overdue() == 1
    accepted = dossier_accept(dossier=online, actor=world.clerk, receiving_unit=world.center)
    # Accepted late: the rule break stays recorded; "waiting past the deadline" is over.
    assert accepted.flags == [Flag.ACCEPTANCE_LATE]
    assert flags(online) == [Flag.ACCEPTANCE_LATE]
