"""The catalogue admin, through the test client as a superuser."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from motcua.catalog.models import ProcedureVersion
from motcua.catalog.services import catalog_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client) -> Client:
    user = get_user_model().objects.create_superuser("quantri", "qt@example.vn", "matkhau-123")
    client.force_login(user)
    return client


def _post_data(version: ProcedureVersion, step_hours: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "procedure": version.procedure_id,
        "number": version.number,
        "name": version.name,
        "field": version.field_id,
        "agency": version.agency_id,
        "level": version.level,
        "duration": "10",
        "unit": "working_days",
        "cutoff": "on",
        "online": version.online,
        "one_stop": "on",
        "fee": version.fee,
        "result_type": version.result_type,
        "legal_basis": version.legal_basis,
        "valid_from": "2020-01-01",
        "valid_to": "",
        "steps-TOTAL_FORMS": len(step_hours),
        "steps-INITIAL_FORMS": 0,
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 1000,
        "parts-TOTAL_FORMS": 0,
        "parts-INITIAL_FORMS": 0,
        "parts-MIN_NUM_FORMS": 0,
        "parts-MAX_NUM_FORMS": 1000,
    }
    for i, hours in enumerate(step_hours):
        data[f"steps-{i}-position"] = i + 1
        data[f"steps-{i}-name"] = f"Bước {i + 1}"
        data[f"steps-{i}-unit"] = ""
        data[f"steps-{i}-hours"] = hours
        data[f"steps-{i}-kind"] = "process"
    return data


def _new_version(document: dict[str, Any]) -> ProcedureVersion:
    document["procedures"][1]["duration"] = 10
    catalog_import(document, actor="test")
    return ProcedureVersion.objects.get(procedure__code="1.001877")


def test_admin_rejects_a_workflow_longer_than_the_legal_time(
    admin_client: Client, document: dict[str, Any]
) -> None:
    version = _new_version(document)
    url = f"/quan-tri/catalog/procedureversion/{version.pk}/change/"

    response = admin_client.post(url, _post_data(version, ["40", "40.5"]))

    assert response.status_code == 200  # the form comes back with the error
    body = response.content.decode()
    assert "vượt quá thời hạn giải quyết theo quy định" in body
    assert "80,50 giờ làm việc" in body and "(80 giờ làm việc)" in body
    assert not version.steps.exists()


def test_admin_accepts_a_workflow_within_the_legal_time(
    admin_client: Client, document: dict[str, Any]
) -> None:
    version = _new_version(document)
    url = f"/quan-tri/catalog/procedureversion/{version.pk}/change/"
    data = _post_data(version, ["40", "40"])
    data["name"] = "Thành lập Văn phòng công chứng (sửa)"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    version.refresh_from_db()
    assert [s.hours for s in version.steps.all()] == [40, 40]
    assert version.search_text == "thanh lap van phong cong chung (sua)"


def test_admin_search_ignores_diacritics(admin_client: Client, document: dict[str, Any]) -> None:
    catalog_import(document, actor="test")

    response = admin_client.get("/quan-tri/catalog/procedureversion/", {"q": "ly lich tu phap"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Cấp Phiếu lý lịch tư pháp" in body
    assert "Thành lập Văn phòng công chứng" not in body


def test_admin_pages_render(admin_client: Client, document: dict[str, Any]) -> None:
    catalog_import(document, actor="test")
    version = ProcedureVersion.objects.get(procedure__code="2.000488")
    for url in [
        "/quan-tri/catalog/procedure/",
        f"/quan-tri/catalog/procedure/{version.procedure_id}/change/",
        "/quan-tri/catalog/procedureversion/?hieu_luc=current&thay_the=live",
        "/quan-tri/catalog/field/",
        "/quan-tri/agencies/agency/?hieu_luc=expired&level=province",
        f"/quan-tri/agencies/agency/{version.agency_id}/change/",
    ]:
        assert admin_client.get(url).status_code == 200, url
