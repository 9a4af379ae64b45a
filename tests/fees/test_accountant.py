"""The accountant ("Kế toán", issue 17): in its agency's scope, the fees collected (page and
XLSX), every collecting clerk's cash book, and the reconciliation of the platform's statement
uploaded on the web (the same ``fees.reconcile`` as ``motcua reconcile-payments``). A clerk
sees only their own cash book; other roles are refused as the house does (403 for a page
that is not theirs, 404 for another agency's clerk, like a missing one)."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.agencies.models import Agency
from motcua.cli import main
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier
from motcua.fees.models import Method, Payment, PaymentStatus
from motcua.fees.services import payment_collect
from tests.world import MONDAY, World, local, staff_create

DAY = MONDAY.isoformat()


@pytest.fixture
def accountant(priced: World) -> User:
    return staff_create("ketoan", "Đinh Thị Hồng", priced.center, "accountant")


@pytest.fixture
def online_paid(received: Dossier, priced: World) -> list[Payment]:
    """Two online payments of Monday: the centre's, and another agency's."""

    def paid(order: str, agency: Agency) -> Payment:
        return Payment.objects.create(
            dossier=received,
            agency=agency,
            method=Method.ONLINE,
            amount=205000,
            status=PaymentStatus.PAID,
            order_id=order,
            platform_ref=f"TX-{order}",
            paid_at=local(MONDAY, 10),
        )

    return [paid("ORD-CENTER", priced.center), paid("ORD-OTHER", priced.transport)]


def _upload(client: Client, text: str, day: str = DAY) -> str:
    statement = SimpleUploadedFile("sao-ke.csv", text.encode(), content_type="text/csv")
    response = client.post("/thu-phi/doi-soat/", {"day": day, "statement": statement})
    assert response.status_code in (200, 400)
    return response.content.decode()


def test_the_accountant_lists_the_planted_mismatches_of_its_agency(
    accountant: User, online_paid: list[Payment], client: Client
) -> None:
    client.force_login(accountant)
    assert client.get("/thu-phi/doi-soat/").status_code == 200
    good = "order_id,transaction_id,amount,status\nORD-CENTER,TX-ORD-CENTER,205000,paid\n"
    page = _upload(client, good)
    assert "khớp" in page and "ORD-OTHER" not in page  # another agency's order is not theirs
    planted = good.replace("205000", "250000") + "ORD-NOWHERE,TX9,1000,paid\n"
    page = _upload(client, planted)
    assert "ORD-CENTER" in page and "số tiền sao kê 250000, hệ thống 205000" in page
    assert "ORD-NOWHERE" in page and "không có trong hệ thống" in page
    assert "ORD-OTHER" not in page
    assert AuditEvent.objects.filter(action="payment.reconcile", actor=accountant).count() == 2
    # A file without the columns says what is wrong.
    assert "thiếu cột" in _upload(client, "a,b\n1,2\n")


def test_reconciliation_is_the_accountants_page_only(
    priced: World, online_paid: list[Payment], client: Client
) -> None:
    for user in (priced.clerk, priced.leader, priced.specialist):
        client.force_login(user)
        assert client.get("/thu-phi/doi-soat/").status_code == 403


def test_the_accountant_opens_every_clerks_cash_book_and_the_fees_collected(
    accountant: User, received: Dossier, priced: World, client: Client
) -> None:
    payment_collect(dossier=received, actor=priced.clerk, method=Method.CASH)
    client.force_login(accountant)
    page = client.get(f"/thu-phi/so-thu/?ngay={DAY}&can-bo={priced.clerk.pk}")
    assert page.status_code == 200
    assert received.code in page.content.decode() and "205.000" in page.content.decode()
    # The code is shown, not linked: the accountant opens no dossier (a link would be a 404).
    assert f"/can-bo/ho-so/{received.code}/" not in page.content.decode()
    assert client.get(f"/can-bo/ho-so/{received.code}/").status_code == 404
    assert AuditEvent.objects.filter(action="payment.cash_book_read", actor=accountant).exists()
    xlsx = client.get(f"/thu-phi/so-thu/?ngay={DAY}&can-bo={priced.clerk.pk}&xlsx=1")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # Someone who is not a collecting member of the agency: like a missing one.
    assert client.get(f"/thu-phi/so-thu/?can-bo={priced.outsider.pk}").status_code == 404
    assert client.get(f"/thu-phi/so-thu/?can-bo={priced.specialist.pk}").status_code == 404
    report = client.get(f"/can-bo/lanh-dao/phi-le-phi/?date_from={DAY}&date_to={DAY}")
    assert report.status_code == 200 and "205.000" in report.content.decode()
    xlsx = client.get(f"/can-bo/lanh-dao/phi-le-phi/?date_from={DAY}&date_to={DAY}&fmt=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_clerk_sees_only_their_own_cash_book(
    accountant: User, received: Dossier, priced: World, client: Client
) -> None:
    payment_collect(dossier=received, actor=priced.clerk, method=Method.CASH)
    other = staff_create("tiepnhan2", "Lê Thị Thu", priced.center, "counter_clerk")
    client.force_login(other)
    own = client.get(f"/thu-phi/so-thu/?ngay={DAY}")
    assert own.status_code == 200 and received.code not in own.content.decode()
    client.force_login(priced.clerk)
    mine = client.get(f"/thu-phi/so-thu/?ngay={DAY}").content.decode()
    assert f'href="/can-bo/ho-so/{received.code}/"' in mine  # the clerk's own book links it
    client.force_login(other)
    assert client.get(f"/thu-phi/so-thu/?ngay={DAY}&can-bo={priced.clerk.pk}").status_code == 404
    client.force_login(priced.specialist)
    assert client.get("/thu-phi/so-thu/").status_code == 403


def test_another_agencys_accountant_sees_none_of_it(
    priced: World, received: Dossier, client: Client, traveller: time_machine.Traveller
) -> None:
    payment_collect(dossier=received, actor=priced.clerk, method=Method.CASH)
    elsewhere = staff_create("ketoan2", "Phan Văn Sơn", priced.transport, "accountant")
    client.force_login(elsewhere)
    assert client.get(f"/thu-phi/so-thu/?can-bo={priced.clerk.pk}").status_code == 404
    report = client.get(f"/can-bo/lanh-dao/phi-le-phi/?date_from={DAY}&date_to={DAY}")
    assert report.status_code == 200 and "205.000" not in report.content.decode()


def test_a_transferred_clerks_receipts_stay_with_each_agencys_accountant(
    accountant: User, received: Dossier, priced: World, client: Client
) -> None:
    """The centre's clerk collects there, then (the same day) at the transport department,
    and is transferred: each agency's accountant sees that clerk's receipts of its own
    agency, and only those, whatever the clerk's profile says now."""
    payment_collect(dossier=received, actor=priced.clerk, method=Method.CASH)
    Payment.objects.create(
        dossier=received,
        agency=priced.transport,
        method=Method.CASH,
        amount=7000,
        status=PaymentStatus.PAID,
        clerk=priced.clerk,
        receipt_year=MONDAY.year,
        receipt_number=1,
        paid_at=local(MONDAY, 11),
    )
    profile = priced.clerk.staff_profile
    profile.agency = priced.transport
    profile.save(update_fields=["agency"])
    elsewhere = staff_create("ketoan2", "Phan Văn Sơn", priced.transport, "accountant")
    book = f"/thu-phi/so-thu/?ngay={DAY}&can-bo={priced.clerk.pk}"

    client.force_login(accountant)
    page = client.get(book)
    assert page.status_code == 200
    assert "205.000" in page.content.decode() and "7.000" not in page.content.decode()
    client.force_login(elsewhere)
    page = client.get(book)
    assert page.status_code == 200
    assert "7.000" in page.content.decode() and "205.000" not in page.content.decode()
    # A day the clerk collected nothing in the agency: not in its books.
    assert (
        client.get(f"/thu-phi/so-thu/?ngay=2026-10-06&can-bo={priced.clerk.pk}").status_code == 404
    )


