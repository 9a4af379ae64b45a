"""Which dossiers a member of staff sees and may act on (domain.md §12).

Staff see the dossiers whose competent agency is in their agency's subtree (a unit — phòng —
counts as its parent agency), and after a merger those of the agencies it took over; those
who work at a counter (counter clerks, the center's managers and leaders) also see the
dossiers their service center received, and the online ones not yet accepted of the people's
committee their one-stop unit serves. The provincial office and auditors see every dossier,
read-only. A user without a ``StaffProfile`` (and a system administrator) sees none.

The rule is stated once, here: ``staff_scope`` resolves a user to a ``StaffScope``, a frozen
value built once per request (``ScopeMiddleware`` puts it on ``request.scope``) and passed to
whatever asks; ``scope_branches`` turns it into the ways a dossier can be in scope, from which
``dossier_scope_q``, the inbox's disjoint parts and the dashboard's ranges are built. The one
access function per aggregate (``dossiers.queries.dossier_for``) builds on
``dossier_scope_q`` and ``can_write``; views never filter dossiers by hand.

Functions here take a ``StaffScope`` or, for callers outside a request (services, commands,
tests), a user, from which they build the value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from motcua.agencies.models import Agency, AgencyKind
from motcua.agencies.queries import (
    agency_inherited_id_sets,
    agency_subtree,
    agency_subtree_id_sets,
    intake_root,
    scope_root,
)
from motcua.core.access import AnyUser, request_memo, request_memo_put, staff_profile
from motcua.core.models import Role, StaffProfile

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier

# Province-wide, read-only (domain.md §12: oversight sees everything, changes nothing).
READ_ALL_ROLES = frozenset({Role.PROVINCIAL_OFFICE, Role.AUDITOR})
# Roles that act on dossiers (receive, hand over, decide, deliver).
WRITE_ROLES = frozenset({Role.COUNTER_CLERK, Role.SPECIALIST, Role.LEADER, Role.CENTER_MANAGER})
# Roles that work at the counter and so also see what their service center received.
COUNTER_ROLES = frozenset({Role.COUNTER_CLERK, Role.CENTER_MANAGER})
# Roles that decide on a dossier (supplement, extension, result, refusal after appraisal):
# staff of the competent agency, not the counter that merely received it.
DECIDE_ROLES = frozenset({Role.SPECIALIST, Role.LEADER})
# Roles that lead: the dashboard and the period figures of their scope.
LEADER_ROLES = frozenset({Role.LEADER, Role.CENTER_MANAGER, Role.PROVINCIAL_OFFICE})
# Roles that act for the units under their own, not only for it (a department's director
# over its divisions, the service center's managers over the counter).
LEADING_ROLES = frozenset({Role.LEADER, Role.CENTER_MANAGER})


def sees_received(profile: StaffProfile) -> bool:
    """Whether the user also sees the dossiers their service center received (not only those
    their agency decides): counter staff, and leaders of a service center."""
    return profile.role in COUNTER_ROLES or (
        profile.role == Role.LEADER and profile.agency.kind == AgencyKind.SERVICE_CENTER
    )


def works_at_counter(profile: StaffProfile | None) -> bool:
    """Whether the user works at a one-stop unit's counter: its clerks and managers, and the
    leaders of the service center itself (ND 118/2025 Điều 8: the one-stop unit receives and
    returns). A department's leaders and specialists decide dossiers; they do not receive."""
    if profile is None or profile.agency.kind != AgencyKind.SERVICE_CENTER:
        return False
    return profile.role in COUNTER_ROLES or profile.role == Role.LEADER


@dataclass(frozen=True)
class ScopeIds:
    """The agencies of a user's scope as literal ids: ``own`` the agency subtree whose
    dossiers they see (and, at a counter, whose received dossiers), ``intake`` the people's
    committee subtree whose online dossiers their one-stop unit checks (empty if none)."""

    own: tuple[int, ...]
    intake: tuple[int, ...]


