"""Counter forms say which field is wrong, and a text longer than its column is refused with a
message instead of being cut (by the browser's ``maxlength`` or by the database)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from motcua.dossiers.applicants import Applicant, applicant_validate
from motcua.dossiers.errors import ApplicantInvalid
from motcua.dossiers.models import Dossier

from .conftest import World, login, paper_parts
from .test_counter_rules import RECEIVE

# A real company name of 385 characters (the issue's), too long for the 255 of the column.
LONG_NAME = ("Công ty trách nhiệm hữu hạn " + "Thương mại dịch vụ xây dựng " * 14)[:384] + "X"
assert len(LONG_NAME) == 385 and "  " not in LONG_NAME


def test_a_name_too_long_is_refused_at_the_counter_not_cut(world: World) -> None:
    client = login(Client(), world.clerk)
    url = f"/can-bo/quay/thu-tuc/{world.version.pk}/"
    form_page = client.get(url).content.decode()
    name_input = re.search(r'<input[^>]*name="applicant_name"[^>]*>', form_page)
    assert name_input is not None and "maxlength" not in name_input.group(0)
    response = client.post(url, {**RECEIVE, **paper_parts(world), "applicant_name": LONG_NAME})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Họ tên / tên tổ chức dài" in page and "vượt quá 255 ký tự" in page
    assert "không tự cắt bớt" in page
    assert not Dossier.objects.exists()
    # What was typed stays in the box, whole, for the clerk to shorten.
    assert f'value="{LONG_NAME}"' in page


def test_a_missing_name_is_named_in_its_message(world: World) -> None:
    client = login(Client(), world.clerk)
    response = client.post(
        f"/can-bo/quay/thu-tuc/{world.version.pk}/",
        {**RECEIVE, **paper_parts(world), "applicant_name": ""},
    )
    page = response.content.decode()
    assert "Họ tên / tên tổ chức là bắt buộc." in page
    assert "Trường này là bắt buộc." not in page
    # Summarised first on the page, linking to the box.
    summary = page[page.index('role="alert"') : page.index("</div>", page.index('role="alert"'))]
    assert page.index('role="alert"') < page.index("<h1>")
    assert 'href="#id_applicant_name"' in summary and "là bắt buộc" in summary


def test_the_service_refuses_a_name_longer_than_its_column() -> None:
    with pytest.raises(ApplicantInvalid) as caught:
        applicant_validate(Applicant(kind="citizen", name="A" * 256))
    assert set(caught.value.errors) == {"name"}
    assert "256 ký tự" in caught.value.errors["name"]
    assert applicant_validate(Applicant(kind="citizen", name="A" * 255)).name == "A" * 255
