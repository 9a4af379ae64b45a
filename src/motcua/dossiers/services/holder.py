"""Who may act on a dossier while it is processed: the unit that holds its current step.

The control slip (form 06, ND 118/2025 Điều 19 and TT 01/2018 mẫu 06) records who had the
dossier and when; it is only true if nobody else can move the dossier. So the changes made
while a dossier is processed — hand it over, ask for a supplement, apologise and set a new
appointment, finish it, return it unresolved — are made by:

- the staff of the unit holding the current step (the step's unit when it names an agency
  of the register, by code or name; else the unit the last hand-over went to);
- the leaders of that unit or of an agency above it (a department's director over its
  divisions, the service center's managers over the counter);
- when the holder is not an agency of the register (a step written as free text such as
  "Lãnh đạo Sở"), the staff of the competent agency.

Which of these may do which change, and when, is the rule table ``dossiers.rules``; this
module only answers where the dossier is (``dossier_holder``, ``holds_step``) and where it
may go next (``next_step``, ``handover_steps``).

Actors that are not people (the worker, imports, scripts: ``actor`` a label or None) are not
desks and are not checked here; the API and the staff application always pass the user.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.agencies.queries import agency_acting_ids
from motcua.catalog.models import StepKind, WorkflowStep
from motcua.core.access import staff_profile
from motcua.core.audit import Actor
from motcua.core.models import Role, StaffProfile
from motcua.dossiers.models import Dossier, Handover, Status
from motcua.dossiers.scope import WRITE_ROLES, scope_ids
from motcua.dossiers.services.base import _user

# Leaders may act for the units under them, and skip workflow steps (recorded).
LEADING_ROLES = frozenset({Role.LEADER, Role.CENTER_MANAGER})


def dossier_holder(dossier: Dossier) -> Agency | None:
    """The agency or unit holding the dossier's current step, or None when that unit is not
    an agency of the register. A read of the units' foreign keys (Django keeps the related
    rows on the objects, so a page asking once per action reads them once)."""
    return _holder_lookup(dossier)


def _holder_lookup(dossier: Dossier) -> Agency | None:
    # The step's unit when it is an agency; else the unit the dossier was handed to.
    step = dossier.current_step if dossier.current_step_id is not None else None
    if step is not None and step.unit_id is not None:
        return step.unit
    return dossier.current_unit


def _holder_id(dossier: Dossier) -> int | None:
    """``dossier_holder``'s id, without reading the agency's row (the step comes with the
    version's prefetched steps; its unit would be one more query)."""
    step = dossier.current_step if dossier.current_step_id is not None else None
    if step is not None and step.unit_id is not None:
        return step.unit_id
    return dossier.current_unit_id


def _is_leading(actor: Actor) -> bool:
    user = _user(actor)
    if user is None:
        return True  # the worker and imports are not desks
    profile = staff_profile(user)
    return profile is not None and profile.role in LEADING_ROLES


def holds_step(actor: Actor, dossier: Dossier) -> bool:
    """Whether ``actor`` is at the unit holding ``dossier``'s current step (the ``HOLDER``
    desk of ``dossiers.rules``; the rules add statuses, roles and decisions)."""
    user = _user(actor)
    if user is None:
        return True  # not a person: see the module's docstring
    profile = staff_profile(user)
    if profile is None or profile.role not in WRITE_ROLES:
        return False
    holder = _holder_id(dossier)
    if holder is None:
        # The competent agency's staff (``scope_ids`` counts its successor after a merger).
        ids = scope_ids(user)
        return ids is not None and dossier.agency_id in ids.own
    return holder in _acting_units(user, profile)


def _acting_units(user: User, profile: StaffProfile) -> set[int]:
    """The units ``user`` acts for: their own (a leader: and those under it), and whatever
    passed into them through a merger (domain.md §2). Kept on the user object, as
    ``scope_ids`` is, for the request."""
    cached = getattr(user, "_acting_units", None)
    if cached is not None:
        return cast(set[int], cached)
    units = agency_acting_ids(
        profile.agency, subtree=profile.role in LEADING_ROLES, day=timezone.localdate()
    )
    user._acting_units = units  # type: ignore[attr-defined]
    return units


def _passed_position(dossier: Dossier) -> int:
    """The position of the step the dossier is in, or of the last step its control slip went
    through when it is in none (a detour, or the result back after the last step); 0 before
    the workflow (the counter does not perform step 1)."""
    if dossier.current_step is not None:
        return dossier.current_step.position
    last = (
        Handover.objects.filter(dossier=dossier, step__isnull=False)
        .select_related("step")
        .order_by("-position")
        .first()
    )
    if last is not None and last.step is not None:
        return last.step.position
    return _intake_done_elsewhere(dossier)


def _intake_done_elsewhere(dossier: Dossier) -> int:
    """The position of the workflow's receiving step when another one-stop point received the
    dossier (ND 118/2025, intake regardless of administrative boundaries:
    ``dossiers.intake_points``): that point checked and received it, so the first hand-over
    goes to the competent agency's next step, not back to a counter; else 0."""
    if dossier.receiving_unit_id is None:
        return 0
    first = (
        WorkflowStep.objects.filter(version_id=dossier.procedure_version_id)
        .order_by("position")
        .first()
    )
    if (
        first is not None
        and first.kind == StepKind.RECEIVE
        and first.unit_id is not None
        and first.unit_id != dossier.receiving_unit_id
    ):
        return first.position
    return 0


def next_step(dossier: Dossier) -> WorkflowStep | None:
    """The workflow step after the one the dossier is in (or last went through)."""
    return (
        WorkflowStep.objects.filter(
            version_id=dossier.procedure_version_id, position__gt=_passed_position(dossier)
        )
        .order_by("position")
        .first()
    )


def handover_route(dossier: Dossier, step: WorkflowStep) -> str:
    """How a hand-over to ``step`` moves along the workflow: ``"next"``; ``"back"`` to the
    current or an earlier step (rework); ``"skip"`` past the next step."""
    return _route(step, next_step(dossier), _passed_position(dossier))


def _route(step: WorkflowStep, following: WorkflowStep | None, passed: int) -> str:
    if following is not None and step.pk == following.pk:
        return "next"
    if step.position <= passed:
        return "back"
    return "skip"


def handover_steps(actor: Actor, dossier: Dossier) -> list[WorkflowStep]:
    """The steps ``actor`` may hand ``dossier`` to: the next one; an earlier one (or the
    current one again) for rework while it is processed; a later one, skipping, for leaders
    only (the caller asks ``dossiers.rules`` whether the actor may hand it over at all)."""
    leading = _is_leading(actor)
    steps = list(
        WorkflowStep.objects.filter(version_id=dossier.procedure_version_id).order_by("position")
    )
    # The dossier's place is read once, not once per step (the page's queries stay the same
    # whatever the workflow's length).
    passed = _passed_position(dossier)
    following = next((step for step in steps if step.position > passed), None)
    allowed: list[WorkflowStep] = []
    for step in steps:
        route = _route(step, following, passed)
        if (
            route == "next"
            or (route == "back" and dossier.status == Status.PROCESSING)
            or (route == "skip" and leading)
        ):
            allowed.append(step)
    return allowed


def may_leave_workflow(actor: Actor, dossier: Dossier) -> bool:
    """Whether ``actor`` may hand ``dossier`` to a unit named freely: always once the
    workflow has no next step (the result back to the counter, a procedure without steps);
    before that only a leader, as for a skip (the caller asks ``dossiers.rules`` whether the
    actor may hand it over at all)."""
    return next_step(dossier) is None or _is_leading(actor)
