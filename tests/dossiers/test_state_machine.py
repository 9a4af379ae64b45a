"""Any sequence of changes keeps a dossier consistent (property test).

Whatever the order in which clerks, specialists and applicants act: an allowed change adds
one event and one audit row and bumps the version by one; a refused change changes nothing;
the end is set once and never moves; only a result has a class."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier, EndKind
from motcua.dossiers.services import (
    DossierError,
    dossier_deliver,
    dossier_extend,
    dossier_finish,
    dossier_handover,
    dossier_receive,
    dossier_receive_supplement,
    dossier_refuse,
    dossier_request_supplement,
    dossier_stop,
    dossier_withdraw,
)
from tests.dossiers.conftest import citizen_applicant
from tests.world import MONDAY, World, local

Action = Callable[[Dossier, World, dt.datetime], Any]

ACTIONS: dict[str, Action] = {
    "handover": lambda d, w, now: dossier_handover(dossier=d, actor=w.clerk),
    "supplement": lambda d, w, now: dossier_request_supplement(
        dossier=d, actor=w.specialist, items=["A"], reason="B"
    ),
    "supplied": lambda d, w, now: dossier_receive_supplement(dossier=d, actor=w.clerk),
    "extend": lambda d, w, now: dossier_extend(
        dossier=d, actor=w.leader, reason="x", new_due_at=now + dt.timedelta(days=10)
    ),
    "finish": lambda d, w, now: dossier_finish(dossier=d, actor=w.leader),
    "refuse": lambda d, w, now: dossier_refuse(dossier=d, actor=w.leader, reason="x"),
    "withdraw": lambda d, w, now: dossier_withdraw(dossier=d, actor=w.citizen),
    "stop": lambda d, w, now: dossier_stop(dossier=d, actor=w.leader, reason="x"),
    "deliver": lambda d, w, now: dossier_deliver(dossier=d, actor=w.clerk, channel="counter"),
}

steps = st.lists(
    st.tuples(st.sampled_from(sorted(ACTIONS)), st.integers(min_value=0, max_value=40)),
    min_size=1,
    max_size=10,
)


def snapshot(dossier: Dossier) -> tuple[Any, ...]:
    dossier.refresh_from_db()
    return (
        dossier.version,
        dossier.status,
        dossier.ended_at,
        dossier.due_at,
        dossier.events.count(),
        AuditEvent.objects.filter(object_id=dossier.code).count(),
    )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_any_sequence_keeps_the_dossier_consistent(
    world: World, steps: list[tuple[str, int]]
) -> None:
    now = local(MONDAY, 9)
    with time_machine.travel(now, tick=False) as traveller:
        dossier = dossier_receive(
            procedure_version=world.procedure,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
        )
        first_end = None
        for name, hours in steps:
            now += dt.timedelta(hours=hours)
            traveller.move_to(now)
            before = snapshot(dossier)
            try:
                ACTIONS[name](dossier, world, now)
            except DossierError:
                assert snapshot(dossier) == before, name
                continue
            version, _status, ended_at, _due, events, audits = snapshot(dossier)
            assert (version, events, audits) == (before[0] + 1, before[4] + 1, before[5] + 1)
            assert (dossier.ended_at is None) == (dossier.end_kind == "")
            if first_end is not None:
                assert ended_at == first_end
            first_end = ended_at
            assert bool(dossier.dossier_class) == (dossier.end_kind == EndKind.RESULT)
            if dossier.supplement_count > 1 and dossier.end_kind == EndKind.RESULT:
                assert dossier.dossier_class == "late"
