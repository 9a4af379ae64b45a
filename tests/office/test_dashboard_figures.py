"""Every number of the dashboard links to the dossiers behind it, and the list is as long as
the number; the period is checked and shown in its inputs; the report's figures by channel,
postal return and guidance by kind are there too, equal to the report's."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from motcua.dossiers.models import (
    Channel,
    DeliveryChannel,
    DossierClass,
    EndKind,
    Guidance,
    GuidanceKind,
    Status,
)
from motcua.reports.queries import period_figures
from motcua.rollup.services import rollup_rebuild

from .conftest import World, login

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 3, 0, tzinfo=dt.UTC)  # Friday 20/3/2026 10:00 in Vietnam


def at(days: float) -> dt.datetime:
    return NOW + dt.timedelta(days=days)


def varied(world: World) -> None:
    """Dossiers of both departments in every figure's shape."""
    for version in (world.version, world.justice_version):
        d = world.dossier
        d(version=version, received_at=at(-100), due_at=at(-80))  # carried over, overdue
        d(
            version=version,
            received_at=at(-10),
            due_at=at(5),
            ended_at=at(-2),
            end_kind=EndKind.RESULT,
            dossier_class=DossierClass.EARLY,
            status=Status.DELIVERED,
            delivery_channel=DeliveryChannel.POSTAL,
            channel=Channel.POSTAL,
        )
        d(
            version=version,
            received_at=at(-10),
            due_at=at(-5),
            ended_at=at(-1),
            end_kind=EndKind.RESULT,
            dossier_class=DossierClass.LATE,
            status=Status.RESULT_READY,
            channel=Channel.ONLINE,
        )
        d(
            version=version,
            received_at=at(-5),
            due_at=at(10),
            ended_at=at(-1),
            end_kind=EndKind.REFUSED,
            status=Status.REFUSED,
        )
        d(
            version=version,
            received_at=at(-3),
            due_at=at(10),
            ended_at=at(-1),
            end_kind=EndKind.STOPPED,
            status=Status.STOPPED,
        )
        d(
            version=version,
            received_at=at(-3),
            due_at=at(-1),
            status=Status.SUPPLEMENT_REQUESTED,
            supplement_requested_at=at(-2),
        )
        d(version=version, received_at=at(-1), due_at=at(0.2), channel=Channel.ONLINE)  # at risk
        d(version=version, received_at=at(-1), due_at=at(10))


def listed(client: Client, url: str) -> int:
    """How many dossiers the list at ``url`` holds (all pages)."""
    response = client.get(unescape(url))
    assert response.status_code == 200, url
    assert response.context["drill"] is not None, url  # the figure's own list, not a tab
    return int(response.context["page"].paginator.count)


LINK = re.compile(r'<a class="stat[^"]*" href="([^"]+)"><span class="num">([\d.]+)</span>')
CELL = re.compile(r'<td class="num"><a href="([^"]+)">([\d.]+)</a></td>')


def figure_key(url: str) -> str:
    """The figure a link lists (its ``ky=``)."""
    key = re.search(r"ky=(\w+)", url)
    assert key is not None, url
    return key.group(1)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("who", ["leader", "manager", "provincial"])
