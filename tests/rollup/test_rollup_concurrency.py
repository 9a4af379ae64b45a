"""The rollup's appended changes against its compaction and its rebuild, and the dossier
number's give-back, with real concurrent transactions (PostgreSQL, READ COMMITTED)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import OperationalError, connection, connections
from django.db.models.query import QuerySet

from motcua.dossiers import listeners
from motcua.dossiers.listeners import SaveListener, save_listener_register
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from motcua.reports.rollup_queries import rollup_table_rows
from motcua.rollup import services as rollup_services
from motcua.rollup.models import DayCount
from tests.rollup.test_rollup_follows_services import APPLICANT
from tests.world import MONDAY, World, local, world_build

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]


def _receive(w: World) -> Dossier:
    return dossier_receive(
        procedure_version=w.procedure, applicant=APPLICANT, actor=w.clerk, receiving_unit=w.center
    )


class HeldReceipt:
    """A receipt in a thread, held after its rollup rows are appended and before its commit
    (a save listener registered after the rollup's: its refresh runs last in the block)."""

    def __init__(self, w: World) -> None:
        self.appended, self.release, self.committed = (threading.Event() for _ in range(3))
        self._ident: list[int] = []
        save_listener_register(
            "zz_test_hold",
            SaveListener(
                touches=lambda fields: True,
                state=lambda d: None,
                marks=lambda d, before: [("hold", id(d))],
                refresh=self._hold,
                imported=lambda since: None,
            ),
        )
        self.thread = threading.Thread(target=self._run, args=(w,))

    def _hold(self, _marks: object) -> None:
        if self._ident and threading.get_ident() == self._ident[0]:
            self.appended.set()
            self.release.wait(timeout=30)

    def _run(self, w: World) -> None:
        self._ident.append(threading.get_ident())
        try:
            _receive(w)
            self.committed.set()
        finally:
            connections.close_all()

    def start(self) -> None:
        self.thread.start()
        assert self.appended.wait(timeout=30)

    def finish(self) -> None:
        self.release.set()
        self.thread.join(timeout=30)
        listeners._SAVE_LISTENERS.pop("zz_test_hold", None)


def _received() -> list[tuple[str, int]]:
    return [(row[6], row[-1]) for row in rollup_table_rows()]


def _after_commit_of(held: HeldReceipt) -> Callable[[], None]:
    def wait() -> None:
        held.release.set()
        assert held.committed.wait(timeout=30)

    return wait


def test_a_change_committed_while_the_compaction_folds_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The held receipt's row has an id below the compaction's top (a later receipt
    # committed first) and commits between the compaction's read and its DELETE: it is
    # neither summed nor deleted, and counts.
    w = world_build()
    with time_machine.travel(local(MONDAY, 9), tick=False):
        held = HeldReceipt(w)
        try:
            held.start()
            _receive(w)
            commit = _after_commit_of(held)
            original = QuerySet.delete

            def delete(self: QuerySet[Any]) -> Any:
                if self.model is DayCount and not held.committed.is_set():
                    commit()
                return original(self)

            monkeypatch.setattr(QuerySet, "delete", delete)
            rollup_services.rollup_compact()
            monkeypatch.undo()
        finally:
            held.finish()
    assert Dossier.objects.count() == 2
    assert _received() == [("received", 2)]
    rollup_services.rollup_compact()
    rollup_services.rollup_rebuild()
    assert _received() == [("received", 2)]


def test_a_rebuild_waits_for_the_changes_being_appended(monkeypatch: pytest.MonkeyPatch) -> None:
    # A receipt whose rows are appended but not committed: the rebuild waits for it (the
    # rollup's tables locked against appends), so that the receipt is counted once, not
    # once in its rows and once more in the recount of the dossiers.
    w = world_build()
    with time_machine.travel(local(MONDAY, 9), tick=False):
        _receive(w)
        held = HeldReceipt(w)
        try:
            held.start()
            timer = threading.Timer(1.0, held.release.set)  # the receipt goes on meanwhile
            timer.start()
            original = rollup_services._rows

            def rows(qs: Any) -> Any:
                # Between the rebuild's DELETE and its count of the dossiers: without the
                # lock, the receipt would commit here.
                _after_commit_of(held)()
                return original(qs)

            monkeypatch.setattr(rollup_services, "_rows", rows)
            rollup_services.rollup_rebuild()
            monkeypatch.undo()
            timer.join()
        finally:
            held.finish()
    assert Dossier.objects.count() == 2
    assert _received() == [("received", 2)]
    rollup_services.rollup_rebuild()
    assert _received() == [("received", 2)]


def test_a_number_whose_dossier_was_committed_is_not_given_back() -> None:
    # The receipt's COMMIT reached the server but its answer was lost: the service raises,
    # yet the dossier exists with its number, which is therefore not given back; the next
    # receipts number on.
    w = world_build()
    default = connections["default"]
    original = default.commit
    lost = [True]

    def commit() -> None:
        original()
        if lost:
            lost.clear()
            raise OperationalError("server closed the connection unexpectedly")

    with time_machine.travel(local(MONDAY, 9), tick=False):
        default.commit = commit  # type: ignore[method-assign]  # this connection's only, undone below
        try:
            with pytest.raises(OperationalError):
                _receive(w)
        finally:
            del default.commit
        codes = [_receive(w).code[-4:] for _ in range(3)]
    assert Dossier.objects.get(code__endswith="-0001")
    assert codes == ["0002", "0003", "0004"]


def test_a_compaction_neither_waits_for_nor_loses_a_receipt_in_progress() -> None:
    # A receipt's rows are appended, not committed, while the compaction folds the day: the
    # compaction does not wait for it, and once the receipt commits its row counts, once.
    w = world_build()
    done: list[int] = []

    def compact() -> None:
        try:
            done.append(rollup_services.rollup_compact())
        finally:
            connections.close_all()

    with time_machine.travel(local(MONDAY, 9), tick=False):
        _receive(w)
        _receive(w)  # two rows of one key: something to fold
        held = HeldReceipt(w)
        try:
            held.start()
            compacting = threading.Thread(target=compact)
            compacting.start()
            compacting.join(timeout=15)
            finished_while_held = not compacting.is_alive()
        finally:
            held.finish()
            compacting.join(timeout=30)
    assert finished_while_held, "the compaction waited for the receipt's commit"
    assert done == [2]  # a row of the day and one of the month folded away
    assert _received() == [("received", 3)]
    rollup_services.rollup_compact()
    assert DayCount.objects.count() == 1 and _received() == [("received", 3)]
