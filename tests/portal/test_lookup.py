"""The public lookup: code + secret, nothing revealed otherwise, rate-limited, no personal
data beyond what the receipt's holder should see."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from pytest_django import Settings

from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import (
    dossier_accept,
    dossier_extend,
    dossier_finish,
    dossier_handover,
    dossier_submit,
)
from motcua.portal.queries import mask_name, portal_header
from tests.portal.conftest import Portal
from tests.responses import ClientResponse

pytestmark = pytest.mark.django_db

NEXT = re.compile(rb'name="next" type="hidden" value="[^"]*"')
CSRF = re.compile(rb'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": ")"?[A-Za-z0-9]+')


def received(portal: Portal) -> Dossier:
    dossier = dossier_submit(
        procedure_version=portal.building,
        applicant=Applicant(
            kind="citizen",
            name="Nguyễn Văn An",
            id_number="066090001234",
            phone="0912345678",
            address="Số 5 đường Lê Duẩn, Gia Nghĩa",
        ),
        actor=portal.citizen,
        owner=portal.citizen,
    )
    return dossier_accept(
        dossier=dossier, actor=portal.world.clerk, receiving_unit=portal.world.center
    )


def at_agency(portal: Portal) -> Dossier:
    """``received``, handed by the counter to the deciding agency, which then holds it."""
    dossier = received(portal)
    dossier_handover(dossier=dossier, actor=portal.world.clerk, to_unit=dossier.agency.name)
    return dossier


def lookup(portal: Portal, code: str, secret: str, ip: str = "10.0.0.1") -> ClientResponse:
    return portal.client().get("/tra-cuu/", {"ma": code, "bi-mat": secret}, REMOTE_ADDR=ip)


def test_code_and_secret_show_the_timeline(portal: Portal) -> None:
    dossier = received(portal)
    response = lookup(portal, dossier.code, dossier.secret.lower())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hồ sơ đã được nộp trực tuyến" in html
    assert "Hồ sơ đã được tiếp nhận" in html
    assert "Hẹn trả kết quả" in html
    assert "Đang giải quyết" in html
    assert portal.world.center.name in html  # where it is now
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "strict-origin"
    assert "Đánh giá" not in html  # no result yet


def test_an_imported_dossiers_lower_case_secret_is_found_in_either_case(portal: Portal) -> None:
    dossier = received(portal)
    # The history importer gives hexadecimal secrets in lower case.
    Dossier.objects.filter(pk=dossier.pk).update(secret="84e4d16213")
    for typed in ("84e4d16213", "84E4D16213"):
        html = lookup(portal, dossier.code, typed).content.decode()
        assert "Hồ sơ đã được tiếp nhận" in html, typed


def test_no_personal_data_beyond_the_masked_name(portal: Portal) -> None:
    dossier = received(portal)
    html = lookup(portal, dossier.code, dossier.secret).content.decode()
    assert "Nguyễn V. A." in html
    for secret_value in ("Nguyễn Văn An", "066090001234", "0912345678", "Lê Duẩn"):
        assert secret_value not in html


def test_extension_shows_the_new_appointment_and_result_offers_rating(portal: Portal) -> None:
    dossier = at_agency(portal)
    assert dossier.due_at is not None
    dossier_extend(
        dossier=dossier,
        actor=portal.world.leader,
        reason="Cần xác minh thêm",
        new_due_at=dossier.due_at + dt.timedelta(days=7),
    )
    html = lookup(portal, dossier.code, dossier.secret).content.decode()
    assert "Hẹn trả mới (gia hạn)" in html
    dossier_finish(dossier=dossier, actor=portal.world.leader)
    html = lookup(portal, dossier.code, dossier.secret).content.decode()
    assert "Đã có kết quả giải quyết" in html
    assert f'href="/danh-gia/{dossier.code}/?bi-mat={dossier.secret}"' in html
    # The feedback app's rating page answers at that address.
    assert resolve(f"/danh-gia/{dossier.code}/").url_name == "rate"


def _main(body: bytes) -> bytes:
    """The page's <main> element."""
    return body[body.index(b"<main") : body.index(b"</main>")]


def _page(body: bytes) -> bytes:
    return NEXT.sub(b"NEXT", CSRF.sub(b"CSRF", body))


def test_wrong_secret_and_guessed_code_look_the_same(portal: Portal) -> None:
    dossier = received(portal)
    wrong = lookup(portal, dossier.code, "ABCDEFGH")
    guessed_code = dossier.code[:-4] + "9999"
    guessed = lookup(portal, guessed_code, "ABCDEFGH")
    assert wrong.status_code == guessed.status_code == 200

    # The main content is byte-identical but for the fields echoing what was typed; the whole
    # page differs only by the CSRF token and the language form's return address, which
    # echoes the asker's own query.
    def typed(body: bytes, code: str, secret: str = "ABCDEFGH") -> bytes:
        body = body.replace(f'value="{code}"'.encode(), b'value="CODE"')
        return body.replace(f'value="{secret}"'.encode(), b'value="SECRET"')

    assert typed(_main(wrong.content), dossier.code) == typed(_main(guessed.content), guessed_code)
    assert typed(_page(wrong.content), dossier.code) == typed(_page(guessed.content), guessed_code)
    assert dossier.code.encode() not in typed(_main(wrong.content), dossier.code)
    empty_secret = lookup(portal, dossier.code, "")
    assert typed(_page(empty_secret.content), dossier.code, "") == typed(
        _page(guessed.content),
        guessed_code,
    )


