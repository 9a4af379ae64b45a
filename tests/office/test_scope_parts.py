"""The scope as disjoint parts (``dossiers.scope.dossier_scope_parts``): their union is the
scope of ``dossier_scope_q`` and no dossier is in two of them, so counts over the parts add
up to the count over the scope (the inbox's "ended this quarter" tab)."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import pytest
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from motcua.dossiers.models import Dossier, EndKind, Status
from motcua.dossiers.scope import dossier_scope_parts, dossier_scope_q

from .conftest import World

pytestmark = pytest.mark.django_db


class Ended(TypedDict):
    ended_at: dt.datetime
    end_kind: EndKind
    status: Status


def _ids(q: Q) -> set[int]:
    return set(Dossier.objects.filter(q).values_list("pk", flat=True))


def test_parts_are_disjoint_and_make_up_the_scope(world: World) -> None:
    now = timezone.now()
    ended: Ended = {
        "ended_at": now - dt.timedelta(days=1),
        "end_kind": EndKind.WITHDRAWN,
        "status": Status.WITHDRAWN,
    }
    made = [
        world.dossier(),  # construction's, received at the centre
        world.dossier(receiving_unit=world.construction),  # construction's own counter
        world.dossier(version=world.justice_version),  # justice's, received at the centre
        world.dossier(version=world.justice_version, receiving_unit=None, **ended),
        # Online, not yet accepted (no receipt, no receiving unit), and one withdrawn so.
        world.dossier(receiving_unit=None, received_at=None, status=Status.SUBMITTED),
        world.dossier(receiving_unit=None, received_at=None, **ended),
        world.dossier(**ended),
    ]
    users: list[User] = [
        world.clerk,
        world.specialist,
        world.leader,
        world.manager,
        world.outsider,
        world.auditor,
        world.provincial,
    ]
    for user in users:
        scope = _ids(dossier_scope_q(user))
        parts = [_ids(part) for part in dossier_scope_parts(user)]
        assert set().union(*parts) == scope, user.username
        assert sum(len(p) for p in parts) == len(scope), user.username
    # The world's scopes are not trivial: the clerk sees more than one part's dossiers.
    clerk_parts = [_ids(p) for p in dossier_scope_parts(world.clerk)]
    assert sum(1 for p in clerk_parts if p) >= 2
    assert _ids(dossier_scope_q(world.clerk)) <= {d.pk for d in made}