@dataclass(frozen=True)
class StaffScope:
    """A user's place in the dossier scope rule, resolved once (``staff_scope``).

    - ``profile``: their staff profile (None: not staff, sees no dossier);
    - ``own``: ids of the agencies whose dossiers they see — their scope root's subtree and
      the agencies merged into it; None for oversight (every agency); empty for those who
      see none (no profile, system administrators);
    - ``intake``: ids of the people's committee subtree whose online dossiers not yet
      accepted their one-stop unit checks (empty unless they see what it received);
    - ``acting``: ids of the units they act for while a dossier is processed — their own
      unit, a leader's or centre manager's whole agency subtree, and the units merged into
      those (``agencies.queries.agency_inherited_ids``); empty for roles that do not act;
    - ``root``: the agency whose dossiers they work on (a unit's parent agency), None for
      oversight and those without a scope;
    - ``within``: None, or the ids of the only agencies whose dossiers (or the dossiers they
      received) may be seen, whatever the rest allows (an API token limited to agencies,
      ``staff_scope_within``).

    Literal ids, not a join or subquery on the materialised path: the planner then sees
    ``agency_id IN (…)`` and uses the dossier indexes that start with the agency (measured
    by bench/office_pages.py on a million dossiers)."""

    user_id: int | None
    profile: StaffProfile | None = None
    own: tuple[int, ...] | None = ()
    intake: tuple[int, ...] = ()
    acting: frozenset[int] = field(default_factory=frozenset)
    root: Agency | None = None
    within: tuple[int, ...] | None = None

    @property
    def role(self) -> Role | None:
        return Role(self.profile.role) if self.profile is not None else None

    @property
    def is_staff(self) -> bool:
        return self.profile is not None

    @property
    def sees_all(self) -> bool:
        """Oversight: every dossier of the province, read-only."""
        return self.own is None

    @property
    def may_write(self) -> bool:
        """A role that acts on dossiers (the dossier must still be in scope)."""
        return self.role in WRITE_ROLES

    @property
    def at_counter(self) -> bool:
        return works_at_counter(self.profile)

    @property
    def sees_received(self) -> bool:
        return self.profile is not None and sees_received(self.profile)

    @property
    def ids(self) -> ScopeIds | None:
        """``own`` and ``intake`` together; None for oversight."""
        if self.own is None:
            return None
        return ScopeIds(own=self.own, intake=self.intake)


def _scope_build(user: AnyUser | None) -> StaffScope:
    """A few small queries on agencies: the profile, the subtrees (one query when paths are
    kept) and the agencies ended by today whose work may have passed into them through a
    merger (domain.md §2: after a merger the successor's staff take over its predecessors'
    dossiers)."""
    profile = staff_profile(user)
    user_id = user.pk if user is not None and user.is_authenticated else None
    if profile is None or profile.role in (Role.ADMINISTRATOR, Role.ACCOUNTANT):
        # System administrators manage accounts and the catalogue, accountants the money
        # (receipts, cash books, reconciliation), not cases: no dossier and so no applicant's
        # personal data beyond the payer on a receipt (domain.md §12, Luật BVDLCN 2025).
        return StaffScope(user_id=user_id, profile=profile)
    if profile.role in READ_ALL_ROLES:
        return StaffScope(user_id=user_id, profile=profile, own=None)
    root = scope_root(profile.agency)
    committee = intake_root(profile.agency) if sees_received(profile) else None
    roots: list[Agency] = [root]
    if committee is not None:
        roots.append(committee)
    acts_for_subtree = profile.role in LEADING_ROLES
    if acts_for_subtree:
        roots.append(profile.agency)
    subtrees = agency_subtree_id_sets(roots)
    own_subtree = subtrees[0]
    acting_own = subtrees[-1] if acts_for_subtree else {profile.agency_id}
    acts = profile.role in WRITE_ROLES
    inherited = agency_inherited_id_sets(
        [own_subtree, acting_own] if acts else [own_subtree], timezone.localdate()
    )
    return StaffScope(
        user_id=user_id,
        profile=profile,
        own=tuple(sorted(own_subtree | inherited[0])),
        intake=tuple(sorted(subtrees[1])) if committee is not None else (),
        acting=frozenset(acting_own | inherited[1]) if acts else frozenset(),
        root=root,
    )


