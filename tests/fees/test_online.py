"""Online payment through the platform adapter, against the local fake platform (a real HTTP
server on 127.0.0.1): the request, the signed callback and its refusals, the refund."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from pytest_django import Settings

from motcua.api.tokens import api_token_create
from motcua.core.models import AuditEvent
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_reject, dossier_submit
from motcua.fees.fake_platform import FakeOrder, FakePlatform
from motcua.fees.models import CallbackOutcome, Payment, PaymentCallback, PaymentStatus
from motcua.fees.platforms import sign
from motcua.fees.services import payment_request_create, payments_refund
from tests.dossiers.conftest import citizen_applicant
from tests.world import MONDAY, World, staff_create

SECRET = "bi-mat-thu-nghiem"


def callback_token(world: World) -> str:
    """The platform's API token: a staff account of its own, the ``payment_callback`` scope."""
    account = staff_create("congthanhtoan", "Cổng thanh toán", world.center, "counter_clerk")
    return api_token_create(
        user=account, name="Cổng thanh toán", actor="test", scopes=["payment_callback"]
    )[1]


@pytest.fixture
def token(priced: World) -> str:
    return callback_token(priced)


@pytest.fixture
def platform(settings: Settings, token: str) -> Iterator[FakePlatform]:
    fake = FakePlatform(secret=SECRET, callback_repeats=0, callback_token=token).start()
    settings.MOTCUA = {
        **settings.MOTCUA,
        "PAYMENT_PLATFORM": "fake",
        "PAYMENT_PLATFORM_URL": fake.url,
        "PAYMENT_SECRET": SECRET,
        "PAYMENT_PUBLIC_URL": "http://testserver",
    }
    yield fake
    fake.stop()


@pytest.fixture
def submitted(priced: World, traveller: time_machine.Traveller) -> Dossier:
    return dossier_submit(
        procedure_version=priced.procedure,
        applicant=citizen_applicant(),
        actor=priced.citizen,
        owner=priced.citizen,
    )


@pytest.fixture
def order(priced: World, submitted: Dossier, platform: FakePlatform) -> FakeOrder:
    """The citizen asked to pay; the platform took the money (its callback not sent yet)."""
    url = payment_request_create(
        dossier=submitted, actor=priced.citizen, return_path=f"/ho-so/{submitted.code}"
    )
    (order,) = platform.orders.values()
    assert url == f"{platform.url}/pay/{order.order_id}"
    assert order.amount == 205_000
    assert order.callback_url == "http://testserver/api/payments/callback"
    order.status, order.transaction_id = "paid", "TX000001"
    return order


_TOKEN: list[str] = []


@pytest.fixture(autouse=True)
def _remember(request: pytest.FixtureRequest) -> None:
    _TOKEN[:] = [request.getfixturevalue("token")] if "token" in request.fixturenames else []


def _post(body: bytes, signature: str | None = None, token: str | None = None) -> Any:
    headers = {"X-Signature": sign(SECRET, body) if signature is None else signature}
    bearer = token if token is not None else (_TOKEN[0] if _TOKEN else "")
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    return Client().post(
        "/api/payments/callback", body, content_type="application/json", headers=headers
    )


def _state() -> list[tuple[str, int | None, str]]:
    return list(Payment.objects.values_list("status", "receipt_number", "platform_ref"))