# The quarter so far, and a period that ended before some dossiers did (they were still in
# progress at its end) and started after some were received (carried over).
@pytest.mark.parametrize("period", [("2026-01-01", "2026-03-20"), ("2026-02-01", "2026-03-17")])
def test_every_number_is_a_link_to_as_many_dossiers(
    world: World, client: Client, who: str, period: tuple[str, str]
) -> None:
    varied(world)
    # Received before the second period, ended (late, without apology) within it.
    world.dossier(
        received_at=at(-60),
        due_at=at(-40),
        ended_at=at(-30),
        end_kind=EndKind.RESULT,
        dossier_class=DossierClass.LATE,
        status=Status.DELIVERED,
    )
    # Written directly, not through the services: the daily rollup (which the province's
    # dashboard reads) is rebuilt as after an import.
    rollup_rebuild()
    login(client, getattr(world, who))
    date_from, date_to = period
    page = client.get(f"/can-bo/lanh-dao/?date_from={date_from}&date_to={date_to}")
    html = page.content.decode()
    stats = LINK.findall(html)
    cells = CELL.findall(html)
    # Every figure has its link (the overdue one is shown twice).
    keys = {figure_key(url) for url, _n in stats}
    assert keys == set(page.context["figures"]["counts"])
    assert len(cells) == 4 * len(page.context["figures"]["by_agency"]) > 0
    for url, number in stats + cells:
        assert f"date_from={date_from}" in url and f"date_to={date_to}" in url
        assert listed(client, url) == int(number.replace(".", "")), url
    # The table's rows add up to the totals.
    counts = page.context["figures"]["counts"]
    for key in ("received", "resolved", "late", "in_progress_overdue"):
        assert sum(r[key] for r in page.context["figures"]["by_agency"]) == counts[key]
    # received + carried over = resolved + returned + withdrawn + in progress (§7).
    assert page.context["figures"]["identity_holds"]


@time_machine.travel(NOW, tick=False)
def test_figures_by_channel_postal_return_and_guidance_equal_the_report(
    world: World, client: Client
) -> None:
    varied(world)
    for kind, n in ((GuidanceKind.DIRECT, 3), (GuidanceKind.INCOMING_CALL, 2)):
        for _ in range(n):
            Guidance.objects.create(at=at(-1), kind=kind, unit=world.center)
    Guidance.objects.create(at=at(-200), kind=GuidanceKind.DIRECT, unit=world.center)  # before
    rollup_rebuild()  # the dossiers were written directly (see above)
    login(client, world.provincial)
    figures = client.get("/can-bo/lanh-dao/?date_from=2026-01-01&date_to=2026-03-20").context[
        "figures"
    ]
    report = period_figures(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 20))
    c = figures["counts"]
    assert (
        (c["received_online"], c["received_direct"], c["received_postal"])
        == (
            report["received"]["online"],
            report["received"]["direct"],
            report["received"]["postal"],
        )
        == (4, 8, 2)
    )
    assert c["postal_return"] == report["resolved"]["postal_return"] == 2
    assert c["in_progress_within_due"] == report["in_progress"]["within_due"]
    assert c["in_progress_overdue"] == report["in_progress"]["overdue"]
    assert (
        figures["guidance"]
        == report["guidance"]
        == {
            "total": 5,
            "direct": 3,
            "outgoing_call": 0,
            "incoming_call": 2,
        }
    )
    assert figures["pct"]["received_online"] == "28,57 %"  # 4 / 14


@time_machine.travel(NOW, tick=False)
def test_a_reversed_period_is_refused_and_shows_no_figures(world: World, client: Client) -> None:
    login(client, world.leader)
    response = client.get("/can-bo/lanh-dao/?date_from=2026-03-20&date_to=2026-01-01")
    assert response.status_code == 200
    assert response.context["figures"] is None
    html = response.content.decode()
    assert "ngày kết thúc (1/1/2026) trước ngày bắt đầu (20/3/2026)" in html
    assert 'value="2026-03-20"' in html  # what was typed stays, to be corrected
    # A drill-down with a reversed period is not a figure's list.
    assert (
        client.get("/can-bo/?ky=received&date_from=2026-03-20&date_to=2026-01-01").context["drill"]
        is None
    )


@time_machine.travel(NOW, tick=False)
def test_the_inputs_show_the_period_shown(world: World, client: Client) -> None:
    login(client, world.leader)
    html = client.get("/can-bo/lanh-dao/").content.decode()
    # The quarter so far by default.
    assert 'name="date_from" value="2026-01-01"' in html
    assert f'name="date_to" value="{timezone.localdate().isoformat()}"' in html
    html = client.get("/can-bo/lanh-dao/?date_from=2026-02-01").content.decode()
    assert 'name="date_from" value="2026-02-01"' in html
    assert 'name="date_to" value="2026-03-20"' in html
