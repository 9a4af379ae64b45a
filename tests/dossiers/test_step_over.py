"""The instant a dossier's current step runs over its budget (``Dossier.step_over_at``), kept
by every service that moves the step: receipt, hand-over, a supplement's arrival, the result's
return. The at-risk list (office) compares it with now."""

from __future__ import annotations

import datetime as dt

import time_machine
from pytest_django import DjangoCaptureOnCommitCallbacks

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import (
    dossier_deliver,
    dossier_finish,
    dossier_handover,
    dossier_receive_supplement,
    dossier_request_supplement,
)
from tests.dossiers.conftest import to_signing
from tests.world import MONDAY, World, local

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
THURSDAY = MONDAY + dt.timedelta(days=3)


def test_every_step_change_keeps_the_instant_its_budget_runs_out(
    world: World, traveller: time_machine.Traveller, received: Dossier
) -> None:
    # Received Monday 9:00 at the counter, whose own step "Tiếp nhận" has 8 office hours:
    # 9:00-11:30 and 13:30-17:00 on Monday (6 h), 7:00-9:00 on Tuesday.
    assert received.current_step == world.steps[0]
    assert received.step_over_at == local(TUESDAY, 9)

    traveller.move_to(local(MONDAY, 10))
    dossier_handover(dossier=received, actor=world.clerk)
    received.refresh_from_db()
    # Appraisal from Monday 10:00, 8 h: 5 h on Monday, 3 h on Tuesday morning.
    assert received.current_step == world.steps[1]
    assert received.step_over_at == local(TUESDAY, 10)

    traveller.move_to(local(TUESDAY, 9))
    dossier_request_supplement(
        dossier=received, actor=world.specialist, items=["Ảnh 4x6"], reason="Thiếu ảnh"
    )
    traveller.move_to(local(WEDNESDAY, 16))
    dossier_receive_supplement(dossier=received, actor=world.clerk)
    received.refresh_from_db()
    # The step starts again with its whole budget: 1 h on Wednesday, 7 h on Thursday from
    # 7:00 (4,5 h to 11:30, then 2,5 h from 13:30): complete at 16:00.
    assert received.step_over_at == local(THURSDAY, 16)


def test_a_budget_complete_at_closing_time_is_exceeded_at_the_next_opening(
    world: World, traveller: time_machine.Traveller, received: Dossier
) -> None:
    traveller.move_to(local(MONDAY, 9))
    dossier_handover(dossier=received, actor=world.clerk)
    received.refresh_from_db()
    # From Monday 9:00, 8 h are complete on Tuesday at 9:00; not over before then.
    assert received.step_over_at == local(TUESDAY, 9)
    traveller.move_to(local(MONDAY, 13, 30))
    dossier_handover(dossier=received, actor=world.specialist)
    received.refresh_from_db()
    # From Monday 13:30: 3,5 h on Monday, 4,5 h on Tuesday morning, complete at 11:30; the
    # step has not been held longer than 8 h until office time runs again at 13:30.
    assert received.step_over_at == local(TUESDAY, 13, 30)


def test_the_result_going_back_to_the_counter_has_no_step_budget(
    world: World, traveller: time_machine.Traveller, received: Dossier
) -> None:
    traveller.move_to(local(MONDAY, 10))
    dossier_handover(dossier=received, actor=world.clerk)
    traveller.move_to(local(MONDAY, 11))
    dossier_finish(dossier=to_signing(world, received), actor=world.leader)
    dossier_deliver(dossier=received, actor=world.clerk, channel="counter")
    received.refresh_from_db()
    assert received.current_step is None and received.step_over_at is None


def test_the_migration_fills_the_open_dossiers_with_a_step(
    world: World, traveller: time_machine.Traveller, received: Dossier
) -> None:
    """Migration dossiers.0005 gives the dossiers already open the instant the write path
    would have kept; ended ones and those without a step keep none."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    traveller.move_to(local(MONDAY, 10))
    dossier_handover(dossier=received, actor=world.clerk)
    Dossier.objects.update(step_over_at=None)  # as right after the column was added
    migration = importlib.import_module("motcua.dossiers.migrations.0005_step_over_at")
    # Only the editor's connection is used (SQLite refuses a schema editor in a test's
    # transaction).
    migration.fill(apps, SimpleNamespace(connection=connection))
    received.refresh_from_db()
    assert received.step_over_at == local(TUESDAY, 10)


def test_a_day_made_off_moves_the_instant_of_the_open_steps(
    world: World,
    traveller: time_machine.Traveller,
    received: Dossier,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    from motcua.workdays.services import calendar_override_delete, calendar_override_save

    traveller.move_to(local(MONDAY, 10))
    dossier_handover(dossier=received, actor=world.clerk)
    received.refresh_from_db()
    assert received.step_over_at == local(TUESDAY, 10)
    version = received.version
    # Tuesday made a day off: the 3 h left on Monday evening run on Wednesday morning.
    with django_capture_on_commit_callbacks(execute=True):
        override = calendar_override_save(
            day=TUESDAY, kind="off", legal_reference="Thông báo số 1/TB-UBND (thử nghiệm)"
        )
    received.refresh_from_db()
    assert received.step_over_at == local(WEDNESDAY, 10)
    assert received.version == version  # a derived instant: an open form stays valid
    with django_capture_on_commit_callbacks(execute=True):
        calendar_override_delete(override=override)
    received.refresh_from_db()
    assert received.step_over_at == local(TUESDAY, 10)