def test_the_callback_pays_once_and_a_repeat_changes_nothing(
    order: FakeOrder, platform: FakePlatform, submitted: Dossier
) -> None:
    body = platform.callback_body(order)
    first = _post(body)
    assert first.status_code == 200 and first.json() == {"result": "accepted"}
    assert _state() == [(PaymentStatus.PAID, 1, "TX000001")]
    again = _post(body)
    assert again.status_code == 200 and again.json() == {"result": "repeated"}
    assert _state() == [(PaymentStatus.PAID, 1, "TX000001")]
    assert list(PaymentCallback.objects.values_list("outcome", flat=True)) == [
        CallbackOutcome.REPEATED,
        CallbackOutcome.ACCEPTED,
    ]


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"signature": "0" * 64}, 401, "bad_signature"),
        ({"amount": 1_000}, 422, "amount_mismatch"),
        ({"amount": "205000"}, 422, "amount_mismatch"),
        ({"order_id": "MC-KHONG-CO"}, 404, "unknown_order"),
        ({"status": "failed"}, 422, "not_paid"),
    ],
)
def test_each_bad_callback_is_refused_logged_and_changes_nothing(
    order: FakeOrder, platform: FakePlatform, change: dict[str, Any], status: int, reason: str
) -> None:
    signature = change.pop("signature", None)
    body = platform.callback_body(order, **change)
    before = _state()
    answer = _post(body, signature)
    assert answer.status_code == status
    assert set(answer.json()) == {"detail", "code", "errors"}
    assert _state() == before == [(PaymentStatus.PENDING, None, "")]
    logged = PaymentCallback.objects.get()
    assert (logged.outcome, logged.reason) == (CallbackOutcome.REFUSED, reason)


def test_a_paid_order_refuses_another_transaction(order: FakeOrder, platform: FakePlatform) -> None:
    assert _post(platform.callback_body(order)).status_code == 200
    other = platform.callback_body(order, transaction_id="TX999999")
    answer = _post(other)
    assert (answer.status_code, answer.json()["code"]) == (409, "conflict")
    assert _state() == [(PaymentStatus.PAID, 1, "TX000001")]


def test_the_callback_needs_a_token_of_its_scope(
    priced: World, order: FakeOrder, platform: FakePlatform
) -> None:
    body = platform.callback_body(order)
    assert _post(body, token="").status_code == 401
    other = api_token_create(user=priced.clerk, name="khác", actor="test")[1]
    assert _post(body, token=other).status_code == 403
    assert _state() == [(PaymentStatus.PENDING, None, "")]


def test_a_body_that_is_not_json_is_refused(platform: FakePlatform, priced: World) -> None:
    answer = _post(b"order_id=1")
    assert answer.status_code == 422
    assert PaymentCallback.objects.get().reason == "malformed"


def test_status_query_reads_the_platform(order: FakeOrder, platform: FakePlatform) -> None:
    from motcua.fees.platforms import platform_get

    adapter = platform_get()
    assert adapter is not None
    status = adapter.status(order.order_id)
    assert (status.status, status.amount, status.transaction_id) == ("paid", 205_000, "TX000001")


def test_refused_at_intake_the_online_payment_is_refunded(
    priced: World, order: FakeOrder, platform: FakePlatform, submitted: Dossier
) -> None:
    assert _post(platform.callback_body(order)).status_code == 200
    dossier_reject(dossier=submitted, actor=priced.clerk, reason="Không thuộc thẩm quyền")
    assert Payment.objects.get().status == PaymentStatus.REFUND_PENDING
    assert payments_refund() == 1
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_at is not None
    assert platform.orders[order.order_id].status == "refunded"
    assert payments_refund() == 0


def test_a_callback_after_the_dossier_was_refused_is_recorded_then_refunded(
    priced: World, order: FakeOrder, platform: FakePlatform, submitted: Dossier
) -> None:
    """The money was taken on a page opened before the refusal; the callback comes after it:
    the payment is recorded (its receipt numbered, the money is the province's until returned)
    and queued for refund, never left as paid on a dossier whose work never starts."""
    dossier_reject(dossier=submitted, actor=priced.clerk, reason="Không thuộc thẩm quyền")
    assert _state() == [(PaymentStatus.PENDING, None, "")]
    response = _post(platform.callback_body(order))
    assert response.status_code == 200 and response.json() == {"result": "accepted"}
    assert _state() == [(PaymentStatus.REFUND_PENDING, 1, "TX000001")]
    assert AuditEvent.objects.filter(action="payment.refund_requested").count() == 1
    assert payments_refund() == 1
    assert platform.orders[order.order_id].status == "refunded"
    # A repeat of the callback is refused (the order is no longer pending) and changes nothing.
    assert _post(platform.callback_body(order)).status_code == 409
    assert Payment.objects.get().status == PaymentStatus.REFUNDED


