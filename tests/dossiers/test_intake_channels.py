"""Intake regardless of administrative boundaries (ND 118/2025) through every channel: the
service, the API, the counter (picker and page) and the portal's "where to submit" give the
same answer for the same point and procedure, with the same reason."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from motcua.agencies.models import Agency
from motcua.api.tokens import api_token_create
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.errors import TransitionError
from motcua.dossiers.forms_docs.context import receipt_context
from motcua.dossiers.forms_docs.render import render_form, render_html
from motcua.dossiers.intake_points import point_refusal
from motcua.dossiers.models import Dossier
from motcua.dossiers.queries import dossier_for
from motcua.dossiers.services import dossier_handover, dossier_receive
from tests.dossiers.conftest import citizen_applicant
from tests.dossiers.test_forms import docx_text
from tests.world import (  # noqa: F401
    MONDAY,
    Communes,
    World,
    communes,
    local,
    world,
)

APPLICANT = {
    "kind": "citizen",
    "name": "Hoàng Văn Bình",
    "id_number": "066090001234",
    "phone": "0912345678",
    "address": "Gia Nghĩa, Đắk Nông",
}


@dataclass(frozen=True)
class Answer:
    receives: bool
    message: str = ""


def _service(point: Agency, clerk: User, version: ProcedureVersion) -> Answer:
    try:
        dossier_receive(
            procedure_version=version,
            applicant=citizen_applicant(),
            actor=clerk,
            receiving_unit=point,
        )
    except TransitionError as exc:
        return Answer(False, str(exc))
    return Answer(True)


def _api(clerk: User, version: ProcedureVersion) -> Answer:
    token = api_token_create(user=clerk, name="Quầy", actor="test")[1]
    response = Client().post(
        "/api/dossiers",
        {
            "procedure": version.procedure.code,
            "agency": version.agency.code,
            "applicant": APPLICANT,
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    if response.status_code == 201:
        return Answer(True)
    assert response.status_code == 422, response.content
    return Answer(False, response.json()["detail"])


def _counter(clerk: User, version: ProcedureVersion) -> Answer:
    client = Client()
    client.force_login(clerk)
    found = client.get(reverse("office:procedure_search"), {"q": version.procedure.code})
    listed = reverse("office:counter_procedure", args=[version.pk]) in found.content.decode()
    page = unescape(
        client.get(reverse("office:counter_procedure", args=[version.pk])).content.decode()
    )
    has_form = 'id="h-receive"' in page
    assert listed == has_form, "the picker and the page disagree"
    if has_form:
        return Answer(True)
    match = re.search(r'data-refusal="\w+">\s*<p><strong>[^<]*</strong> ([^<]*)</p>', page)
    assert match is not None, "a page without the form says why"
    return Answer(False, match.group(1))


def _portal(point: Agency, version: ProcedureVersion) -> bool:
    page = Client().get(
        reverse("portal:procedure", args=[version.procedure.code]), {"co-quan": version.agency.code}
    )
    places = re.search(r"Nơi nộp hồ sơ</dt><dd>(.*?)</dd>", page.content.decode(), re.S)
    assert places is not None
    names = re.sub(r"\s*<span.*", "", places.group(1), flags=re.S)
    return point.name in names.split("; ")


CASES = [
    # (point, procedure, receives)
    ("center", "procedure", True),  # its own committee at its level
    ("center", "listed_commune", True),  # a commune procedure on the list
    ("center", "unlisted_commune", False),  # a commune procedure off the list
    ("commune_center", "unlisted_commune", True),  # its own committee at its level
    ("commune_center", "listed_provincial", True),  # a provincial procedure on the list
    ("commune_center", "procedure", False),  # a provincial procedure off the list
]


@pytest.mark.parametrize(("point_name", "version_name", "receives"), CASES)
def test_every_channel_gives_the_same_answer(
    world: World,  # noqa: F811
    communes: Communes,  # noqa: F811
    point_name: str,
    version_name: str,
    receives: bool,
) -> None:
    point = getattr(world, point_name, None) or getattr(communes, point_name)
    clerk = world.clerk if point_name == "center" else communes.commune_clerk
    version = getattr(world, version_name, None) or getattr(communes, version_name)
    with time_machine.travel(local(MONDAY, 9), tick=False):
        refused = point_refusal(point, version, MONDAY)
        expected = Answer(True) if refused is None else Answer(False, refused.message)
        assert expected.receives is receives
        assert _counter(clerk, version) == expected
        assert _portal(point, version) is receives
        assert _api(clerk, version) == expected
        assert _service(point, clerk, version) == expected


def test_a_dossier_received_elsewhere_names_both_and_goes_to_the_competent_agency(
    world: World,  # noqa: F811
    communes: Communes,  # noqa: F811
) -> None:
    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossier = dossier_receive(
            procedure_version=communes.listed_commune,
            applicant=citizen_applicant(),
            actor=world.clerk,
            receiving_unit=world.center,
        )
        # The competent agency's dossier: its code, its figures; received at the centre.
        assert dossier.agency == communes.commune
        assert dossier.code.startswith(communes.commune.code + "-")
        assert dossier.receiving_unit == world.center
        html = render_html(receipt_context(dossier))
        both = (
            "Nơi tiếp nhận: Trung tâm Phục vụ hành chính công tỉnh; "
            "Cơ quan giải quyết: UBND xã Nhân Cơ."
        )
        assert both in html
        assert both in docx_text(render_form("01", dossier, fmt="docx"))
        lookup = Client().get(
            reverse("portal:lookup"), {"ma": dossier.code, "bi-mat": dossier.secret}
        )
        text = unescape(lookup.content.decode())
        assert "Nơi tiếp nhận</dt><dd>Trung tâm Phục vụ hành chính công tỉnh</dd>" in text
        assert "Cơ quan giải quyết</dt><dd>UBND xã Nhân Cơ</dd>" in text
        # The receiving point's clerk sees what they received and hands it on; the commune's
        # staff see it and hold it once it reaches their step.
        assert dossier_for(world.clerk, dossier.code, write=True) == dossier
        assert dossier_for(communes.commune_officer, dossier.code) == dossier
        # The centre did the intake: its hand-over goes to the commune's next step (the
        # commune's one-stop unit does not receive it a second time).
        dossier_handover(dossier=dossier, actor=world.clerk)
        moved = Dossier.objects.get(pk=dossier.pk)
        assert moved.current_step is not None
        assert moved.current_step.name == "Thẩm định, ký chứng thực"
        assert moved.current_step.unit == communes.commune
        assert dossier_for(communes.commune_officer, dossier.code, write=True) == moved


def test_a_commune_point_receives_a_listed_provincial_procedure_for_the_department(
    world: World,  # noqa: F811
    communes: Communes,  # noqa: F811
) -> None:
    with time_machine.travel(local(MONDAY, 9), tick=False):
        dossier = dossier_receive(
            procedure_version=communes.listed_provincial,
            applicant=citizen_applicant(),
            actor=communes.commune_clerk,
            receiving_unit=communes.commune_center,
        )
        assert dossier_for(communes.commune_clerk, dossier.code, write=True) == dossier
        dossier_handover(dossier=dossier, actor=communes.commune_clerk)
        moved = Dossier.objects.get(pk=dossier.pk)
        assert moved.current_step is not None and moved.current_step.unit == world.justice
        assert dossier_for(world.specialist, dossier.code, write=True) == moved
        # The department hands it on without the provincial centre having to see it.
        dossier_handover(dossier=moved, actor=world.specialist)
