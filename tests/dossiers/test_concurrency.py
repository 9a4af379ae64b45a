"""Two people acting on one dossier at once, and counters receiving at the same moment.

The thread tests need real concurrent connections with row locks: PostgreSQL only. The
stale-version rule that they rely on is also tested on both databases in test_services."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core.signals import request_finished, request_started
from django.db import connection, connections

from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier, DossierEvent, Status
from motcua.dossiers.services import (
    ConflictError,
    PartInput,
    dossier_accept,
    dossier_handover,
    dossier_receive,
    dossier_request_supplement,
    dossier_stop,
    dossier_submit,
)
from tests.dossiers.conftest import citizen_applicant
from tests.world import MONDAY, World, counter_receipt, event_fails_once, local, world_build

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL"
    ),
]


def run_together(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run the jobs in threads released at the same instant; each result or exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def work(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()  # the numbers' connection too

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def pg_world() -> World:
    return world_build()


def test_parallel_intake_never_duplicates_a_code(pg_world: World) -> None:
    def receive_five() -> list[str]:
        return [
            dossier_receive(
                procedure_version=pg_world.procedure,
                applicant=citizen_applicant(),
                actor=pg_world.clerk,
                receiving_unit=pg_world.center,
            ).code
            for _ in range(5)
        ]

    with time_machine.travel(local(MONDAY, 9), tick=False):
        results = run_together([receive_five] * 8)
    assert not [r for r in results if isinstance(r, Exception)], results
    codes = [code for batch in results for code in batch]
    assert len(set(codes)) == 40
    assert sorted(int(code[-4:]) for code in codes) == list(range(1, 41))


def test_parallel_intake_with_refusals_leaves_no_gap(pg_world: World) -> None:
    # Each counter's every other receipt is refused after its number was taken (a part with
    # no name): while it is rolling back, the others wait on the day's row, then number on.
    def receive_with_refusals() -> list[str]:
        codes = []
        for i in range(6):
            with contextlib.suppress(DossierError):
                codes.append(
                    dossier_receive(
                        procedure_version=pg_world.procedure,
                        applicant=citizen_applicant(),
                        actor=pg_world.clerk,
                        receiving_unit=pg_world.center,
                        parts=[
                            PartInput(name=" " if i % 2 else "Tờ khai", not_digitised_reason="Giấy")
                        ],
                    ).code
                )
        return codes

    with time_machine.travel(local(MONDAY, 9), tick=False):
        results = run_together([receive_with_refusals] * 6)
    assert not [r for r in results if isinstance(r, Exception)], results
    codes = [code for batch in results for code in batch]
    assert sorted(int(code[-4:]) for code in codes) == list(range(1, 19))


def test_two_clerks_accepting_one_dossier_one_wins_the_other_conflicts(pg_world: World) -> None:
    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossier = dossier_submit(
            procedure_version=pg_world.procedure,
            applicant=citizen_applicant(),
            actor=pg_world.citizen,
        )
        seen = dossier.version

        def accept() -> Dossier:
            return dossier_accept(
                dossier=Dossier(pk=dossier.pk), actor=pg_world.clerk, expected_version=seen
            )

        results = run_together([accept, accept])
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    winners = [r for r in results if isinstance(r, Dossier)]
    assert len(conflicts) == 1 and len(winners) == 1, results
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.version == seen + 1
    assert DossierEvent.objects.filter(dossier=dossier, type="received").count() == 1


def test_supplement_and_stop_racing_lose_nothing(pg_world: World) -> None:
    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossier = dossier_receive(
            procedure_version=pg_world.procedure,
            applicant=citizen_applicant(),
            actor=pg_world.clerk,
            receiving_unit=pg_world.center,
        )
        # At the appraisal step, whose unit may ask for a supplement and whose leader may stop
        # it: both actions are allowed, only the race decides (at the counter's step the
        # specialist would be refused whoever came first).
        dossier_handover(dossier=dossier, actor=pg_world.clerk)
        seen = dossier.version
        results = run_together(
            [
                lambda: dossier_request_supplement(
                    dossier=Dossier(pk=dossier.pk),
                    actor=pg_world.specialist,
                    items=["A"],
                    reason="B",
                    expected_version=seen,
                ),
                lambda: dossier_stop(
                    dossier=Dossier(pk=dossier.pk),
                    actor=pg_world.leader,
                    reason="Công dân đề nghị",
                    expected_version=seen,
                ),
            ]
        )
    assert sum(isinstance(r, ConflictError) for r in results) == 1, results
    dossier.refresh_from_db()
    winner = next(r for r in results if isinstance(r, Dossier))
    assert dossier.status == winner.status
    assert dossier.version == seen + 1
    assert dossier.events.count() == 3  # received, handed over, the winner's


def test_a_receipt_in_progress_does_not_hold_up_the_next_number(pg_world: World) -> None:
    # Counter A's receipt has drawn its number and is still writing (held here in its
    # transaction, after its event): counter B's receipt of the same agency and day is
    # numbered and committed meanwhile. (Drawn inside A's transaction, the day's row would
    # stay locked until A commits and B would wait for it.)
    from motcua.dossiers.listeners import event_listener_register

    held, release = threading.Event(), threading.Event()
    holder = threading.get_ident

    def hold(event: DossierEvent) -> None:
        if threading.get_ident() == first_thread[0]:
            held.set()
            release.wait(timeout=30)

    first_thread: list[int] = []
    event_listener_register("test_hold", hold)
    results: dict[str, str | Exception] = {}

    def receive(name: str) -> None:
        try:
            results[name] = dossier_receive(
                procedure_version=pg_world.procedure,
                applicant=citizen_applicant(),
                actor=pg_world.clerk,
                receiving_unit=pg_world.center,
            ).code
        except Exception as exc:
            results[name] = exc
        finally:
            connections.close_all()  # the numbers' connection too

    try:
        with time_machine.travel(local(MONDAY, 9), tick=False):

            def first() -> None:
                first_thread.append(holder())
                receive("a")

            a = threading.Thread(target=first)
            a.start()
            assert held.wait(timeout=30)
            b = threading.Thread(target=receive, args=("b",))
            b.start()
            b.join(timeout=20)
            finished_while_a_held = not b.is_alive()
            release.set()
            a.join(timeout=30)
            b.join(timeout=30)
    finally:
        from motcua.dossiers import listeners

        listeners._LISTENERS.pop("test_hold", None)
    assert finished_while_a_held, "B waited for A's commit"
    assert sorted(str(results[k])[-4:] for k in "ab") == ["0001", "0002"], results
    assert Dossier.objects.count() == 2


def test_a_receipt_failing_after_its_number_gives_it_back(pg_world: World) -> None:
    # A receipt that owns its transaction draws its number outside it; when it then fails
    # (here an app's listener of its event raises, as a database error would), the number
    # is given back, being still the last one drawn: the next receipt has it, no gap.
    with time_machine.travel(local(MONDAY, 9), tick=False):
        with (
            event_fails_once(RuntimeError("the national portal's queue is full")),
            pytest.raises(RuntimeError),
        ):
            counter_receipt(pg_world, citizen_applicant())
        codes = [counter_receipt(pg_world, citizen_applicant()).code for _ in range(2)]
    assert [code[-4:] for code in codes] == ["0001", "0002"]
    assert Dossier.objects.count() == 2


def test_a_number_is_drawn_after_the_numbers_connection_was_closed_by_the_server(
    pg_world: World,
) -> None:
    """The ``numbers`` connection has no health check (settings): when the server closed
    the kept one (a restart, an idle timeout), the next request's draw fails on it, opens
    another and runs again."""
    side = connections["numbers"]
    assert not side.settings_dict["CONN_HEALTH_CHECKS"]
    with time_machine.travel(local(MONDAY, 9), tick=False):
        first = counter_receipt(pg_world)
        assert side.connection is not None, "the number was drawn on the numbers connection"
        pid = side.connection.info.backend_pid
        with connection.cursor() as cursor:
            # Waits (up to 5 s) until the backend has ended, not only been signalled.
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone() == (True,)
        # The next request: Django keeps the connection (it cannot know it is closed).
        request_finished.send(sender=None)
        request_started.send(sender=None)
        assert side.connection is not None
        second = counter_receipt(pg_world)
    assert side.connection.info.backend_pid != pid
    assert int(second.code.rsplit("-", 1)[1]) == int(first.code.rsplit("-", 1)[1]) + 1
