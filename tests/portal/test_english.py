"""The public pages speak Vietnamese by default and English once chosen with the language
switch: in English, no Vietnamese is left on a page but the data (names of procedures,
agencies, people and what they wrote)."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import models
from django.test import Client
from django.utils import timezone, translation

from motcua.agencies.models import Agency
from motcua.agencies.queries import public_header_on
from motcua.archive.models import Document
from motcua.catalog.models import DurationUnit, Field, Part, ProcedureVersion, WorkflowStep
from motcua.core.people import person_name
from motcua.dossiers.applicants import Applicant
from motcua.dossiers.models import Dossier, DossierEvent, DossierPart
from motcua.dossiers.services import (
    dossier_accept,
    dossier_extend,
    dossier_finish,
    dossier_handover,
)
from motcua.dossiers.uploads import upload_check
from motcua.feedback.models import Feedback, KioskDevice
from motcua.feedback.services import FeedbackInput, feedback_submit, kiosk_device_create
from motcua.portal.queries import mask_name
from motcua.portal.services import PartSubmission, portal_dossier_submit
from tests.portal.conftest import PDF, Portal, upload

pytestmark = pytest.mark.django_db

VIETNAMESE = re.compile(
    "[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE
)
DATA_MODELS: tuple[type[models.Model], ...] = (
    Agency,
    Field,
    ProcedureVersion,
    Part,
    WorkflowStep,
    Dossier,
    DossierPart,
    Document,
    Feedback,
    KioskDevice,
)


def english(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    # What the language switch does: Django's set_language view stores the choice.
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        yield from (part.strip() for part in value.split(";"))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def data_strings() -> list[str]:
    """Every text the database holds for the pages to show, longest first."""
    found: set[str] = set()
    for model in DATA_MODELS:
        names = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model._default_manager.values_list(*names):
            for value in row:
                found.update(_strings(value))
    for name in Dossier.objects.values_list("applicant_name", flat=True):
        found.add(mask_name(name))
    for event in DossierEvent.objects.all():
        found.update(_strings(event.data))
    for user in User.objects.all():
        found.add(person_name(user))
    # The province in the header is a place name derived from the register, not UI text.
    found.add(public_header_on(timezone.localdate()).province)
    return sorted((s for s in found if s.strip()), key=len, reverse=True)


def visible_text(body: str) -> str:
    """Text nodes and the attributes people read (placeholder, aria-label, title, alt)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    attributes = re.findall(r'(?:placeholder|aria-label|title|alt)="([^"]*)"', body)
    text = re.sub(r"<[^>]+>", " ", body)
    return html_lib.unescape(" ".join([text, *attributes]))


def leftovers(body: str, data: list[str]) -> list[str]:
    text = visible_text(body)
    for value in data:
        text = text.replace(value, " ")
    return [text[max(0, m.start() - 30) : m.end() + 30].strip() for m in VIETNAMESE.finditer(text)]


@pytest.fixture
def dossiers(portal: Portal) -> tuple[Dossier, Dossier]:
    """One dossier being processed (with a new appointment) and one with its result."""
    made = []
    for _i in range(2):
        part = portal.building.parts.order_by("position")
        dossier = portal_dossier_submit(
            owner=portal.citizen,
            procedure_version=portal.building,
            applicant=Applicant(kind="citizen", name="Nguyễn Văn An", phone="0912345678"),
            parts=[
                PartSubmission(part=p, name=p.name, upload=upload_check(upload("a.pdf", PDF)))
                for p in part
            ],
        )
        dossier = dossier_accept(
            dossier=dossier, actor=portal.world.clerk, receiving_unit=portal.world.center
        )
        assert dossier.due_at is not None
        dossier_handover(  # to the deciding agency, which holds it from then on
            dossier=dossier, actor=portal.world.clerk, to_unit=dossier.agency.name
        )
        dossier_extend(
            dossier=dossier,
            actor=portal.world.leader,
            reason="Cần xác minh thêm",
            new_due_at=dossier.due_at + dt.timedelta(days=7),
        )
        made.append(dossier)
    dossier_finish(dossier=made[1], actor=portal.world.leader)
    return made[0], Dossier.objects.get(pk=made[1].pk)