HEADER = "order_id,transaction_id,amount,status\n"


def test_a_statement_that_cannot_be_read_says_why_in_vietnamese(
    accountant: User, online_paid: list[Payment], client: Client
) -> None:
    client.force_login(accountant)
    # A field over the csv module's limit was a 500.
    page = _upload(client, HEADER + "ORD-CENTER," + "x" * 200_000 + ",205000,paid\n")
    assert "dòng 2" in page and "không đọc được như CSV" in page
    # The day: a Vietnamese message, not Python's.
    page = _upload(client, HEADER + "ORD-CENTER,TX-ORD-CENTER,205000,paid\n", day="5/10/2026")
    assert "Ngày đối soát không hợp lệ" in page and "isoformat" not in page
    # Not a day's statement: refused with its size.
    page = _upload(client, HEADER + "ORD-X,TX,1,paid\n" * 50_001)
    assert "sao kê quá 50.000 dòng" in page and "dòng 50002" in page
    assert not AuditEvent.objects.filter(action="payment.reconcile").exists()


def test_an_order_repeated_in_the_statement_is_listed(
    accountant: User, online_paid: list[Payment], client: Client
) -> None:
    client.force_login(accountant)
    line = "ORD-CENTER,TX-ORD-CENTER,205000,paid\n"
    page = _upload(client, HEADER + line + "ORD-NOWHERE,TX9,1000,paid\n" + line)
    assert "trùng trong sao kê (dòng 2, 4)" in page
    assert "ORD-OTHER" not in page


def test_the_command_prints_file_line_column_problem(
    online_paid: list[Payment], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = tmp_path / "sao-ke.csv"
    statement.write_text("order_id,amount\nORD-CENTER,205000\n", encoding="utf-8")
    assert main(["reconcile-payments", str(statement), "--day", DAY]) == 2
    assert capsys.readouterr().err.strip() == f"{statement}:1: transaction_id, status: thiếu cột"
    statement.write_text(HEADER + "ORD-CENTER,TX,1" + "0" * 200_000 + ",paid\n", encoding="utf-8")
    assert main(["reconcile-payments", str(statement), "--day", DAY]) == 2
    assert capsys.readouterr().err.startswith(f"{statement}:2: tệp không đọc được như CSV")
    assert main(["reconcile-payments", str(statement), "--day", "hôm qua"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("--day: Ngày đối soát không hợp lệ") and "isoformat" not in err
    line = "ORD-CENTER,TX-ORD-CENTER,205000,paid\n"
    statement.write_text(HEADER + line + line, encoding="utf-8")
    assert main(["reconcile-payments", str(statement), "--day", DAY]) == 1
    assert "ORD-CENTER: trùng trong sao kê (dòng 2, 3)" in capsys.readouterr().out
