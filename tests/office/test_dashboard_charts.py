"""The leaders' dashboard beyond its numbers (issue 16): charts drawn on the server, each
served as its own SVG image (the page draws none), with their numbers as tables, the months
adding up to the period's figures; quarter, half-year and year presets; "—" for a rate with
nothing to divide; the report list kept open after "Lập báo cáo"; the agency named as its
documents of the date print it."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import TypedDict

import pytest
import time_machine
from django.test import Client

from motcua.agencies.models import Letterhead
from motcua.core.formatting import vn_rate
from motcua.dossiers.models import Channel, DossierClass, EndKind, Status
from motcua.office.charts import charts_forget, charts_kept
from motcua.reports.models import ReportRequest

from .conftest import World, login

pytestmark = pytest.mark.django_db


class Period(TypedDict):
    date_from: dt.date
    date_to: dt.date


NOW = dt.datetime(2026, 3, 20, 3, 0, tzinfo=dt.UTC)  # Friday 20/3/2026 10:00 in Vietnam


def on(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T03:00:00+00:00")


def some_months(world: World) -> None:
    d = world.dossier
    d(received_at=on("2026-01-05"), due_at=on("2026-01-20"), channel=Channel.ONLINE)
    d(received_at=on("2026-01-06"), due_at=on("2026-01-20"), channel=Channel.DIRECT)
    d(
        received_at=on("2026-02-02"),
        due_at=on("2026-02-10"),
        ended_at=on("2026-02-09"),
        end_kind=EndKind.RESULT,
        dossier_class=DossierClass.ON_TIME,
        status=Status.DELIVERED,
        channel=Channel.POSTAL,
    )
    d(
        received_at=on("2026-02-03"),
        due_at=on("2026-02-10"),
        ended_at=on("2026-02-12"),
        end_kind=EndKind.RESULT,
        dossier_class=DossierClass.LATE,
        status=Status.DELIVERED,
    )


def table_rows(html: str, chart: str) -> list[list[str]]:
    figure = re.search(rf'<figure class="chart" data-chart="{chart}">(.*?)</figure>', html, re.S)
    assert figure is not None, chart
    body = figure.group(1)[figure.group(1).index("<tbody>") :]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def images(html: str) -> dict[str, tuple[str, str]]:
    """Each chart's image on the page: its address and ``alt``, by the chart's key."""
    found = re.findall(
        r'<figure class="chart" data-chart="(\w+)">.*?<img src="([^"]+)" alt="([^"]+)"',
        html,
        re.S,
    )
    return {key: (unescape(src), alt) for key, src, alt in found}


PERIOD = "date_from=2026-01-01&date_to=2026-03-20"


@time_machine.travel(NOW, tick=False)
def test_charts_are_on_the_page_with_their_numbers(world: World, client: Client) -> None:
    some_months(world)
    login(client, world.leader)
    response = client.get(f"/can-bo/lanh-dao/?{PERIOD}")
    html = response.content.decode()
    # Each chart an SVG image of its own address (the CSP allows the site's images), with an
    # alt; the page embeds none.
    shown = images(html)
    assert list(shown) == ["received", "on_time", "late"]
    assert "data:image/svg" not in html
    assert all(alt.strip() for _src, alt in shown.values())
    src = shown["received"][0]
    assert src == f"/can-bo/lanh-dao/bieu-do/received.svg?{PERIOD}"
    image = client.get(src)
    assert image.status_code == 200 and image["Content-Type"] == "image/svg+xml"
    svg = image.content.decode()
    assert "<svg" in svg and "Trực tuyến" in svg
    # The tables: received by month and channel, adding up to the period's figure.
    assert table_rows(html, "received") == [
        ["1/2026", "1", "1", "0", "2"],
        ["2/2026", "0", "1", "1", "2"],
        ["3/2026", "0", "0", "0", "0"],
    ]
    assert response.context["figures"]["counts"]["received"] == 4
    # The on-time rate by month; "—" for a month with nothing resolved.
    assert table_rows(html, "on_time") == [
        ["1/2026", "0", "0", "—"],
        ["2/2026", "2", "1", "50,00 %"],
        ["3/2026", "0", "0", "—"],
    ]
    assert table_rows(html, "late") == [["Sở Xây dựng", "1"]]


@time_machine.travel(NOW, tick=False)
def test_the_page_draws_no_chart(world: World, client: Client) -> None:
    """A first view waits for no matplotlib draw: the charts are drawn when their images
    are asked for."""
    some_months(world)
    login(client, world.leader)
    charts_forget()
    html = client.get(f"/can-bo/lanh-dao/?{PERIOD}").content.decode()
    assert len(images(html)) == 3 and charts_kept() == 0
    for src, _alt in images(html).values():
        assert client.get(src).status_code == 200
    assert charts_kept() == 3


def justice_late_result(world: World, received: str, due: str, ended: str) -> None:
    """A late result of the justice department (another agency than the leader's)."""
    world.dossier(
        version=world.justice_version,
        received_at=on(received),
        due_at=on(due),
        ended_at=on(ended),
        end_kind=EndKind.RESULT,
        dossier_class=DossierClass.LATE,
        status=Status.DELIVERED,
    )


@time_machine.travel(NOW, tick=False)
def test_the_images_show_the_numbers_of_the_page_s_tables(world: World, client: Client) -> None:
    some_months(world)
    # Another agency's late dossier: not the construction leader's to see.
    justice_late_result(world, "2026-02-03", "2026-02-10", "2026-02-12")
    login(client, world.leader)
    html = client.get(f"/can-bo/lanh-dao/?{PERIOD}").content.decode()
    shown = images(html)
    on_time = client.get(shown["on_time"][0]).content.decode()
    rates = [row[3] for row in table_rows(html, "on_time") if row[3] != "—"]
    assert rates == ["50,00 %"] and all(f">{r}<" in on_time for r in rates)
    late = client.get(shown["late"][0]).content.decode()
    assert table_rows(html, "late") == [["Sở Xây dựng", "1"]]
    assert "Sở Xây dựng" in late and "> 1<" in late
    assert "Tư pháp" not in late and "Tư pháp" not in html


@time_machine.travel(NOW, tick=False)
def test_the_province_s_late_image_is_its_table_s_late_column(world: World, client: Client) -> None:
    """The late chart reads the flows alone (the rollup's, for the province): the same
    numbers as the page's table, which reads every figure."""
    from motcua.office.dashboard import dashboard_figures, late_by_agency
    from motcua.rollup.services import rollup_rebuild

    some_months(world)
    justice_late_result(world, "2026-01-13", "2026-01-20", "2026-03-02")
    rollup_rebuild()  # the dossiers were written directly
    period: Period = {"date_from": dt.date(2026, 1, 1), "date_to": dt.date(2026, 3, 20)}
    for source in ("rollup", "dossiers"):
        table = dashboard_figures(world.provincial, agency=None, source=source, **period)
        late = late_by_agency(world.provincial, source=source, **period)
        assert [(r["agency__name"], r["late"]) for r in late] == [
            (r["agency__name"], r["late"]) for r in table["by_agency"] if r["late"]
        ]
        assert [r["agency__name"] for r in late] == ["Sở Tư pháp", "Sở Xây dựng"]
    login(client, world.provincial)
    html = client.get(f"/can-bo/lanh-dao/?{PERIOD}").content.decode()
    assert table_rows(html, "late") == [["Sở Tư pháp", "1"], ["Sở Xây dựng", "1"]]
    svg = client.get(images(html)["late"][0]).content.decode()
    assert "Sở Tư pháp" in svg and "Sở Xây dựng" in svg


@time_machine.travel(NOW, tick=False)
def test_an_image_unchanged_is_answered_304_and_kept_privately(
    world: World, client: Client
) -> None:
    some_months(world)
    login(client, world.leader)
    src = f"/can-bo/lanh-dao/bieu-do/late.svg?{PERIOD}"
    first = client.get(src)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    assert first["Cache-Control"].replace(" ", "").split(",") == ["private", "max-age=300"]
    again = client.get(src, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(src, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    # The page itself is still never kept.
    assert "no-store" in client.get(f"/can-bo/lanh-dao/?{PERIOD}")["Cache-Control"]


@time_machine.travel(NOW, tick=False)
def test_images_follow_the_page_s_access_rule(world: World, client: Client) -> None:
    some_months(world)
    src = f"/can-bo/lanh-dao/bieu-do/received.svg?{PERIOD}"
    assert client.get(src).status_code == 302  # to the login page
    for refused in (world.specialist, world.outsider, world.clerk):
        login(client, refused)
        assert client.get("/can-bo/lanh-dao/").status_code == 403
        assert client.get(src).status_code == 403
    login(client, world.leader)
    assert client.get(src).status_code == 200
    # An unknown chart, a period the page refuses (ends before it starts, not a date).
    assert client.get(f"/can-bo/lanh-dao/bieu-do/pie.svg?{PERIOD}").status_code == 404
    reversed_ = "date_from=2026-03-01&date_to=2026-01-01"
    assert client.get(f"/can-bo/lanh-dao/bieu-do/received.svg?{reversed_}").status_code == 404
    assert client.get("/can-bo/lanh-dao/bieu-do/received.svg?date_from=x").status_code == 404
    # No period: the page's default (the quarter so far).
    assert client.get("/can-bo/lanh-dao/bieu-do/received.svg").status_code == 200
    # Nothing to show in a period without dossiers: no image on the page, 404 for its address.
    empty = "date_from=2025-01-01&date_to=2025-03-31"
    assert images(client.get(f"/can-bo/lanh-dao/?{empty}").content.decode()) == {}
    assert client.get(f"/can-bo/lanh-dao/bieu-do/received.svg?{empty}").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_no_chart_and_no_zero_rate_when_there_is_nothing(world: World, client: Client) -> None:
    login(client, world.leader)
    html = client.get("/can-bo/lanh-dao/").content.decode()
    assert images(html) == {} and "bieu-do" not in html
    assert "0,00 %" not in html
    assert "Tỷ lệ giải quyết trước và đúng hạn: —." in html
    assert vn_rate(0, 0) == "—" and vn_rate(1, 3) == "33,33 %"


@time_machine.travel(NOW, tick=False)
def test_presets_offer_quarter_half_year_and_year(world: World, client: Client) -> None:
    login(client, world.leader)
    html = client.get("/can-bo/lanh-dao/").content.decode()
    nav = html[html.index("data-presets") :]
    links = dict(
        (label, unescape(href))
        for href, label in re.findall(
            r'<a href="\?([^"]+)"[^>]*>([^<]+)</a>', nav[: nav.index("</ul>")]
        )
    )
    assert links == {
        "Quý này": "date_from=2026-01-01&date_to=2026-03-20",
        "Quý trước": "date_from=2025-10-01&date_to=2025-12-31",
        "6 tháng này": "date_from=2026-01-01&date_to=2026-03-20",
        "6 tháng trước": "date_from=2025-07-01&date_to=2025-12-31",
        "Năm nay": "date_from=2026-01-01&date_to=2026-03-20",
        "Năm trước": "date_from=2025-01-01&date_to=2025-12-31",
    }
    # The period shown is marked; following a preset shows that period.
    assert re.search(r'aria-current="true">Quý này<', nav)
    shown = client.get("/can-bo/lanh-dao/?" + links["Năm trước"]).content.decode()
    assert "Kỳ từ 1/1/2025 đến 31/12/2025" in shown
    assert re.search(r'aria-current="true">Năm trước<', shown)


@time_machine.travel(NOW, tick=False)
def test_after_asking_for_a_report_its_list_stays_open_with_progress(
    world: World, client: Client
) -> None:
    login(client, world.leader)
    closed = client.get("/can-bo/lanh-dao/").content.decode()
    assert '<details class="card" id="bao-cao">' in closed
    sent = client.post(
        "/can-bo/lanh-dao/bao-cao/lap/",
        {"date_from": "2026-01-01", "date_to": "2026-03-20", "fmt": "xlsx"},
    )
    assert sent.status_code == 302 and sent["Location"].endswith("&bao_cao=1#bao-cao")
    page = client.get(sent["Location"]).content.decode()
    assert '<details class="card" id="bao-cao" open>' in page
    assert "data-report-progress" in page and 'hx-trigger="every 5s"' in page
    # Still open on a plain visit while it is being made; the poll shows it when done.
    assert (
        '<details class="card" id="bao-cao" open>'
        in client.get("/can-bo/lanh-dao/").content.decode()
    )
    # The poll's answer once it is made: the link, no more polling, no progress bar.
    ReportRequest.objects.update(status="failed")
    polled = client.get("/can-bo/lanh-dao/bao-cao/").content.decode()
    assert "every 5s" not in polled and "data-report-progress" not in polled


@time_machine.travel(NOW, tick=False)
def test_the_agency_is_named_as_its_documents_of_the_date_print_it(
    world: World, client: Client
) -> None:
    Letterhead.objects.create(
        agency=world.center,
        valid_from=dt.date(2026, 1, 1),
        unit_name="Trung tâm Phục vụ hành chính công tỉnh Đắk Nông",
    )
    login(client, world.manager)
    html = client.get("/can-bo/lanh-dao/").content.decode()
    assert "Trung tâm Phục vụ hành chính công tỉnh Đắk Nông" in html
    assert "Tải báo cáo kỳ này (Trung tâm Phục vụ hành chính công tỉnh Đắk Nông)" in html
    # A period before the name applied: the agency's own name.
    old = client.get("/can-bo/lanh-dao/?date_from=2025-10-01&date_to=2025-12-31")
    assert "Tải báo cáo kỳ này (Trung tâm Phục vụ hành chính công)" in old.content.decode()


def test_a_chart_drawn_again_for_the_same_numbers_is_served_from_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A chart is a pure function of its numbers and language: a repeated view is not drawn
    again; other numbers or a change of agency are."""
    from motcua.office import charts
    from motcua.office.dashboard import MonthFigures

    drawn: list[str] = []
    svg = charts._svg

    def counted(fig: object) -> bytes:
        drawn.append("x")
        return svg(fig)

    monkeypatch.setattr(charts, "_svg", counted)
    months = [MonthFigures(dt.date(2031, m, 1), 7 * m, 3, 1, 5 + m, 4) for m in (1, 2, 3)]
    first = charts.chart_svg("received", months, [])
    again = charts.chart_svg("received", list(months), [])
    assert first is not None and again == first and len(drawn) == 1
    changed = [*months[:2], MonthFigures(dt.date(2031, 3, 1), 22, 3, 1, 8, 4)]
    assert charts.chart_svg("received", changed, []) != first and len(drawn) == 2
    rates = charts.chart_svg("on_time", months, [])
    assert charts.chart_svg("on_time", months, []) == rates and len(drawn) == 3
    rows = [{"agency__name": "Sở Xây dựng 2031", "late": 9, "received": 1}]
    late = charts.chart_svg("late", [], rows)
    assert charts.chart_svg("late", [], [dict(rows[0])]) == late and len(drawn) == 4
    renamed = [{"agency__name": "Sở Tư pháp 2031", "late": 9}]
    late2 = charts.chart_svg("late", [], renamed)
    assert late2 is not None and late is not None and len(drawn) == 5
    assert "Tư pháp" in late2.decode()
    # What the page offers is what is drawn: nothing to show, no chart.
    assert [c.key for c in charts.charts_shown(months, rows)] == ["received", "on_time", "late"]
    assert charts.charts_shown([], []) == [] and charts.chart_svg("late", [], []) is None