def test_the_public_pages_are_english_once_chosen(
    portal: Portal, dossiers: tuple[Dossier, Dossier]
) -> None:
    open_one, done = dossiers
    code = portal.building.procedure.code
    anonymous = english()
    pages = {
        "/": anonymous,
        "/thu-tuc/?q=giay+phep": anonymous,
        "/thu-tuc/?q=khong+co+thu+tuc+nay": anonymous,
        f"/thu-tuc/{code}/": anonymous,
        f"/thu-tuc/{code}/in/": anonymous,
        "/tra-cuu/": anonymous,
        "/tra-cuu/?ma=000.00.00.H00-000000-0000&bi-mat=ABCDEFGH": anonymous,
        f"/tra-cuu/?ma={open_one.code}&bi-mat={open_one.secret}": anonymous,
        f"/tra-cuu/?ma={done.code}&bi-mat={done.secret}&kenh=qr": anonymous,
        f"/danh-gia/{done.code}/?bi-mat={done.secret}": anonymous,
        f"/danh-gia/{open_one.code}/?bi-mat={open_one.secret}": anonymous,
        "/ca-nhan/dang-nhap/": anonymous,
        "/ca-nhan/dang-ky/": anonymous,
        "/ca-nhan/dang-ky/da-gui/": anonymous,
        "/ca-nhan/quen-mat-khau/": anonymous,
        "/ca-nhan/quen-mat-khau/dat-lai/": anonymous,
        "/thu-tuc/khong-co-thu-tuc-nay/": english(),
        "/phan-anh/": anonymous,
        "/phan-anh/gui/": anonymous,
        "/phan-anh/tra-cuu/": anonymous,
        "/ca-nhan/ho-so/": english(portal.citizen),
        f"/ca-nhan/ho-so/{open_one.code}/": english(portal.citizen),
        f"/ca-nhan/ho-so/{done.code}/": english(portal.citizen),
        f"/thu-tuc/{code}/nop/": english(portal.citizen),
        "/ca-nhan/kho/": english(portal.citizen),
    }
    # After a failed submission: the error messages too.
    posted = {
        "/ca-nhan/dang-nhap/": {"identifier": "x@example.vn", "password": "sai"},
        "/ca-nhan/dang-ky/": {"identifier": "khong-hop-le", "password": "1"},
        "/ca-nhan/quen-mat-khau/dat-lai/": {
            "identifier": "x@example.vn",
            "code": "123456",
            "password": "Mat-khau-moi-2026",
            "password2": "Mat-khau-moi-2026",
        },
        "/phan-anh/gui/": {"subject": "dossier"},
        f"/thu-tuc/{code}/nop/": {"kind": "citizen"},
    }
    data = data_strings()
    problems = {}
    for path, client in pages.items():
        response = client.get(path)
        assert response.status_code in (200, 404), path
        if found := leftovers(response.content.decode(), data):
            problems[path] = found
    for path, form in posted.items():
        client = english(portal.citizen) if "/nop/" in path else english()
        response = client.post(path, form)
        if found := leftovers(response.content.decode(), data):
            problems[f"POST {path}"] = found
    done_page = english().post(
        f"/danh-gia/{done.code}/?bi-mat={done.secret}",
        {c: "2" for c in ("time", "agencies", "contacts", "accuracy", "attitude")},
    )
    if found := leftovers(done_page.content.decode(), data):
        problems["POST rating"] = found
    assert not problems, problems


def test_vietnamese_by_default_english_by_the_switch(portal: Portal) -> None:
    default = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert "Dịch vụ công trực tuyến" in default and 'lang="vi"' in default
    chosen = english().get("/").content.decode()
    assert "Online public services" in chosen and 'lang="en"' in chosen
    assert "Send a complaint or petition" in chosen
    assert "Dịch vụ công trực tuyến" not in chosen
    # The visitor's choice ends with the request: code run next on the thread (a job, an
    # official form) is in Vietnamese.
    assert translation.get_language() == "vi"
    assert str(DurationUnit.WORKING_DAYS.label) == "ngày làm việc"


def test_the_feedback_staff_pages_and_the_kiosk_are_english_once_chosen(
    portal: Portal, dossiers: tuple[Dossier, Dossier]
) -> None:
    feedback = feedback_submit(
        data=FeedbackInput(
            subject="dossier",
            title="Chờ lâu",
            text="Thời gian chờ tại quầy quá lâu.",
            name="Nguyễn Văn An",
            phone="0912345678",
            reference=dossiers[0].code,
        )
    )
    clerk = portal.world.clerk
    device = kiosk_device_create(clerk=clerk, label="Quầy 3", actor=clerk)
    staff = english(portal.world.leader)
    data = data_strings()
    problems = {}
    for path in (
        "/phan-anh/can-bo/",
        f"/phan-anh/can-bo/{feedback.code}/",
        "/phan-anh/can-bo/danh-gia/",
        f"/phan-anh/tra-cuu/?code={feedback.code}&secret={feedback.secret}",
        f"/danh-gia/quay/{device.token}/",
    ):
        response = staff.get(path)
        assert response.status_code == 200, path
        if found := leftovers(response.content.decode(), data):
            problems[path] = found
    assert not problems, problems
