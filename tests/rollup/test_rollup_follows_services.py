"""The daily rollup kept by the services equals the rollup rebuilt from the dossiers, and the
period figures read from it equal those counted on the dossiers, after random sequences of
service calls (seeded, so a failure replays)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.cli import main
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.errors import DossierError
from motcua.dossiers.listeners import save_listeners_batched
from motcua.dossiers.models import DeliveryChannel, Dossier
from motcua.dossiers.services import (
    dossier_deliver,
    dossier_finish,
    dossier_handover,
    dossier_receive,
    dossier_receive_supplement,
    dossier_refuse,
    dossier_request_supplement,
    dossier_withdraw,
)
from motcua.office.dashboard import dashboard_figures
from motcua.reports.queries import period_figures
from motcua.reports.rollup_queries import rollup_columns, rollup_month_rows, rollup_table_rows
from motcua.rollup.models import DayCount, MonthCount
from motcua.rollup.services import rollup_balances_extend, rollup_compact, rollup_rebuild
from tests.world import MONDAY, World, counter_receipt, event_fails_once, local, staff_create

APPLICANT = Applicant(
    kind="citizen", name="Hoàng Văn Bình", id_number="066090001234", address="Gia Nghĩa"
)


def _step(rng: random.Random, world: World, dossiers: list[Dossier]) -> None:
    action = rng.choice(
        [
            "receive",
            "receive",
            "handover",
            "handover",
            "finish",
            "refuse",
            "withdraw",
            "deliver",
            "supplement",
            "supplement_back",
        ]
    )
    if action == "receive" or not dossiers:
        version = rng.choice([world.procedure, world.hours_procedure])
        dossiers.append(
            dossier_receive(
                procedure_version=version,
                applicant=APPLICANT,
                actor=world.clerk,
                receiving_unit=world.center,
                channel=rng.choice(["direct", "postal"]),
            )
        )
        return
    d = rng.choice(dossiers)
    d.refresh_from_db()
    try:
        if action == "handover":
            holder = world.clerk if d.current_unit_id == world.center.pk else world.specialist
            dossier_handover(dossier=d, actor=holder)
        elif action == "finish":
            reason = rng.choice(["Quá tải", "Chờ ý kiến sở khác"])
            dossier_finish(dossier=d, actor=world.leader, late_reason=reason)
        elif action == "refuse":
            dossier_refuse(dossier=d, actor=world.leader, reason="Không đủ điều kiện")
        elif action == "withdraw":
            dossier_withdraw(dossier=d, actor=world.clerk)
        elif action == "deliver":
            channel = rng.choice([DeliveryChannel.COUNTER, DeliveryChannel.POSTAL])
            dossier_deliver(dossier=d, actor=world.clerk, channel=channel, reference="EMS1")
        elif action == "supplement":
            dossier_request_supplement(
                dossier=d, actor=world.specialist, items=["Tờ khai"], reason="Thiếu"
            )
        else:
            dossier_receive_supplement(dossier=d, actor=world.clerk)
    except DossierError:
        pass  # not allowed in the dossier's state: the sequence goes on


def _periods(last: dt.date) -> list[tuple[dt.date, dt.date]]:
    return [
        (MONDAY, MONDAY),
        (MONDAY + dt.timedelta(days=2), last),
        (dt.date(MONDAY.year, 1, 1), last),
        (last, last + dt.timedelta(days=30)),
        # From a checkpoint's first day, and from within a month after one.
        (dt.date(MONDAY.year, MONDAY.month + 1, 1), max(last, MONDAY) + dt.timedelta(days=30)),
        (dt.date(MONDAY.year, MONDAY.month + 1, 9), last + dt.timedelta(days=40)),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_rollup_kept_by_the_services_is_the_rollup_of_the_dossiers(
    world: World,
    seed: int,
) -> None:
    rng = random.Random(seed)
    dossiers: list[Dossier] = []
    now = local(MONDAY, 8)
    with time_machine.travel(now, tick=False) as traveller:
        for i in range(60):
            if i == 20:
                # The monthly job made checkpoints ahead of the changes still to come: the
                # write path has to keep their balances.
                rollup_balances_extend(now.date() + dt.timedelta(days=62))
            now += dt.timedelta(hours=rng.choice([0, 1, 2, 5, 16, 40, 60]))
            traveller.move_to(now)
            _step(rng, world, dossiers)
        # A late result with its reason (footnote 1 reads reasons and steps in the rollup).
        now += dt.timedelta(days=25)
        traveller.move_to(now)
        d = dossier_receive(
            procedure_version=world.procedure,
            applicant=APPLICANT,
            actor=world.clerk,
            receiving_unit=world.center,
            channel="direct",
        )
        dossiers.append(d)
        now += dt.timedelta(days=25)
        traveller.move_to(now)
        for holder in (world.clerk, world.specialist):
            dossier_handover(dossier=d, actor=holder)
            d.refresh_from_db()
        dossier_finish(dossier=d, actor=world.leader, late_reason="Chờ ý kiến")
        rollup_balances_extend(now.date() + dt.timedelta(days=31))
        kept = rollup_table_rows()
        kept_months = rollup_month_rows()
        assert len({row[1] for row in kept_months if row[0] == "month"}) > 1
        ended = Dossier.objects.filter(ended_at__isnull=False).count()
        assert ended > 0 and len({row[0] for row in kept}) > 1  # the sequence did something
        # Late results with their reasons are in the rollup (footnote 1 reads them there).
        names = rollup_columns(DayCount)
        assert any(row[names.index("late_reason")] for row in kept)
        office = staff_create("vanphong", "Lê Văn Phòng", world.province, "provincial_office")
        for date_from, date_to in _periods(now.date()):
            # The province's dashboard from the rollup shows what it counts on the dossiers.
            dash = {
                source: dashboard_figures(
                    office, agency=None, date_from=date_from, date_to=date_to, source=source
                )["counts"]
                for source in ("rollup", "dossiers")
            }
            assert dash["rollup"] == dash["dossiers"], (date_from, date_to)
            for agency in (None, world.justice, world.center):
                rolled = period_figures(
                    date_from=date_from, date_to=date_to, agency=agency, source="rollup"
                )
                counted = period_figures(date_from=date_from, date_to=date_to, agency=agency)
                assert rolled == counted, (date_from, date_to, agency)
        # The changes were appended as rows of differences: folding them leaves one row per
        # key with its count, and the same figures.
        appended = DayCount.objects.count()
        assert appended > len(kept)
        assert rollup_compact() > 0
        assert sorted(DayCount.objects.values_list(*rollup_columns(DayCount))) == kept
        assert rollup_month_rows() == kept_months
        months = rollup_columns(MonthCount)
        assert sorted(MonthCount.objects.values_list(*months)) == [
            row[1:] for row in kept_months if row[0] == "month"
        ]
        for date_from, date_to in _periods(now.date()):
            assert period_figures(
                date_from=date_from, date_to=date_to, source="rollup"
            ) == period_figures(date_from=date_from, date_to=date_to)
        assert rollup_compact() == 0  # nothing appended since
        rollup_rebuild()
        assert rollup_table_rows() == kept
        assert rollup_month_rows() == kept_months


@pytest.mark.django_db
def test_the_rebuild_command_restores_a_lost_rollup(
    world: World,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with time_machine.travel(local(MONDAY, 9), tick=False):
        d = dossier_receive(
            procedure_version=world.procedure,
            applicant=APPLICANT,
            actor=world.clerk,
            receiving_unit=world.center,
        )
        dossier_withdraw(dossier=d, actor=world.clerk)
    kept = rollup_table_rows()
    assert [(row[0], row[5], row[6], row[-1]) for row in kept] == [
        (MONDAY, "", "ended", 1),
        (MONDAY, "direct", "received", 1),
    ]
    # The receipt and the withdrawal were appended as changes; the command folds them.
    assert main(["rollup", "compact"]) == 0
    assert "rollup compacted: 0 rows folded away" in capsys.readouterr().out
    assert rollup_table_rows() == kept
    DayCount.objects.all().delete()
    assert main(["rollup", "rebuild", "--from", "2026-10-01", "--to", "2026-10-31"]) == 0
    assert "rollup rebuilt: 2 rows" in capsys.readouterr().out
    assert rollup_table_rows() == kept


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL"
)
def test_counters_receiving_at_once_are_both_counted() -> None:
    from tests.dossiers.test_concurrency import run_together
    from tests.world import world_build

    w = world_build()
    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossier_receive(
            procedure_version=w.procedure,
            applicant=APPLICANT,
            actor=w.clerk,
            receiving_unit=w.center,
        )

        def receive() -> Dossier:
            return dossier_receive(
                procedure_version=w.procedure,
                applicant=APPLICANT,
                actor=w.clerk,
                receiving_unit=w.center,
            )

        results = run_together([receive, receive, receive])
    assert all(isinstance(r, Dossier) for r in results), results
    kept = rollup_table_rows()
    assert sum(row[-1] for row in kept) == 4
    rollup_rebuild()
    assert rollup_table_rows() == kept


@pytest.mark.django_db
def test_saves_in_one_block_refresh_each_day_once_before_it_ends(world: World) -> None:
    # Three receipts and a withdrawal of one agency's day in one transaction (as a composed
    # service or an import would make them): the changes are appended once, at the block's
    # end, inside the transaction (one INSERT of the day's rows), and count all four.
    with time_machine.travel(local(MONDAY, 9), tick=False):
        with CaptureQueriesContext(connection) as queries:
            with transaction.atomic(), save_listeners_batched():
                made = [
                    dossier_receive(
                        procedure_version=world.procedure,
                        applicant=APPLICANT,
                        actor=world.clerk,
                        receiving_unit=world.center,
                    )
                    for _ in range(3)
                ]
                dossier_withdraw(dossier=made[0], actor=world.clerk)
                first = len(queries.captured_queries)
                assert not rollup_table_rows()  # not yet: once, at the end
                own = range(first, len(queries.captured_queries))  # this test's reading
            appends = [q for q in queries if q["sql"].startswith('INSERT INTO "rollup_daycount"')]
            assert len(appends) == 1
            # Nothing of the rollup is read or deleted on the way: a receipt does not wait on
            # another's rows.
            assert not [
                q
                for i, q in enumerate(queries)
                if "rollup_daycount" in q["sql"]
                and not q["sql"].startswith("INSERT")
                and i not in own
            ]
        assert [(row[0], row[5], row[6], row[-1]) for row in rollup_table_rows()] == [
            (MONDAY, "", "ended", 1),
            (MONDAY, "direct", "received", 3),
        ]
        # A block that fails leaves nothing pending for the next one.
        with pytest.raises(DossierError), transaction.atomic(), save_listeners_batched():
            dossier_withdraw(dossier=made[1], actor=world.clerk)
            dossier_withdraw(dossier=made[1], actor=world.clerk)  # twice: refused
        dossier_withdraw(dossier=made[2], actor=world.clerk)
    assert [(row[5], row[6], row[-1]) for row in rollup_table_rows()] == [
        ("", "ended", 2),
        ("direct", "received", 3),
    ]


@pytest.mark.django_db
def test_a_failed_service_inside_a_block_adds_nothing(world: World) -> None:
    # A composed change (an import, a job) that catches a service's failure and goes on: the
    # failed receipt's INSERT was rolled back with its savepoint, and so is its change to
    # the rollup (changes are appended as differences, so a rolled-back one must not count).
    # It fails after its INSERT and its rollup mark: an app's listener of its event raises.
    with (
        time_machine.travel(local(MONDAY, 9), tick=False),
        event_fails_once(RuntimeError("the national portal's queue is full")),
        transaction.atomic(),
        save_listeners_batched(),
    ):
        with pytest.raises(RuntimeError):
            counter_receipt(world, APPLICANT)
        counter_receipt(world, APPLICANT)
    assert Dossier.objects.count() == 1
    assert [(row[6], row[-1]) for row in rollup_table_rows()] == [("received", 1)]
    rollup_rebuild()
    assert [(row[6], row[-1]) for row in rollup_table_rows()] == [("received", 1)]


@pytest.mark.django_db
def test_a_rebuild_makes_no_checkpoint_after_this_month(world: World) -> None:
    # A checkpoint after this month would send every change of this month down the locked
    # path (its agency's balances recomputed); the rebuild stops at this month's.
    from motcua.rollup.models import MonthBalance

    with time_machine.travel(local(MONDAY - dt.timedelta(days=30), 9), tick=False):
        counter_receipt(world, APPLICANT)  # September
    with time_machine.travel(local(MONDAY, 9), tick=False):
        counter_receipt(world, APPLICANT)  # October
        rollup_rebuild()
        assert sorted(set(MonthBalance.objects.values_list("day", flat=True))) == [
            dt.date(2026, 10, 1)
        ]
        with CaptureQueriesContext(connection) as queries:
            counter_receipt(world, APPLICANT)
    assert not [q for q in queries if "rollup_monthbalance" in q["sql"] and "MAX" not in q["sql"]]
