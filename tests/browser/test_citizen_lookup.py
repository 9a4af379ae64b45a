"""The public lookup on a 360 px phone as a citizen types it: lower case, spaces, a wrong
character in the secret; the fields survive "Không tìm thấy" so only that character is
retyped. Screenshots in tests/screenshots/citizen-lookup-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.dossiers.applicants import Applicant
from motcua.dossiers.services import dossier_accept, dossier_submit
from tests.portal.conftest import Portal, _fresh_cache, media, portal  # noqa: F401 (fixtures)
from tests.world import world  # noqa: F401 (the portal's world, not the office's)

from .conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lookup_forgives_case_and_spacing_and_keeps_the_fields(
    portal: Portal,  # noqa: F811
    new_page: Any,
) -> None:
    dossier = dossier_submit(
        procedure_version=portal.building,
        applicant=Applicant(kind="citizen", name="Nguyễn Văn An", phone="0912345678"),
        actor=portal.citizen,
        owner=portal.citizen,
    )
    dossier_accept(dossier=dossier, actor=portal.world.clerk, receiving_unit=portal.world.center)
    agency, day, number = dossier.code.split("-")
    typed_code = f"{agency.lower()} - {day}-{number}"
    wrong_secret = dossier.secret[:-1] + ("A" if dossier.secret[-1] != "A" else "B")

    page = new_page(width=360, height=740)
    page.goto("/tra-cuu/")
    page.get_by_label("Mã hồ sơ").fill(typed_code)
    page.get_by_label("Mã tra cứu").fill(wrong_secret.lower())
    page.get_by_role("button", name="Tra cứu").click()
    page.get_by_text("Không tìm thấy hồ sơ").wait_for()
    shot(page, "citizen-lookup-not-found-360")
    # Both fields still hold what was typed: one character to correct, not 25 to retype.
    assert page.get_by_label("Mã hồ sơ").input_value() == typed_code
    assert page.get_by_label("Mã tra cứu").input_value() == wrong_secret.lower()

    page.get_by_label("Mã tra cứu").fill(dossier.secret.lower())
    page.get_by_role("button", name="Tra cứu").click()
    page.get_by_text("Hồ sơ đã được tiếp nhận").wait_for()
    assert page.get_by_text(dossier.code).count() >= 1
    shot(page, "citizen-lookup-found-360")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
