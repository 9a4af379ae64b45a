"""Fees collected per agency and period (issue 17, item 5): the totals equal the receipts kept,
counted by hand below; the page and the XLSX show the same figures in the user's scope."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from motcua.cli import main
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_receive
from motcua.fees.models import Method
from motcua.fees.services import payment_collect, receipt_void
from motcua.reports.fees_collected import fees_collected
from tests.dossiers.conftest import citizen_applicant
from tests.world import MONDAY, World, local, staff_create

TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def collected(priced: World, traveller: time_machine.Traveller) -> World:
    """Monday: cash 205.000 đ, transfer 205.000 đ, and a cash receipt voided; Tuesday: cash
    205.000 đ (outside a Monday-only period)."""

    def receive() -> Dossier:
        return dossier_receive(
            procedure_version=priced.procedure,
            applicant=citizen_applicant(),
            actor=priced.clerk,
            receiving_unit=priced.center,
        )

    payment_collect(dossier=receive(), actor=priced.clerk, method=Method.CASH)
    payment_collect(
        dossier=receive(),
        actor=priced.clerk,
        method=Method.TRANSFER,
        transfer_ref="CK0001",
    )
    voided = payment_collect(dossier=receive(), actor=priced.clerk, method=Method.CASH)
    receipt_void(payment=voided, actor=priced.clerk, reason="Thu nhầm")
    traveller.move_to(local(TUESDAY, 10))
    payment_collect(dossier=receive(), actor=priced.clerk, method=Method.CASH)
    return priced


def test_totals_equal_the_receipts_kept(collected: World) -> None:
    monday = fees_collected(MONDAY, MONDAY)
    (row,) = monday.rows
    assert row.agency_code == collected.center.code
    assert (row.receipts, row.cash, row.transfer, row.online, row.total) == (
        2,
        205_000,
        205_000,
        0,
        410_000,
    )
    both = fees_collected(MONDAY, TUESDAY)
    assert (both.receipts, both.column("cash"), both.column("total")) == (3, 410_000, 615_000)
    # The competent department sees what the centre collected for its procedures; another
    # department nothing.
    assert fees_collected(MONDAY, TUESDAY, collected.justice).column("total") == 615_000
    assert fees_collected(MONDAY, TUESDAY, collected.transport).rows == []


def test_the_command_prints_json_and_writes_the_xlsx(
    collected: World, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    args = ["report", "fees", "--from", MONDAY.isoformat(), "--to", MONDAY.isoformat()]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["receipts"], out["total"]) == (2, 410_000)
    assert out["agencies"][0]["transfer"] == 205_000
    target = tmp_path / "phi.xlsx"
    assert (
        main([*args, "--agency", collected.justice.code, "--format", "xlsx", "-o", str(target)])
        == 0
    )
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    numbers = [int(float(v)) for v in re.findall(r"<c r=\"[D-H][56]\"[^>]*><v>([\d.]+)</v>", sheet)]
    assert numbers == [2, 205_000, 205_000, 0, 410_000, 2, 205_000, 205_000, 0, 410_000]
    assert main(["report", "fees", "--from", "2026-10-06", "--to", "2026-10-05"]) == 2


def test_the_page_shows_the_users_scope_only(collected: World) -> None:
    client = Client()
    client.force_login(collected.leader)  # Sở Tư pháp: the centre's receipts for its dossiers
    query = {"date_from": MONDAY.isoformat(), "date_to": MONDAY.isoformat()}
    page = client.get("/can-bo/lanh-dao/phi-le-phi/", query)
    assert page.status_code == 200
    assert "410.000 đ" in page.content.decode()
    download = client.get("/can-bo/lanh-dao/phi-le-phi/", {**query, "fmt": "xlsx"})
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    other = staff_create("lanhdaogtvt", "Đỗ Văn Tùng", collected.transport, "leader")
    client.force_login(other)
    page = client.get("/can-bo/lanh-dao/phi-le-phi/", query)
    assert "410.000" not in page.content.decode()
    client.force_login(collected.clerk)
    assert client.get("/can-bo/lanh-dao/phi-le-phi/", query).status_code in (302, 403)
