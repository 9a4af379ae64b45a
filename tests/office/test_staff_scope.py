"""A user's scope is a value (``dossiers.scope.StaffScope``), resolved once per request and
never kept on the user object (domain.md §12; issue 11: "not setattr caches on model
instances")."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from motcua.agencies.models import AgencyKind, Level
from motcua.core.access import request_values, staff_profile
from motcua.core.models import Role, StaffProfile
from motcua.dossiers.models import Dossier
from motcua.dossiers.scope import (
    ScopeMiddleware,
    StaffScope,
    can_decide,
    dossier_scope_q,
    request_scope,
    staff_scope,
)

from .conftest import World, login, make_agency, make_staff

pytestmark = pytest.mark.django_db


def test_the_scope_of_each_role(world: World) -> None:
    subtree = {world.construction.pk, world.construction_unit.pk}
    specialist = staff_scope(world.specialist)
    # A unit works on its parent agency's dossiers, and acts for its own unit only.
    assert set(specialist.own or ()) == subtree
    assert specialist.root == world.construction
    assert specialist.acting == {world.construction_unit.pk}
    assert specialist.intake == ()
    assert specialist.may_write and not specialist.sees_all

    # A leader acts for the whole agency's subtree.
    assert staff_scope(world.leader).acting == subtree

    clerk = staff_scope(world.clerk)
    # The counter checks the online intake of the committee its centre serves.
    assert set(clerk.intake) == {
        world.province.pk,
        world.center.pk,
        world.construction.pk,
        world.construction_unit.pk,
        world.justice.pk,
    }
    assert clerk.at_counter and clerk.sees_received
    assert clerk.acting == {world.center.pk}
    assert staff_scope(world.manager).acting == {world.center.pk}

    auditor = staff_scope(world.auditor)
    assert auditor.sees_all and auditor.ids is None and not auditor.may_write
    assert auditor.acting == frozenset()

    for nobody in (staff_scope(world.citizen), staff_scope(AnonymousUser()), staff_scope(None)):
        assert not nobody.is_staff
        assert nobody.own == () and not nobody.sees_all and nobody.acting == frozenset()


def test_a_system_administrator_sees_no_dossier(world: World) -> None:
    admin = make_staff("admin", world.province, Role.ADMINISTRATOR)
    world.dossier()
    scope = staff_scope(admin)
    assert scope.is_staff and scope.own == () and not scope.sees_all
    assert not Dossier.objects.filter(dossier_scope_q(scope)).exists()


def test_the_units_merged_into_a_unit_are_acted_for(world: World) -> None:
    """After a merger the successor's staff act for the units it took over (domain.md §2),
    as ``services.holder`` needs to know who holds a step."""
    old_unit = make_agency("000.15.02.H18", "Phòng Hạ tầng", AgencyKind.UNIT, world.construction)
    old_unit.valid_to = dt.date(2025, 12, 31)
    old_unit.successor = world.construction_unit
    old_unit.save()
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC), tick=False):
        specialist = staff_scope(world.specialist)
    assert specialist.acting == {world.construction_unit.pk, old_unit.pk}
    assert old_unit.pk in (specialist.own or ())


def test_the_scope_sets_nothing_on_the_user(world: World) -> None:
    """A scope kept on the user object would outlive its request (a job, a test, a changed
    role): nothing of it may be left there."""
    user = world.specialist
    before = set(vars(user))
    own = world.dossier()
    assert Dossier.objects.filter(dossier_scope_q(user)).get() == own
    assert can_decide(user, own)
    assert set(vars(user)) == before

    # A change of role is seen at once, outside a request.
    StaffProfile.objects.filter(user=user).update(role=Role.AUDITOR)
    assert staff_scope(user).sees_all
    assert not can_decide(user, own)


def test_a_request_resolves_the_scope_once(world: World) -> None:
    user = world.clerk
    with request_values():
        first = staff_scope(user)
        with CaptureQueriesContext(connection) as captured:
            again = staff_scope(user)
            profile = staff_profile(user)
            dossier_scope_q(user)
        assert len(captured) == 0
        assert again is first and profile is first.profile
    # The next request resolves it again.
    StaffProfile.objects.filter(user=user).update(agency=world.justice)
    with request_values():
        assert staff_scope(user).root == world.justice


def test_the_middleware_puts_the_scope_on_the_request(world: World) -> None:
    seen: list[StaffScope] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(request_scope(request))
        seen.append(request.scope)  # type: ignore[attr-defined]  # set by ScopeMiddleware
        return HttpResponse()

    request = RequestFactory().get("/can-bo/")
    request.user = world.leader
    with request_values():
        ScopeMiddleware(view)(request)
    assert seen[0].user_id == world.leader.pk and seen[0].root == world.construction
    assert seen[1] == seen[0]

    # A user set after the middleware ran (the API authenticates its token in the view)
    # gets their own scope, not the one the request started with.
    request = RequestFactory().get("/api/")
    request.user = AnonymousUser()

    def api_view(request: HttpRequest) -> HttpResponse:
        assert not request.scope.is_staff  # type: ignore[attr-defined]  # set by ScopeMiddleware
        request.user = world.specialist
        seen.append(request_scope(request))
        return HttpResponse()

    ScopeMiddleware(api_view)(request)
    assert seen[-1].user_id == world.specialist.pk and seen[-1].may_write


def test_a_page_answers_with_the_scope_of_its_user(world: World, client: Client) -> None:
    """Two users one after the other on the same client: no scope leaks between requests."""
    own = world.dossier()
    login(client, world.specialist)
    assert own.code in client.get("/can-bo/").content.decode()
    client.logout()
    login(client, world.outsider)
    assert own.code not in client.get("/can-bo/").content.decode()


def test_an_unpathed_agency_has_its_subtree(world: World) -> None:
    """Agencies saved without their materialised path (fixtures, an import) still give the
    subtree, by walking the parents."""
    commune = make_agency("000.00.99.H18", "UBND xã", AgencyKind.PEOPLE_COMMITTEE)
    commune.level = Level.COMMUNE
    commune.path = ""
    commune.save()
    unit = make_agency("000.99.01.H18", "Phòng", AgencyKind.UNIT, commune)
    unit.path = ""
    unit.save()
    user: User = make_staff("commune", unit, Role.SPECIALIST)
    assert set(staff_scope(user).own or ()) == {commune.pk, unit.pk}