def staff_scope(user: AnyUser | None) -> StaffScope:
    """``user``'s scope, resolved once per request (``core.access.request_memo``: a value
    kept for the request, not an attribute set on the user) and on every call outside one."""
    if user is None or not user.is_authenticated or user.pk is None:
        return StaffScope(user_id=None)
    return request_memo("dossiers.scope", user.pk, lambda: _scope_build(user))


def staff_scope_within(user: AnyUser, agencies: Sequence[Agency]) -> StaffScope:
    """``user``'s scope narrowed to the dossiers of ``agencies`` and their subtrees or received
    by them, and kept as the user's scope for the rest of the request (an API token limited
    to some agencies: its account's scope intersected with them). Every read and change
    below — ``dossier_for``, the lists, the services' rule checks — then sees only the
    narrowed scope."""
    scope = _scope_build(user)
    if scope.profile is not None and agencies:
        allowed: set[int] = set().union(*agency_subtree_id_sets(list(agencies)))
        scope = dataclasses.replace(scope, within=tuple(sorted(allowed)))
    assert user.pk is not None
    request_memo_put("dossiers.scope", user.pk, scope)
    return scope


ScopeOrUser = StaffScope | AnyUser | None


def as_scope(who: ScopeOrUser) -> StaffScope:
    """``who`` if it is already a scope, else the scope of the user ``who``."""
    return who if isinstance(who, StaffScope) else staff_scope(who)


def request_scope(request: HttpRequest) -> StaffScope:
    """The scope of the request's user: ``request.scope`` when ``ScopeMiddleware`` put it
    there for the same user (the API authenticates its token after the middleware ran),
    else built now."""
    scope = getattr(request, "scope", None)
    user = getattr(request, "user", None)
    if scope is not None and scope.user_id == (user.pk if user is not None else None):
        return scope
    return staff_scope(user)


class ScopeMiddleware:
    """Puts the user's ``StaffScope`` on ``request.scope``, resolved on first use: a page
    that never asks pays nothing, a page that asks many times pays once. Placed after the
    authentication middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.scope = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: staff_scope(getattr(request, "user", None))
        )
        return self.get_response(request)


def scope_ids(who: ScopeOrUser) -> ScopeIds | None:
    """The scope resolved to agency ids; None for oversight roles (everything)."""
    return as_scope(who).ids


def user_agency_scope(who: ScopeOrUser) -> QuerySet[Agency]:
    """The agencies whose dossiers the user may see: all of them for the provincial office and
    auditors, their agency's subtree for other staff, none for everyone else."""
    scope = as_scope(who)
    if scope.sees_all:
        return Agency.objects.all()
    if scope.root is None:
        return Agency.objects.none()
    return agency_subtree(scope.root)


@dataclass(frozen=True)
class ScopeBranches:
    """The ways a dossier can be in a user's scope, each a ``Q`` over ``Dossier`` fields
    (None: not this way): ``own``, the dossiers of the user's agencies; ``received``, those
    their one-stop unit received; ``intake``, the online ones not yet accepted that it
    checks. The one statement of the scope rule: ``dossier_scope_q``, ``dossier_scope_parts``
    and the dashboard's ranges are built from it."""

    own: Q
    received: Q | None = None
    intake: Q | None = None


def scope_branches(who: ScopeOrUser, prefix: str = "") -> ScopeBranches | None:
    """The branches of the scope; None for oversight roles, who see everything (unless
    narrowed by ``within``: each branch is then also limited to those agencies)."""
    scope = as_scope(who)
    branches = _scope_branches(scope, prefix)
    if scope.within is None:
        return branches
    within = Q(**{f"{prefix}agency_id__in": scope.within}) | Q(
        **{f"{prefix}receiving_unit_id__in": scope.within}
    )
    if branches is None:
        return ScopeBranches(own=within)
    return ScopeBranches(
        own=branches.own & within,
        received=branches.received & within if branches.received is not None else None,
        intake=branches.intake & within if branches.intake is not None else None,
    )


