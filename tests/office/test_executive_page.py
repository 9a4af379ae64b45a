"""The executive view (/dieu-hanh/) as the chairman reads it: the period shown is said (in
the date boxes, the preset marked, in words), the table by level names the levels with the
agency table's headers, every number of the totals and of the table by level is a link to as
many dossiers, and the trend chart says what it draws."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine
from django.test import Client

from motcua.rollup.services import rollup_rebuild

from .conftest import World, login
from .test_dashboard_figures import NOW, listed, varied

pytestmark = pytest.mark.django_db


@time_machine.travel(NOW, tick=False)
def test_the_period_shown_is_said(world: World, client: Client) -> None:
    login(client, world.provincial)
    html = client.get("/dieu-hanh/").content.decode()
    # The quarter so far (Friday 20/3/2026): in the boxes, as the marked preset, in words.
    assert re.search(r'name="date_from"[^>]*value="2026-01-01"', html)
    assert re.search(r'name="date_to"[^>]*value="2026-03-20"', html)
    current = re.findall(r'<a href="([^"]+)" aria-current="true">([^<]+)</a>', html)
    assert [label for _url, label in current] == ["Quý này"]
    assert "Từ 01/01/2026 đến 20/03/2026" in html
    html = client.get("/dieu-hanh/?date_from=2025-01-01&date_to=2025-12-31").content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="true">([^<]+)</a>', html)
    assert [label for _url, label in current] == ["Năm trước"]
    assert "Từ 01/01/2025 đến 31/12/2025" in html
    # A start alone: the end filled in from the default is in its box too.
    html = client.get("/dieu-hanh/?date_from=2026-02-01").content.decode()
    assert re.search(r'name="date_to"[^>]*value="2026-03-20"', html)
    assert "Từ 01/02/2026 đến 20/03/2026" in html


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("period", [("2026-01-01", "2026-03-20"), ("2026-02-01", "2026-03-17")])
def test_every_total_and_level_number_links_to_as_many_dossiers(
    world: World, client: Client, period: tuple[str, str]
) -> None:
    varied(world)
    rollup_rebuild()
    login(client, world.provincial)
    html = client.get(f"/dieu-hanh/?date_from={period[0]}&date_to={period[1]}").content.decode()
    totals = html.split('id="totals"')[1].split("</table>")[0]
    links = re.findall(r'<a data-figure="(\w+)" href="([^"]+)">(\d+)</a>', totals)
    assert {key for key, _url, _n in links} >= {"received", "resolved", "late", "overdue"}
    assert any(int(n) for key, _url, n in links if key == "overdue")
    for _key, url, n in links:
        assert listed(client, url) == int(n), url
    levels = html.split('id="levels"')[1].split("</table>")[0]
    headers = re.findall(r'<th scope="col">([^<]+)</th>', levels)
    assert headers[1:5] == ["Tiếp nhận", "Đã giải quyết", "Quá hạn", "Đang giải quyết"]
    rows = re.findall(r'<tr data-level="(\w+)"><th scope="row">([^<]+)</th>(.*?)</tr>', levels)
    assert [(code, name) for code, name, _cells in rows] == [("province", "Cấp tỉnh")]
    cells = re.findall(r'<a href="([^"]+)">(\d+)</a>', rows[0][2])
    assert len(cells) == 5 and any(int(n) for _url, n in cells)
    for url, n in cells:
        assert "cap=province" in unescape(url)
        assert listed(client, url) == int(n), url
    # A level's list holds only that level's dossiers: none of the commune level here.
    assert listed(client, unescape(cells[0][0]).replace("cap=province", "cap=commune")) == 0
    # Each agency's row too: its numbers are the report's (received in the period, not biểu
    # II.06a's total with the carried over), each opening a list of as many dossiers.
    agencies = html.split('id="agencies"')[1].split("</table>")[0]
    agency_rows = re.findall(r'<tr data-agency="([^"]+)">(.*?)</tr>', agencies)
    assert agency_rows
    checked = 0
    for _code, row in agency_rows:
        for url, n in re.findall(r'<a href="([^"]+)">(\d+)</a>', row):
            assert listed(client, url) == int(n), url
            checked += int(n)
    assert checked


@time_machine.travel(NOW, tick=False)
def test_the_trend_chart_says_what_it_draws(world: World, client: Client) -> None:
    varied(world)
    rollup_rebuild()
    login(client, world.provincial)
    html = client.get("/dieu-hanh/").content.decode()
    svg = re.search(r'<svg[^>]*data-chart="trend".*?</svg>', html, re.S)
    assert svg
    labels = re.findall(r"<text[^>]*>([^<]+)</text>", svg.group(0))
    # April 2025 … March 2026 under the bars, the years under the first month and January.
    months = [label for label in labels if re.fullmatch(r"T\d+", label)]
    assert months == [f"T{m}" for m in [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]]
    assert "2025" in labels and "2026" in labels
    assert "04/2025–03/2026" in labels and "04/2024–03/2025" in labels  # the legend
    titles = re.findall(r"<title>(\d\d/\d{4}): ([\d.]+)</title>", svg.group(0))
    assert [month for month, _n in titles][:12] == [
        r[0] for r in re.findall(r'<th scope="row">((\d\d)/\d{4})</th>', html)
    ]
    table = html.split('id="trend"')[1].split("</table>")[0]
    rows = re.findall(r'<th scope="row">(\d\d/\d{4})</th><td>(\d+)</td>', table)
    assert len(rows) == 12 and rows[-1][0] == "03/2026"
    # The bar's tooltip and the table give the same number, and March has dossiers.
    assert dict(titles)["03/2026"] == rows[-1][1] and int(rows[-1][1]) > 0
