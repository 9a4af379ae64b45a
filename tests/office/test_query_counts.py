"""The inbox, the dossier page and the dashboard run a fixed number of SQL queries whatever
the amount of data: a page that grew one query per dossier, hand-over, event or part (an
N+1) would be slow on a province's million dossiers long before it showed in a test.

Each page is requested with a few rows, then again after nine times as many were added
(dossiers in every inbox tab and dashboard figure, each with hand-overs, events and parts);
the count of queries must be the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.catalog.models import WorkflowStep
from motcua.dossiers.models import (
    Dossier,
    DossierClass,
    DossierEvent,
    DossierPart,
    EndKind,
    EventType,
    Handover,
    Status,
)

from .conftest import World, login

pytestmark = pytest.mark.django_db


def add_dossiers(world: World, n: int, *, detail: Dossier | None = None) -> None:
    """``n`` dossiers of the construction department, spread over the inbox tabs and the
    dashboard's figures, each with two hand-overs, three events and two parts; ``detail``
    (the dossier whose page is measured) gets as many of each again."""
    now = timezone.now()
    for k in range(n):
        shape = k % 6
        extra: dict[str, object] = {
            "received_at": now - dt.timedelta(days=k % 40),
            "due_at": now + dt.timedelta(days=(k % 7) - 3),
            "current_unit": world.construction if k % 2 else None,
        }
        if shape == 1:
            extra.update(status=Status.SUPPLEMENT_REQUESTED, supplement_requested_at=now)
        elif shape == 2:
            extra.update(
                status=Status.RESULT_READY,
                ended_at=now,
                end_kind=EndKind.RESULT,
                dossier_class=DossierClass.LATE if k % 4 else DossierClass.EARLY,
            )
        elif shape == 3:
            extra.update(status=Status.REFUSED, ended_at=now, end_kind=EndKind.REFUSED)
        elif shape == 4:
            extra.update(
                status=Status.SUBMITTED, received_at=None, due_at=None, receiving_unit=None
            )
        dossier = world.dossier(version=world.version, **extra)
        fill(dossier, world.specialist)
    if detail is not None:
        fill(detail, world.specialist, offset=Handover.objects.filter(dossier=detail).count())
        # A longer workflow too: the page lists the steps a dossier may go to.
        version = detail.procedure_version
        last = version.steps.order_by("-position").values_list("position", flat=True).first() or 0
        WorkflowStep.objects.bulk_create(
            WorkflowStep(
                version=version,
                position=last + i + 1,
                name=f"Bước thêm {i + 1}",
                unit=world.construction,
                hours=8,
            )
            for i in range(3)
        )


def fill(dossier: Dossier, actor: User, *, offset: int = 0) -> None:
    at = timezone.now()
    Handover.objects.bulk_create(
        Handover(
            dossier=dossier,
            position=offset + i + 1,
            from_unit_label="Bộ phận Một cửa",
            to_unit=Agency.objects.get(code="000.15.01.H18"),
            at=at,
            receiver=actor.get_username(),
        )
        for i in range(2)
    )
    DossierEvent.objects.bulk_create(
        DossierEvent(dossier=dossier, type=t, at=at, actor=actor)
        for t in (EventType.RECEIVED, EventType.HANDOVER, EventType.SUPPLEMENT_REQUESTED)
    )
    DossierPart.objects.bulk_create(
        DossierPart(dossier=dossier, part=part, name=part.name, copies=part.copies)
        for part in dossier.procedure_version.parts.all()
    )


def queries_of(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


PAGES: list[tuple[str, Callable[[World], User], Callable[[Dossier], str]]] = [
    ("inbox", lambda w: w.specialist, lambda d: "/can-bo/"),
    ("inbox, my desk", lambda w: w.specialist, lambda d: "/can-bo/?cua=toi"),
    ("inbox of the counter", lambda w: w.clerk, lambda d: "/can-bo/?f=submitted"),
    ("inbox, search", lambda w: w.leader, lambda d: "/can-bo/?q=Nguy%E1%BB%85n"),
    ("dashboard drill-down", lambda w: w.leader, lambda d: "/can-bo/?ky=late"),
    ("dossier page", lambda w: w.specialist, lambda d: f"/can-bo/ho-so/{d.code}/"),
    ("dossier page, leader", lambda w: w.leader, lambda d: f"/can-bo/ho-so/{d.code}/"),
    ("dossier page, counter", lambda w: w.clerk, lambda d: f"/can-bo/ho-so/{d.code}/"),
    ("dashboard", lambda w: w.leader, lambda d: "/can-bo/lanh-dao/"),
    ("dashboard of the center", lambda w: w.manager, lambda d: "/can-bo/lanh-dao/"),
    ("dashboard of the province", lambda w: w.provincial, lambda d: "/can-bo/lanh-dao/"),
]


@pytest.mark.parametrize(("page", "who", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_queries_do_not_grow_with_the_data(
    world: World,
    client: Client,
    page: str,
    who: Callable[[World], User],
    url: Callable[[Dossier], str],
) -> None:
    detail = world.dossier(current_unit=world.construction)
    fill(detail, world.specialist)
    add_dossiers(world, 6)  # one of each shape: no tab is empty (an empty page skips a query)
    login(client, who(world))
    address = url(detail)
    client.get(address)  # first-use reads (content types, sessions) are not the page's
    small = queries_of(client, address)

    add_dossiers(world, 54, detail=detail)
    # The added steps change the configuration: its kept reads (core.config_cache) are read
    # again once, by the first page after the change, and are not the data's growth.
    client.get(address)
    big = queries_of(client, address)

    assert big == small, f"{page}: {small} queries with 7 dossiers, {big} with 61"


def test_the_pages_show_the_added_rows(world: World, client: Client) -> None:
    """The data added above does reach the pages (so equal counts mean something): the
    dossier page lists every hand-over and the inbox lists every open dossier."""
    detail = world.dossier(current_unit=world.construction)
    fill(detail, world.specialist)
    add_dossiers(world, 60, detail=detail)
    login(client, world.specialist)
    page = client.get(f"/can-bo/ho-so/{detail.code}/").content.decode()
    assert page.count("Phòng Quản lý xây dựng") >= 4
    assert Dossier.objects.filter(agency=world.construction).count() == 61
    inbox = client.get("/can-bo/")
    assert inbox.status_code == 200
    # Processing or waiting for a supplement: three shapes of six, and the detail dossier.
    assert len(inbox.context["page"].object_list) == 31