def within_admits(
    who: ScopeOrUser, *, agency_id: int | None, receiving_unit_id: int | None
) -> bool:
    """Whether a dossier of ``agency_id`` received by ``receiving_unit_id`` (None: not yet)
    lies inside the scope's ``within`` (an API token limited to agencies): the rule of
    ``scope_branches``, its competent agency or its receiving unit among them, so that a
    limited token creates only dossiers it could then see."""
    scope = as_scope(who)
    if scope.within is None:
        return True
    return agency_id in scope.within or (
        receiving_unit_id is not None and receiving_unit_id in scope.within
    )


def _scope_branches(scope: StaffScope, prefix: str) -> ScopeBranches | None:
    if scope.sees_all:
        return None
    own = Q(**{f"{prefix}agency_id__in": scope.own})
    if not scope.own:
        return ScopeBranches(own=Q(pk__in=[]))
    if not scope.sees_received:
        return ScopeBranches(own=own)
    assert scope.profile is not None
    intake = None
    if scope.intake:
        # Online dossiers not yet accepted have no receiving unit: the one-stop units of
        # the same people's committee and level check them (ND 118/2025: online intake
        # goes through the one-stop unit of the level that decides).
        intake = Q(
            **{
                f"{prefix}receiving_unit__isnull": True,
                f"{prefix}received_at__isnull": True,
                f"{prefix}level": scope.profile.agency.level,
                f"{prefix}agency_id__in": scope.intake,
            }
        )
    return ScopeBranches(
        own=own, received=Q(**{f"{prefix}receiving_unit_id__in": scope.own}), intake=intake
    )


def dossier_scope_q(who: ScopeOrUser, prefix: str = "") -> Q:
    """A ``Q`` over ``Dossier`` fields selecting the dossiers ``who`` may see.

    ``prefix`` lets other models filter through their dossier (``prefix="dossier__"``).
    Usage: ``Dossier.objects.filter(dossier_scope_q(request.scope))``."""
    branches = scope_branches(who, prefix)
    if branches is None:
        return Q()
    q = branches.own
    for branch in (branches.received, branches.intake):
        if branch is not None:
            q |= branch
    return q


def dossier_scope_parts(who: ScopeOrUser) -> list[Q]:
    """``dossier_scope_q`` as disjoint parts whose union is the scope: the user's own
    agencies' dossiers; those received by their unit for other agencies; the online ones not
    yet accepted that their one-stop unit checks. A count over the scope is the sum of counts
    over the parts, each of which an index that starts with its column can answer alone (an
    OR of the three makes the databases read every row to test it)."""
    branches = scope_branches(who)
    if branches is None:
        return [Q()]
    # ``received`` and ``intake`` never overlap (a receiving unit, or none).
    others = (branches.received, branches.intake)
    return [branches.own, *(b & ~branches.own for b in others if b is not None)]


def can_read(who: ScopeOrUser, dossier: Dossier) -> bool:
    from motcua.dossiers.models import Dossier

    scope = as_scope(who)
    if not scope.is_staff:
        return False
    return Dossier.objects.filter(pk=dossier.pk).filter(dossier_scope_q(scope)).exists()


def can_write(who: ScopeOrUser, dossier: Dossier) -> bool:
    """Whether ``who`` may act on ``dossier``: a role that acts, and the dossier in scope.
    The services still decide whether the action itself is allowed in the dossier's state."""
    scope = as_scope(who)
    return scope.may_write and can_read(scope, dossier)


def can_decide(who: ScopeOrUser, dossier: Dossier) -> bool:
    """Whether ``who`` may decide on ``dossier``: a specialist or leader of the competent
    agency's subtree (a counter sees the dossiers it received but does not decide them)."""
    scope = as_scope(who)
    if scope.role not in DECIDE_ROLES:
        return False
    return scope.own is not None and dossier.agency_id in scope.own


def counter_receives(profile: StaffProfile | None, agency_id: int, level: str) -> bool:
    """Whether the user's one-stop unit receives the procedures that ``agency_id`` decides at
    ``level``: those of the people's committee it serves, at its own level (the same rule as
    the online intake branch of ``scope_branches``)."""
    if not works_at_counter(profile):
        return False
    assert profile is not None
    committee = intake_root(profile.agency)
    if committee is None or level != profile.agency.level:
        return False
    return agency_subtree(committee).filter(pk=agency_id).exists()