def test_the_api_shows_the_fee_and_the_payment(
    priced: World, order: FakeOrder, platform: FakePlatform, submitted: Dossier
) -> None:
    _post(platform.callback_body(order))
    client = Client()
    client.force_login(priced.clerk)
    fee = client.get(f"/api/dossiers/{submitted.code}").json()["fee"]
    assert (fee["total"], fee["total_text"], fee["paid"], fee["settled"]) == (
        205_000,
        "205.000 đ",
        205_000,
        True,
    )
    assert [p["receipt"] for p in fee["payments"]] == ["0000001/2026"]
    schema = json.loads(client.get("/api/openapi.json").content)
    callback = schema["paths"]["/api/payments/callback"]["post"]
    assert {"200", "401", "404", "409", "422"} <= set(callback["responses"])


def test_the_qd766_online_payment_indicator_counts_the_paid_online_dossiers(
    priced: World, order: FakeOrder, platform: FakePlatform, submitted: Dossier
) -> None:
    """Hand-counted: three dossiers received, two owing a fee, one of them paid online (the
    other in cash at the counter), the third owes nothing: 1 of 2."""
    from motcua.dossiers.services import dossier_accept, dossier_receive
    from motcua.fees.models import Method
    from motcua.fees.services import payment_collect
    from motcua.reports.indicators import indicators_for_year

    assert _post(platform.callback_body(order)).status_code == 200
    dossier_accept(dossier=submitted, actor=priced.clerk, receiving_unit=priced.center)
    cash = dossier_receive(
        procedure_version=priced.procedure,
        applicant=citizen_applicant(),
        actor=priced.clerk,
        receiving_unit=priced.center,
    )
    payment_collect(dossier=cash, actor=priced.clerk, method=Method.CASH)
    dossier_receive(
        procedure_version=priced.hours_procedure,
        applicant=citizen_applicant(),
        actor=priced.clerk,
        receiving_unit=priced.center,
    )
    figures = indicators_for_year(year=2026, date_to=MONDAY)
    rates = {
        item["code"]: item for group in figures["qd766"]["groups"] for item in group["indicators"]
    }
    assert {k: rates["payment.dossiers"][k] for k in ("numerator", "denominator", "rate")} == {
        "numerator": 1,
        "denominator": 2,
        "rate": 50.0,
    }


def test_reconciliation_finds_a_planted_mismatch(
    order: FakeOrder,
    platform: FakePlatform,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from motcua.cli import main

    assert _post(platform.callback_body(order)).status_code == 200
    statement = tmp_path / "sao-ke.csv"
    good = f"order_id,transaction_id,amount,status\n{order.order_id},TX000001,205000,paid\n"
    statement.write_text(good, encoding="utf-8")
    assert main(["reconcile-payments", str(statement), "--day", "2026-10-05"]) == 0
    assert "0 chênh lệch." in capsys.readouterr().out
    # Planted: the platform took 250.000 đ, and an order we never made.
    statement.write_text(
        good.replace("205000", "250000") + "MCLA,TX9,1000,paid\n", encoding="utf-8"
    )
    assert main(["reconcile-payments", str(statement), "--day", "2026-10-05"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{order.order_id}: số tiền sao kê 250000, hệ thống 205000",
        "MCLA: có trong sao kê, không có trong hệ thống",
        "2 chênh lệch.",
    ]
    # A paid order missing from the statement is listed too.
    statement.write_text("order_id,transaction_id,amount,status\n", encoding="utf-8")
    assert main(["reconcile-payments", str(statement), "--day", "2026-10-05"]) == 1
    assert (
        f"{order.order_id}: hệ thống ghi đã thu, không có trong sao kê" in capsys.readouterr().out
    )