def test_wrong_secret_and_guessed_code_cost_the_same_queries(portal: Portal) -> None:
    dossier = received(portal)
    portal_header()  # read once per five minutes, not per lookup: warmed before counting
    with CaptureQueriesContext(connection) as wrong:
        lookup(portal, dossier.code, "ABCDEFGH")
    with CaptureQueriesContext(connection) as guessed:
        lookup(portal, "000.00.19.H18-991231-0001", "ABCDEFGH")
    assert len(wrong.captured_queries) == len(guessed.captured_queries)


def test_lookups_slow_down_per_address_with_a_growing_delay(
    portal: Portal, settings: Settings
) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_RATE": "3/300", "LOOKUP_CODE_RATE": "0"}
    dossier = received(portal)
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False) as clock:
        for i in range(3):
            assert lookup(portal, f"000.00.19.H18-260302-000{i}", "WRONG123").status_code == 200
        # Over the ceiling: no wall, the 4th goes 1 s after the 3rd, the 5th 2 s after it, …
        early = lookup(portal, dossier.code, dossier.secret)
        assert early.status_code == 429
        assert early["Retry-After"] == "1"
        assert "thử lại sau 1 giây" in early.content.decode()
        clock.shift(1)
        assert lookup(portal, dossier.code, dossier.secret).status_code == 200
        clock.shift(1)
        again = lookup(portal, dossier.code, dossier.secret)
        assert again.status_code == 429 and again["Retry-After"] == "1"
        clock.shift(1)
        assert lookup(portal, dossier.code, dossier.secret).status_code == 200
        assert lookup(portal, dossier.code, dossier.secret)["Retry-After"] == "4"
        # Another address is not affected; the empty form is never counted.
        assert lookup(portal, dossier.code, dossier.secret, ip="10.0.0.2").status_code == 200
        assert portal.client().get("/tra-cuu/", REMOTE_ADDR="10.0.0.1").status_code == 200
        # A new window starts afresh.
        clock.shift(300)
        assert lookup(portal, dossier.code, dossier.secret).status_code == 200


def test_guessing_one_codes_secret_slows_down_from_any_address(
    portal: Portal, settings: Settings
) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_RATE": "100/300", "LOOKUP_CODE_RATE": "3/300"}
    dossier = received(portal)
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        for i in range(3):
            assert lookup(portal, dossier.code, f"WRONG{i}", ip=f"10.0.1.{i}").status_code == 200
        # The same code in another spelling is the same code.
        blocked = lookup(portal, dossier.code.lower(), dossier.secret, ip="10.0.1.10")
        assert blocked.status_code == 429
        # The form is still filled in, ready for the retry.
        assert f'value="{dossier.secret}"' in blocked.content.decode()
        # Another code from the same addresses is not affected.
        assert lookup(portal, "000.00.19.H18-991231-0001", "X", ip="10.0.1.10").status_code == 200


def test_a_code_in_any_case_and_spacing_is_found(portal: Portal) -> None:
    dossier = received(portal)
    agency, day, number = dossier.code.split("-")
    typed = f"  {agency.lower()} - {day}\u2013{number} "
    html = lookup(portal, typed, f" {dossier.secret.lower()} ").content.decode()
    assert "Diễn biến" in html and dossier.code in html


def test_not_found_keeps_both_fields_as_typed(portal: Portal) -> None:
    dossier = received(portal)
    html = lookup(portal, dossier.code, "WRONG123").content.decode()
    assert "Không tìm thấy hồ sơ" in html
    assert f'value="{dossier.code}"' in html and 'value="WRONG123"' in html


def test_rate_limit_can_be_turned_off(portal: Portal, settings: Settings) -> None:
    settings.MOTCUA = {**settings.MOTCUA, "LOOKUP_RATE": "0", "LOOKUP_CODE_RATE": "0"}
    for _i in range(25):
        assert lookup(portal, "X", "Y").status_code == 200


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V. A."),
        ("Lê Thị Ánh Tuyết", "Lê T. Á. T."),
        ("An", "An"),
        ("", ""),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_a_found_dossier_costs_two_queries(portal: Portal) -> None:
    """The dossier (with only the columns the page shows) and its events: a field the page
    starts to show without adding it to ``PUBLIC_FIELDS`` would cost a query more."""
    dossier = at_agency(portal)
    assert dossier.due_at is not None
    dossier_extend(
        dossier=dossier,
        actor=portal.world.leader,
        reason="Cần xác minh thêm",
        new_due_at=dossier.due_at + dt.timedelta(days=7),
    )
    portal_header()  # the header's province and hotline: cached, warmed before counting
    with CaptureQueriesContext(connection) as found:
        html = lookup(portal, dossier.code, dossier.secret).content.decode()
    assert "Hẹn trả mới (gia hạn)" in html
    assert portal.building.name in html
    assert len(found.captured_queries) == 2, [q["sql"] for q in found.captured_queries]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_the_lookups_statements_are_prepared_once_per_connection(portal: Portal) -> None:
    """PostgreSQL plans the lookup's join once per connection, not on every lookup."""
    dossier = received(portal)
    for _i in range(3):
        html = lookup(portal, dossier.code, dossier.secret).content.decode()
        assert "Hồ sơ đã được tiếp nhận" in html
    with connection.cursor() as cursor:
        cursor.execute(
            # The lookup's reads (the receipt's INSERTs are prepared too: core.prepared).
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT %dossiers_dossier%"],
        )
        prepared = [row[0] for row in cursor.fetchall()]
    assert len(prepared) == 2, prepared  # the dossier and its events
