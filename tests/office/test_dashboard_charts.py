"""The leaders' dashboard beyond its numbers (issue 16): charts drawn on the server with
their numbers as tables, the months adding up to the period's figures; quarter, half-year
and year presets; "—" for a rate with nothing to divide; the report list kept open after
"Lập báo cáo"; the agency named as its documents of the date print it."""

from __future__ import annotations

import base64
import datetime as dt
import re
from html import unescape

import pytest
import time_machine
from django.test import Client

from motcua.agencies.models import Letterhead
from motcua.core.formatting import vn_rate
from motcua.dossiers.models import Channel, DossierClass, EndKind, Status
from motcua.reports.models import ReportRequest

from .conftest import World, login

pytestmark = pytest.mark.django_db

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


@time_machine.travel(NOW, tick=False)
def test_charts_are_on_the_page_with_their_numbers(world: World, client: Client) -> None:
    some_months(world)
    login(client, world.leader)
    response = client.get("/can-bo/lanh-dao/?date_from=2026-01-01&date_to=2026-03-20")
    html = response.content.decode()
    # Each chart an SVG image (the CSP allows data: images, no inline style) with an alt.
    images = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', html)
    assert len(images) == 3
    svg = base64.b64decode(images[0][0]).decode()
    assert "<svg" in svg and "Trực tuyến" in svg
    assert all(alt.strip() for _src, alt in images)
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
def test_no_chart_and_no_zero_rate_when_there_is_nothing(world: World, client: Client) -> None:
    login(client, world.leader)
    html = client.get("/can-bo/lanh-dao/").content.decode()
    assert "data:image/svg" not in html
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
    """A chart is a pure function of its numbers, title and language: a repeated view is
    not drawn again; other numbers, another title or a change of agency are."""
    from motcua.office import charts
    from motcua.office.dashboard import MonthFigures

    drawn: list[str] = []
    svg = charts._svg

    def counted(fig: object) -> str:
        drawn.append("x")
        return svg(fig)

    monkeypatch.setattr(charts, "_svg", counted)
    months = [MonthFigures(dt.date(2031, m, 1), 7 * m, 3, 1, 5 + m, 4) for m in (1, 2, 3)]
    first = charts.received_by_month(months, "Theo tháng")
    again = charts.received_by_month(list(months), "Theo tháng")
    assert first is not None and again == first and len(drawn) == 1
    other = charts.received_by_month(months, "Khác")
    assert other is not None and other.title == "Khác" and len(drawn) == 2
    changed = [*months[:2], MonthFigures(dt.date(2031, 3, 1), 22, 3, 1, 8, 4)]
    assert charts.received_by_month(changed, "Theo tháng") != first and len(drawn) == 3
    rates = charts.on_time_by_month(months, "Tỷ lệ")
    assert charts.on_time_by_month(months, "Tỷ lệ") == rates and len(drawn) == 4
    rows = [{"agency__name": "Sở Xây dựng 2031", "late": 9, "received": 1}]
    late = charts.late_by_agency(rows, "Quá hạn")
    assert charts.late_by_agency([dict(rows[0])], "Quá hạn") == late and len(drawn) == 5
    renamed = [{"agency__name": "Sở Tư pháp 2031", "late": 9}]
    late2 = charts.late_by_agency(renamed, "Quá hạn")
    assert late2 is not None and late is not None and len(drawn) == 6
    assert "Tư pháp" in base64.b64decode(late2.src.split(",", 1)[1]).decode()
