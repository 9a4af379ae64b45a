"""A small named world for the staff application: a province with a service center, the
construction department (with a unit) and the justice department (the outsider)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from motcua.agencies.models import Agency, AgencyKind, Level
from motcua.catalog.models import (
    DurationUnit,
    Field,
    Part,
    Procedure,
    ProcedureVersion,
    WorkflowStep,
    step_kind_for,
)
from motcua.core.models import Role, StaffProfile
from motcua.dossiers.classify import step_over_at
from motcua.dossiers.models import Channel, Dossier, Status
from motcua.workdays.calendar import get_calendar

PASSWORD = "mat-khau-thu-nghiem"
_seq = itertools.count(1)


def make_agency(code: str, name: str, kind: str, parent: Agency | None = None) -> Agency:
    agency = Agency.objects.create(
        code=code, name=name, level=Level.PROVINCE, kind=kind, parent=parent
    )
    agency.path = (parent.path if parent else "/") + f"{agency.pk}/"
    agency.save(update_fields=["path"])
    return agency


def make_staff(username: str, agency: Agency, role: Role) -> User:
    user = User.objects.create_user(username, password=PASSWORD, first_name=username.title())
    StaffProfile.objects.create(user=user, agency=agency, role=role)
    return user


@dataclass
class World:
    province: Agency
    center: Agency
    construction: Agency
    construction_unit: Agency
    justice: Agency
    field: Field
    version: ProcedureVersion
    justice_version: ProcedureVersion
    clerk: User
    specialist: User
    leader: User
    manager: User
    outsider: User
    auditor: User
    provincial: User
    citizen: User

    def dossier(self, *, version: ProcedureVersion | None = None, **kwargs: object) -> Dossier:
        """A dossier in processing, made directly (fixture data, not a service call)."""
        version = version or self.version
        n = next(_seq)
        now = timezone.now()
        values: dict[str, object] = {
            "code": f"{version.agency.code}-260105-{n:04d}",
            "secret": f"s{n}",
            "procedure_version": version,
            "agency": version.agency,
            "level": version.level,
            "field": version.field,
            "receiving_unit": self.center,
            "channel": Channel.DIRECT,
            "applicant_kind": "citizen",
            "applicant_name": "Nguyễn Văn An",
            "applicant_phone": "0912345678",
            "status": Status.PROCESSING,
            "received_at": now,
            "due_at": now + dt.timedelta(days=10),
        }
        values.update(kwargs)
        step, since = values.get("current_step"), values.get("current_step_since")
        if step is not None and since is not None and "step_over_at" not in values:
            assert isinstance(step, WorkflowStep) and isinstance(since, dt.datetime)
            # As the write path keeps it (``dossiers.services`` at every step change).
            values["step_over_at"] = step_over_at(since, step.hours, calendar=get_calendar())
        return Dossier.objects.create(**values)


def make_version(code: str, name: str, agency: Agency, field: Field) -> ProcedureVersion:
    procedure = Procedure.objects.create(code=code)
    from motcua.core.text import fold

    version = ProcedureVersion.objects.create(
        procedure=procedure,
        name=name,
        search_text=fold(f"{code} {name}"),
        field=field,
        agency=agency,
        level=Level.PROVINCE,
        duration=Decimal(15),
        unit=DurationUnit.WORKING_DAYS,
    )
    Part.objects.create(version=version, position=1, name="Đơn đề nghị cấp phép", copies=1)
    Part.objects.create(version=version, position=2, name="Bản vẽ thiết kế", copies=2)
    return version


@pytest.fixture
def world(db: None) -> World:
    province = make_agency("000.00.00.H18", "UBND tỉnh Đắk Nông", AgencyKind.PEOPLE_COMMITTEE)
    center = make_agency(
        "000.00.31.H18", "Trung tâm Phục vụ hành chính công", AgencyKind.SERVICE_CENTER, province
    )
    construction = make_agency("000.00.15.H18", "Sở Xây dựng", AgencyKind.DEPARTMENT, province)
    unit = make_agency("000.15.01.H18", "Phòng Quản lý xây dựng", AgencyKind.UNIT, construction)
    justice = make_agency("000.00.19.H18", "Sở Tư pháp", AgencyKind.DEPARTMENT, province)
    field = Field.objects.create(name="Hoạt động xây dựng")
    version = make_version("1.009972", "Cấp giấy phép xây dựng mới", construction, field)
    justice_version = make_version("2.000488", "Cấp phiếu lý lịch tư pháp", justice, field)
    return World(
        province=province,
        center=center,
        construction=construction,
        construction_unit=unit,
        justice=justice,
        field=field,
        version=version,
        justice_version=justice_version,
        clerk=make_staff("clerk", center, Role.COUNTER_CLERK),
        specialist=make_staff("specialist", unit, Role.SPECIALIST),
        leader=make_staff("leader", construction, Role.LEADER),
        manager=make_staff("manager", center, Role.CENTER_MANAGER),
        outsider=make_staff("outsider", justice, Role.SPECIALIST),
        auditor=make_staff("auditor", province, Role.AUDITOR),
        provincial=make_staff("provincial", province, Role.PROVINCIAL_OFFICE),
        citizen=User.objects.create_user("citizen", password=PASSWORD),
    )


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def sign_off_workflow(world: World) -> list[WorkflowStep]:
    """The catalogue's four steps "… → 3. Lãnh đạo Sở ký → 4. Trả kết quả", each performed by
    an agency of the register, the third a signing step (``StepKind`` from the name)."""
    units = [
        ("Tiếp nhận, kiểm tra và chuyển hồ sơ", world.center, 4),
        ("Thẩm định hồ sơ, dự thảo kết quả", world.construction_unit, 40),
        ("Lãnh đạo Sở ký", world.construction, 8),
        ("Trả kết quả", world.center, 4),
    ]
    return [
        WorkflowStep.objects.create(
            version=world.version,
            position=i,
            name=name,
            unit=unit,
            hours=Decimal(hours),
            kind=step_kind_for(name),
        )
        for i, (name, unit, hours) in enumerate(units, start=1)
    ]


def paper_parts(world: World) -> dict[str, Any]:
    """The counter form's fields for every part of ``world.version`` ticked and kept on paper
    with a reason (ND 118/2025: a part not digitised at intake says why)."""
    parts = list(world.version.parts.all())
    return {
        "parts": [str(p.pk) for p in parts],
        **{f"reason-{p.pk}": "Máy quét đang hỏng" for p in parts},
    }
