"""The shared fixture world: a small named province that every test package can use.

Import the fixtures in a package's ``conftest.py``::

    from tests.world import world  # noqa: F401

``world`` is built fresh for each test (a dozen rows). Names, so that a failing test reads
like a story:

- ``province`` (UBND tỉnh Đắk Nông) with ``center`` (Trung tâm Phục vụ hành chính công),
  ``justice`` (Sở Tư pháp, the competent agency) and ``transport`` (Sở Giao thông vận tải);
- ``procedure`` 1.001234 "Cấp phiếu lý lịch tư pháp", decided by ``justice`` in 3 working
  days, cut-off on, workflow of three 8-hour steps (receive, appraise, sign); ``hours_procedure``
  is a 4-working-hour one without steps;
- people: ``clerk`` (counter clerk at the center), ``specialist`` and ``leader`` (Sở Tư pháp),
  ``outsider`` (specialist at Sở GTVT), ``citizen`` (a portal account, no staff profile),
  ``admin`` (superuser).

Dates: tests that need the clock use October 2026 (no public holiday in it): Monday 5/10/2026
is ``MONDAY``.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from motcua.agencies.models import Agency, AgencyKind, Level
from motcua.agencies.units import unit_resolve
from motcua.catalog.models import (
    DurationUnit,
    Field,
    Procedure,
    ProcedureVersion,
    WorkflowStep,
    step_kind_for,
)
from motcua.catalog.services import province_wide_listing_save

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY = dt.date(2026, 10, 5)


def local(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An aware instant at a local wall-clock time."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)


@dataclass
class World:
    province: Agency
    center: Agency
    justice: Agency
    transport: Agency
    field: Field
    procedure: ProcedureVersion
    steps: list[WorkflowStep]
    hours_procedure: ProcedureVersion
    clerk: User
    specialist: User
    leader: User
    outsider: User
    citizen: User
    admin: User


def agency_create(
    *, code: str, name: str, kind: str, parent: Agency | None, level: str = Level.PROVINCE
) -> Agency:
    """An agency with its materialised path (``/1/5/``), as agencies.services keeps it."""
    agency = Agency.objects.create(code=code, name=name, kind=kind, level=level, parent=parent)
    agency.path = f"{parent.path if parent else '/'}{agency.pk}/"
    agency.save(update_fields=["path"])
    return agency


def staff_create(username: str, full_name: str, agency: Agency, role: str) -> User:
    """A staff account with a profile (``core.StaffProfile`` when it exists)."""
    first, _sep, last = full_name.rpartition(" ")
    user = User.objects.create_user(username, password="matkhau-thu", first_name=last)
    user.last_name = first
    user.save(update_fields=["last_name"])
    profile_model = _staff_profile_model()
    if profile_model is not None:
        profile_model.objects.create(user=user, agency=agency, role=role)
    return user


def _staff_profile_model() -> Any:
    models = importlib.import_module("motcua.core.models")
    return getattr(models, "StaffProfile", None)


def procedure_create(
    *,
    code: str,
    name: str,
    agency: Agency,
    field: Field,
    duration: Decimal,
    unit: str,
    steps: Sequence[tuple[str, str, Decimal]] = (),
    cutoff: bool = True,
) -> ProcedureVersion:
    procedure = Procedure.objects.create(code=code)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        name=name,
        field=field,
        agency=agency,
        level=agency.level,
        duration=duration,
        unit=unit,
        cutoff=cutoff,
    )
    for position, (step_name, unit_text, hours) in enumerate(steps, start=1):
        # Written as the catalogue writes it: an agency's code or name, else free text.
        resolved = unit_resolve(unit_text)
        WorkflowStep.objects.create(
            version=version,
            position=position,
            name=step_name,
            unit=resolved.agency,
            unit_label=resolved.label,
            hours=hours,
            kind=step_kind_for(step_name),
        )
    return version


def world_build() -> World:
    province = agency_create(
        code="000.00.00.H18",
        name="UBND tỉnh Đắk Nông",
        kind=AgencyKind.PEOPLE_COMMITTEE,
        parent=None,
    )
    center = agency_create(
        code="000.00.01.H18",
        name="Trung tâm Phục vụ hành chính công tỉnh",
        kind=AgencyKind.SERVICE_CENTER,
        parent=province,
    )
    justice = agency_create(
        code="000.00.19.H18", name="Sở Tư pháp", kind=AgencyKind.DEPARTMENT, parent=province
    )
    transport = agency_create(
        code="000.00.20.H18",
        name="Sở Giao thông vận tải",
        kind=AgencyKind.DEPARTMENT,
        parent=province,
    )
    field = Field.objects.create(name="Lý lịch tư pháp")
    procedure = procedure_create(
        code="1.001234",
        name="Cấp phiếu lý lịch tư pháp cho công dân Việt Nam",
        agency=justice,
        field=field,
        duration=Decimal(3),
        unit=DurationUnit.WORKING_DAYS,
        steps=[
            ("Tiếp nhận, chuyển hồ sơ", center.name, Decimal(8)),
            ("Thẩm định hồ sơ", "Phòng Hành chính tư pháp", Decimal(8)),
            ("Ký duyệt kết quả", "Lãnh đạo Sở Tư pháp", Decimal(8)),
        ],
    )
    hours_procedure = procedure_create(
        code="1.009999",
        name="Cấp bản sao trích lục hộ tịch",
        agency=justice,
        field=field,
        duration=Decimal(4),
        unit=DurationUnit.WORKING_HOURS,
    )
    clerk = staff_create("tiepnhan", "Nguyễn Thị Lan", center, "counter_clerk")
    specialist = staff_create("chuyenvien", "Trần Văn Minh", justice, "specialist")
    leader = staff_create("lanhdao", "Lê Hoàng Nam", justice, "leader")
    outsider = staff_create("nguoingoai", "Phạm Thu Hà", transport, "specialist")
    citizen = User.objects.create_user("congdan", password="matkhau-thu", first_name="An")
    admin = User.objects.create_superuser("quantri", password="matkhau-thu")
    return World(
        province=province,
        center=center,
        justice=justice,
        transport=transport,
        field=field,
        procedure=procedure,
        steps=list(procedure.steps.order_by("position")),
        hours_procedure=hours_procedure,
        clerk=clerk,
        specialist=specialist,
        leader=leader,
        outsider=outsider,
        citizen=citizen,
        admin=admin,
    )


@pytest.fixture
def world(db: None) -> World:
    return world_build()


# --- communes and the boundary-free list (issue 14) ---------------------------------------------


@dataclass
class Communes:
    """A commune of ``World.province`` with its one-stop unit, and the province's list of
    procedures received regardless of administrative boundaries (ND 118/2025):

    - ``commune`` (UBND xã Nhân Cơ) and ``commune_center`` (its Bộ phận Một cửa);
    - ``listed_commune`` 2.000815 "Chứng thực bản sao từ bản chính", decided by the commune,
      on the list (Quyết định ``DECISION`` of 1/7/2025); ``unlisted_commune`` 1.000894
      "Đăng ký kết hôn", decided by the commune, not on it;
    - ``listed_provincial`` 2.000488 "Cấp bản sao trích lục án tích", decided by Sở Tư pháp,
      on the list (``World.procedure`` stays off it);
    - ``commune_clerk`` (counter clerk of the commune's one-stop unit), ``commune_officer``
      (specialist of the commune's committee)."""

    commune: Agency
    commune_center: Agency
    listed_commune: ProcedureVersion
    unlisted_commune: ProcedureVersion
    listed_provincial: ProcedureVersion
    commune_clerk: User
    commune_officer: User


DECISION = "1234/QĐ-UBND"
DECIDED_ON = dt.date(2025, 7, 1)


def _listed(version: ProcedureVersion, province: Agency) -> ProcedureVersion:
    province_wide_listing_save(
        province=province,
        procedure=version.procedure,
        decision=DECISION,
        valid_from=DECIDED_ON,
    )
    return version


def communes_build(world: World) -> Communes:
    commune = agency_create(
        code="000.01.30.H18",
        name="UBND xã Nhân Cơ",
        kind=AgencyKind.PEOPLE_COMMITTEE,
        parent=world.province,
        level=Level.COMMUNE,
    )
    commune_center = agency_create(
        code="000.01.31.H18",
        name="Bộ phận Một cửa xã Nhân Cơ",
        kind=AgencyKind.SERVICE_CENTER,
        parent=commune,
        level=Level.COMMUNE,
    )
    field = Field.objects.create(name="Chứng thực")
    listed_commune = _listed(
        procedure_create(
            code="2.000815",
            name="Chứng thực bản sao từ bản chính giấy tờ, văn bản",
            agency=commune,
            field=field,
            duration=Decimal(1),
            unit=DurationUnit.WORKING_DAYS,
            steps=[
                ("Tiếp nhận hồ sơ", commune_center.name, Decimal(2)),
                ("Thẩm định, ký chứng thực", commune.name, Decimal(4)),
            ],
        ),
        world.province,
    )
    unlisted_commune = procedure_create(
        code="1.000894",
        name="Đăng ký kết hôn",
        agency=commune,
        field=field,
        duration=Decimal(3),
        unit=DurationUnit.WORKING_DAYS,
    )
    listed_provincial = _listed(
        procedure_create(
            code="2.000488",
            name="Cấp bản sao trích lục án tích",
            agency=world.justice,
            field=world.field,
            duration=Decimal(3),
            unit=DurationUnit.WORKING_DAYS,
            steps=[
                ("Tiếp nhận, chuyển hồ sơ", world.center.name, Decimal(4)),
                ("Thẩm định hồ sơ", world.justice.name, Decimal(8)),
                ("Ký duyệt kết quả", "Lãnh đạo Sở Tư pháp", Decimal(8)),
            ],
        ),
        world.province,
    )
    return Communes(
        commune=commune,
        commune_center=commune_center,
        listed_commune=listed_commune,
        unlisted_commune=unlisted_commune,
        listed_provincial=listed_provincial,
        commune_clerk=staff_create("motcuaxa", "Đinh Thị Mai", commune_center, "counter_clerk"),
        commune_officer=staff_create("congchucxa", "Y Bhin Niê", commune, "specialist"),
    )


@pytest.fixture
def communes(world: World) -> Communes:
    return communes_build(world)


@contextmanager
def event_fails_once(error: Exception) -> Iterator[None]:
    """Within the block, the next dossier event's listeners raise ``error`` once (as an app
    that records something with every event would fail: a database error, a full queue), so
    that a service fails after it wrote its dossier."""
    from motcua.dossiers import listeners
    from motcua.dossiers.listeners import event_listener_register

    failures = [error]

    def fail_once(_event: object) -> None:
        if failures:
            raise failures.pop()

    event_listener_register("test_fail_once", fail_once)
    try:
        yield
    finally:
        listeners._LISTENERS.pop("test_fail_once", None)


def counter_receipt(world: World, applicant: Any = None) -> Any:
    """A dossier received at the world's one-stop centre by its clerk (``dossier_receive``)."""
    from motcua.dossiers.applicants import Applicant
    from motcua.dossiers.services import dossier_receive

    return dossier_receive(
        procedure_version=world.procedure,
        applicant=applicant
        or Applicant(kind="citizen", name="Hoàng Văn Bình", id_number="066090001234"),
        actor=world.clerk,
        receiving_unit=world.center,
    )
