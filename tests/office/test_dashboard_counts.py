"""The dashboard counts its figures over index ranges (``period_counts``), not with the
figures' filters: for any dossiers (supplement histories included) and any period, each count
by agency is the number of dossiers its drill-down list (``period_filter``) selects in what
the user may see."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import pytest
import time_machine
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.models import (
    Channel,
    DeliveryChannel,
    Dossier,
    DossierClass,
    DossierEvent,
    EndKind,
    EventType,
    Status,
)
from motcua.office.dashboard import period_counts, period_filter, period_filters
from motcua.office.queries import dossiers_for
from motcua.office.risk import risk_clock

from .conftest import World

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 3, 0, tzinfo=dt.UTC)  # Friday 20/3/2026 10:00 in Vietnam
ENDS = {
    EndKind.RESULT: Status.DELIVERED,
    EndKind.REFUSED: Status.REFUSED,
    EndKind.WITHDRAWN: Status.WITHDRAWN,
    EndKind.STOPPED: Status.STOPPED,
}

days = st.integers(min_value=-120, max_value=0)
dossier_shapes = st.fixed_dictionaries(
    {
        "department": st.booleans(),
        "received": days,
        "lasted": st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
        "due_in": st.integers(min_value=-30, max_value=30),
        "channel": st.sampled_from(Channel.values),
        "end_kind": st.sampled_from(list(ENDS)),
        "dossier_class": st.sampled_from(DossierClass.values),
        "delivery": st.sampled_from(["", *DeliveryChannel.values]),
        "apology": st.booleans(),
        "open_status": st.sampled_from(
            [Status.PROCESSING, Status.SUPPLEMENT_REQUESTED, Status.PROCESSING]
        ),
        # A supplement asked for this many days after receipt (none: never), and received
        # this many days later (none: not yet), restarting the clock from that day.
        "supplement": st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
        "supplied": st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
    }
)


class Shape(TypedDict):
    """A dossier drawn from ``dossier_shapes``."""

    department: bool
    received: int
    lasted: int | None
    due_in: int
    channel: str
    end_kind: EndKind
    dossier_class: str
    delivery: str
    apology: bool
    open_status: Status
    supplement: int | None
    supplied: int | None


def make(world: World, shape: Shape) -> None:
    received = NOW + dt.timedelta(days=shape["received"])
    version = world.version if shape["department"] else world.justice_version
    values: dict[str, object] = {
        "received_at": received,
        "due_at": received + dt.timedelta(days=shape["due_in"]),
        "channel": shape["channel"],
        "has_apology": shape["apology"],
        "status": shape["open_status"],
    }
    lasted = shape["lasted"]
    ended = None if lasted is None else received + dt.timedelta(days=lasted)
    if ended is not None and ended <= NOW:
        kind = shape["end_kind"]
        values |= {"ended_at": ended, "end_kind": kind, "status": ENDS[kind]}
        if kind == EndKind.RESULT:
            values |= {
                "dossier_class": shape["dossier_class"],
                "delivery_channel": shape["delivery"],
            }
    dossier = world.dossier(version=version, **values)
    asked = shape["supplement"]
    if asked is None:
        return
    requested = received + dt.timedelta(days=asked)
    last_instant = ended if ended is not None and ended <= NOW else NOW
    if requested > last_instant:
        return
    DossierEvent.objects.create(dossier=dossier, type=EventType.SUPPLEMENT_REQUESTED, at=requested)
    dossier.supplement_requested_at = requested
    fields = ["supplement_requested_at"]
    supplied = shape["supplied"]
    arrived = None if supplied is None else requested + dt.timedelta(days=supplied)
    if arrived is not None and arrived <= last_instant:
        # The clock restarts: the due date replaced is kept on the event (as the services do).
        old_due = dossier.due_at
        assert old_due is not None
        DossierEvent.objects.create(
            dossier=dossier,
            type=EventType.SUPPLEMENT_RECEIVED,
            at=arrived,
            data={"due_at_before": old_due.isoformat()},
        )
        dossier.due_at = arrived + dt.timedelta(days=10)
        fields.append("due_at")
    elif dossier.ended_at is None:
        dossier.status = Status.SUPPLEMENT_REQUESTED  # still waiting
        fields.append("status")
    if dossier.ended_at is None and arrived is not None and arrived <= NOW:
        dossier.status = Status.PROCESSING
        fields.append("status")
    dossier.save(update_fields=fields)


@time_machine.travel(NOW, tick=False)
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    shapes=st.lists(dossier_shapes, max_size=8),
    start=st.integers(min_value=-90, max_value=0),
    length=st.integers(min_value=0, max_value=60),
    who=st.sampled_from(["leader", "manager", "provincial"]),
)
def test_each_count_is_its_filters_count(
    world: World, shapes: list[Shape], start: int, length: int, who: str
) -> None:
    Dossier.objects.all().delete()
    for shape in shapes:
        make(world, shape)
    date_from = (NOW + dt.timedelta(days=start)).date()
    date_to = min(date_from + dt.timedelta(days=length), NOW.date())
    user = getattr(world, who)
    risk = risk_clock(NOW)
    per = period_counts(user, date_from=date_from, date_to=date_to, risk=risk)
    scope = dossiers_for(user)
    for key in (f.key for f in period_filters(date_from, date_to, risk)):
        f = period_filter(key, user, date_from, date_to, risk)
        assert f is not None
        expected = dict(
            scope.filter(f.q).values_list("agency_id").annotate(n=Count("pk")).order_by()
        )
        got = {agency_id: c[f.key] for agency_id, c in per.items() if c[f.key]}
        assert got == expected, f.key
