"""Names where the pages showed codes: agencies in step lists, people in the timeline and the
control slip; the unit label without repetition; ended dossiers latest first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.catalog.models import WorkflowStep
from motcua.dossiers.models import DossierEvent, EndKind, EventType, Handover, Status

from .conftest import World, login

pytestmark = pytest.mark.django_db


def page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_steps_show_the_agency_name_not_its_code(world: World) -> None:
    WorkflowStep.objects.create(
        version=world.version, position=1, name="Thẩm định", unit=world.construction_unit, hours=8
    )
    dossier = world.dossier()
    html = page(login(Client(), world.leader), f"/can-bo/ho-so/{dossier.code}/")
    assert "1. Thẩm định (Phòng Quản lý xây dựng)" in html
    assert "(000.15.01.H18)" not in html
    counter = page(login(Client(), world.clerk), f"/can-bo/quay/thu-tuc/{world.version.pk}/")
    assert "Thẩm định — Phòng Quản lý xây dựng" in counter


def test_timeline_and_slip_show_full_names(world: World) -> None:
    world.specialist.last_name, world.specialist.first_name = "Trần Văn", "Minh"
    world.specialist.save()
    dossier = world.dossier()
    now = timezone.now()
    DossierEvent.objects.create(
        dossier=dossier, type=EventType.RECEIVED, at=now, actor_label="import"
    )
    DossierEvent.objects.create(
        dossier=dossier,
        type=EventType.HANDOVER,
        at=now,
        actor=world.specialist,
        actor_label="specialist",
    )
    Handover.objects.create(
        dossier=dossier,
        position=1,
        from_unit=world.center,
        to_unit=world.construction_unit,
        giver="specialist",
        receiver="",
        at=now,
    )
    html = page(login(Client(), world.leader), f"/can-bo/ho-so/{dossier.code}/")
    assert "Chuyển xử lý</strong> — Trần Văn Minh" in html
    assert "Tiếp nhận</strong> — Nhập dữ liệu từ hệ thống cũ" in html
    assert "Trung tâm Phục vụ hành chính công → Phòng Quản lý xây dựng" in html
    assert '<div class="small muted">Trần Văn Minh</div>' in html


def test_unit_label_does_not_repeat_the_agency(world: World) -> None:
    unit = Agency.objects.get(code="000.15.01.H18")
    unit.name = "Phòng Quản lý xây dựng - Sở Xây dựng"
    unit.save()
    html = page(login(Client(), world.specialist), "/can-bo/")
    assert "Phòng Quản lý xây dựng - Sở Xây dựng" in html
    assert "— Sở Xây dựng" not in html


def test_ended_tab_lists_the_latest_ended_first(world: World) -> None:
    now = timezone.now()
    old = world.dossier(
        status=Status.DELIVERED, ended_at=now - dt.timedelta(days=9), end_kind=EndKind.RESULT
    )
    new = world.dossier(
        status=Status.DELIVERED, ended_at=now - dt.timedelta(days=1), end_kind=EndKind.RESULT
    )
    html = page(login(Client(), world.leader), "/can-bo/?f=ended")
    assert html.index(new.code) < html.index(old.code)


def test_inbox_rows_carry_labels_for_the_phone_layout(world: World) -> None:
    world.dossier(due_at=timezone.now() + dt.timedelta(days=3))
    html = page(login(Client(), world.leader), "/can-bo/")
    assert 'class="wide inbox-table"' in html
    assert 'data-label="Người nộp"' in html and 'class="due"' in html
