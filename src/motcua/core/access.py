"""Who may see and change what (domain.md §12).

Staff see the dossiers whose competent agency is in their agency's subtree (a unit — phòng —
counts as its parent agency), and after a merger those of the agencies it took over; those
who work at a counter (counter clerks, the center's managers and leaders) also see the
dossiers their service center received. The provincial office and auditors see every
dossier, read-only.
A user without a ``StaffProfile`` sees none.

The one access function per aggregate (``dossiers.queries.dossier_for``) builds on
``dossier_scope_q`` and ``can_write``; views never filter dossiers by hand.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from motcua.agencies.models import Agency, AgencyKind
from motcua.agencies.queries import agency_inherited_ids
from motcua.core.models import Role, StaffProfile

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier

AnyUser = AbstractBaseUser | AnonymousUser

# Province-wide, read-only (domain.md §12: oversight sees everything, changes nothing).
READ_ALL_ROLES = frozenset({Role.PROVINCIAL_OFFICE, Role.AUDITOR})
# Roles that act on dossiers (receive, hand over, decide, deliver).
WRITE_ROLES = frozenset({Role.COUNTER_CLERK, Role.SPECIALIST, Role.LEADER, Role.CENTER_MANAGER})
# Roles that work at the counter and so also see what their service center received.
COUNTER_ROLES = frozenset({Role.COUNTER_CLERK, Role.CENTER_MANAGER})
# Roles that decide on a dossier (supplement, extension, result, refusal after appraisal):
# staff of the competent agency, not the counter that merely received it.
DECIDE_ROLES = frozenset({Role.SPECIALIST, Role.LEADER})
LEADER_ROLES = frozenset({Role.LEADER, Role.CENTER_MANAGER, Role.PROVINCIAL_OFFICE})
ALL_ROLES = frozenset(Role)


def staff_profile(user: AnyUser | None) -> StaffProfile | None:
    """The user's staff profile, or None for anonymous users, citizens and inactive accounts.

    Cached on the user object: a request asks several times."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if hasattr(user, "_motcua_staff_profile"):
        cached: StaffProfile | None = user._motcua_staff_profile
        return cached
    profile = StaffProfile.objects.select_related("agency").filter(user_id=user.pk).first()
    setattr(user, "_motcua_staff_profile", profile)  # noqa: B010 (not a declared attribute)
    return profile


def user_role(user: AnyUser | None) -> Role | None:
    profile = staff_profile(user)
    return Role(profile.role) if profile else None


def has_role(user: AnyUser | None, *roles: Role) -> bool:
    role = user_role(user)
    return role is not None and role in roles


def is_staff_member(user: AnyUser | None) -> bool:
    return staff_profile(user) is not None


# Where each kind of account belongs after logging in or out: staff never land in the
# citizen's pages, citizens never in the staff application or the admin.
STAFF_PREFIXES = ("/can-bo/", "/phan-anh/can-bo/", "/quan-tri/")
CITIZEN_PREFIXES = ("/ca-nhan/",)


def is_staff_side(user: AnyUser | None) -> bool:
    """Staff members and administrators (the admin's ``is_staff`` without a profile)."""
    return is_staff_member(user) or bool(getattr(user, "is_staff", False))


def landing_for(user: AnyUser | None, next_url: str, *, default: str) -> str:
    """``next_url`` if it is a page for this kind of account, else ``default``.

    ``next_url`` must already be checked as local (``url_has_allowed_host_and_scheme``)."""
    path = next_url.split("?", 1)[0]
    refused = CITIZEN_PREFIXES if is_staff_side(user) else STAFF_PREFIXES
    if not next_url or path.startswith(refused):
        return default
    return next_url


def agency_subtree(agency: Agency) -> QuerySet[Agency]:
    """The agency and every agency under it.

    One indexed prefix filter over the materialised path when it is kept; otherwise (an
    agency saved without its path, e.g. by a fixture) a walk down ``parent``."""
    if agency.path:
        return Agency.objects.filter(path__startswith=agency.path)
    ids = {agency.pk}
    frontier = [agency.pk]
    while frontier:
        frontier = list(
            Agency.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return Agency.objects.filter(pk__in=ids)


def scope_root(agency: Agency) -> Agency:
    """The agency whose dossiers a member of ``agency`` works on: a unit (phòng) works on its
    parent agency's dossiers, so climb while the agency is a unit."""
    while agency.kind == AgencyKind.UNIT and agency.parent_id is not None:
        parent = agency.parent
        assert parent is not None
        agency = parent
    return agency


def user_agency_scope(user: AnyUser | None) -> QuerySet[Agency]:
    """The agencies whose dossiers the user may see: all of them for the provincial office and
    auditors, their agency's subtree for other staff, none for everyone else."""
    profile = staff_profile(user)
    if profile is None or profile.role == Role.ADMINISTRATOR:
        return Agency.objects.none()
    if profile.role in READ_ALL_ROLES:
        return Agency.objects.all()
    return agency_subtree(scope_root(profile.agency))


def sees_received(profile: StaffProfile) -> bool:
    """Whether the user also sees the dossiers their service center received (not only those
    their agency decides): counter staff, and leaders of a service center."""
    return profile.role in COUNTER_ROLES or (
        profile.role == Role.LEADER and profile.agency.kind == AgencyKind.SERVICE_CENTER
    )


@dataclass(frozen=True)
class ScopeIds:
    """The agencies of a user's scope as literal ids: ``own`` the agency subtree whose
    dossiers they see (and, at a counter, whose received dossiers), ``intake`` the people's
    committee subtree whose online dossiers their one-stop unit checks (empty if none)."""

    own: tuple[int, ...]
    intake: tuple[int, ...]


def _subtree_ids(roots: list[Agency]) -> list[set[int]]:
    """The ids of each root's subtree, in one query on agencies when paths are kept."""
    if all(root.path for root in roots):
        prefixes = Q()
        for root in roots:
            prefixes |= Q(path__startswith=root.path)
        rows = list(Agency.objects.filter(prefixes).values_list("pk", "path"))
        return [{pk for pk, path in rows if path.startswith(root.path)} for root in roots]
    return [set(agency_subtree(root).values_list("pk", flat=True)) for root in roots]


def scope_ids(user: AnyUser | None) -> ScopeIds | None:
    """The user's scope resolved to agency ids; None for oversight roles (everything) and
    users without a profile (nothing: see ``dossier_scope_q``).

    Literal ids, not a join or subquery on the materialised path: the planner then sees
    ``agency_id IN (…)`` and uses the dossier indexes that start with the agency (measured by
    bench/office_pages.py on a million dossiers). Two small queries on agencies (the subtrees;
    the agencies ended by today, whose work may have passed into ``own`` through a merger:
    ``agency_inherited_ids``), cached on the user object like the profile (a request asks
    several times)."""
    profile = staff_profile(user)
    if profile is None or profile.role in READ_ALL_ROLES:
        return None
    if hasattr(user, "_motcua_scope_ids"):
        cached: ScopeIds = getattr(user, "_motcua_scope_ids")  # noqa: B009
        return cached
    root = scope_root(profile.agency)
    committee = intake_root(profile.agency) if sees_received(profile) else None
    roots = [root] if committee is None else [root, committee]
    subtrees = _subtree_ids(roots)
    # After a merger the successor's staff take over its predecessors' dossiers (domain.md §2).
    own = subtrees[0] | agency_inherited_ids(subtrees[0], timezone.localdate())
    ids = ScopeIds(
        own=tuple(sorted(own)),
        intake=tuple(sorted(subtrees[1])) if committee is not None else (),
    )
    setattr(user, "_motcua_scope_ids", ids)  # noqa: B010 (not a declared attribute)
    return ids


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


def scope_branches(user: AnyUser | None, prefix: str = "") -> ScopeBranches | None:
    """The branches of ``user``'s scope; None for oversight roles, who see everything."""
    profile = staff_profile(user)
    if profile is None or profile.role == Role.ADMINISTRATOR:
        # System administrators manage accounts and the catalogue, not cases: no dossier
        # and so no applicant's personal data (domain.md §12, Luật BVDLCN 2025).
        return ScopeBranches(own=Q(pk__in=[]))
    ids = scope_ids(user)
    if ids is None:
        return None
    own = Q(**{f"{prefix}agency_id__in": ids.own})
    if not sees_received(profile):
        return ScopeBranches(own=own)
    intake = None
    if ids.intake:
        # Online dossiers not yet accepted have no receiving unit: the one-stop units of
        # the same people's committee and level check them (ND 118/2025: online intake
        # goes through the one-stop unit of the level that decides).
        intake = Q(
            **{
                f"{prefix}receiving_unit__isnull": True,
                f"{prefix}received_at__isnull": True,
                f"{prefix}level": profile.agency.level,
                f"{prefix}agency_id__in": ids.intake,
            }
        )
    return ScopeBranches(
        own=own, received=Q(**{f"{prefix}receiving_unit_id__in": ids.own}), intake=intake
    )


def dossier_scope_q(user: AnyUser | None, prefix: str = "") -> Q:
    """A ``Q`` over ``Dossier`` fields selecting the dossiers ``user`` may see.

    ``prefix`` lets other models filter through their dossier (``prefix="dossier__"``).
    Usage: ``Dossier.objects.filter(dossier_scope_q(user))``."""
    branches = scope_branches(user, prefix)
    if branches is None:
        return Q()
    q = branches.own
    for branch in (branches.received, branches.intake):
        if branch is not None:
            q |= branch
    return q


def dossier_scope_parts(user: AnyUser | None) -> list[Q]:
    """``dossier_scope_q`` as disjoint parts whose union is the scope: the user's own
    agencies' dossiers; those received by their unit for other agencies; the online ones not
    yet accepted that their one-stop unit checks. A count over the scope is the sum of counts
    over the parts, each of which an index that starts with its column can answer alone (an
    OR of the three makes the databases read every row to test it)."""
    branches = scope_branches(user)
    if branches is None:
        return [Q()]
    # ``received`` and ``intake`` never overlap (a receiving unit, or none).
    others = (branches.received, branches.intake)
    return [branches.own, *(b & ~branches.own for b in others if b is not None)]


def intake_root(agency: Agency) -> Agency | None:
    """The people's committee a one-stop unit serves: its nearest ancestor of that kind."""
    current: Agency | None = agency
    while current is not None and current.kind != AgencyKind.PEOPLE_COMMITTEE:
        current = current.parent
    return current


def can_read(user: AnyUser | None, dossier: Dossier) -> bool:
    from motcua.dossiers.models import Dossier

    if staff_profile(user) is None:
        return False
    return Dossier.objects.filter(pk=dossier.pk).filter(dossier_scope_q(user)).exists()


def can_write(user: AnyUser | None, dossier: Dossier) -> bool:
    """Whether ``user`` may act on ``dossier``: a role that acts, and the dossier in scope.
    The services still decide whether the action itself is allowed in the dossier's state."""
    profile = staff_profile(user)
    if profile is None or profile.role not in WRITE_ROLES:
        return False
    return can_read(user, dossier)


def can_decide(user: AnyUser | None, dossier: Dossier) -> bool:
    """Whether ``user`` may decide on ``dossier``: a specialist or leader of the competent
    agency's subtree (a counter sees the dossiers it received but does not decide them)."""

    profile = staff_profile(user)
    if profile is None or profile.role not in DECIDE_ROLES:
        return False
    ids = scope_ids(user)
    return ids is not None and dossier.agency_id in ids.own


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for the audit trail and the login lockout.

    REMOTE_ADDR, unless the deployment says how many reverse proxies of its own stand in
    front (``MOTCUA["TRUSTED_PROXIES"]``, default 0): then the address the outermost of them
    saw, counted from the right of X-Forwarded-For. Entries further left are the client's
    own claims and never trusted."""
    from django.conf import settings

    address = request.META.get("REMOTE_ADDR") or ""
    proxies = int(getattr(settings, "MOTCUA", {}).get("TRUSTED_PROXIES", 0) or 0)
    if proxies > 0:
        forwarded = [
            a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def staff_required(roles: Iterable[Role] | None = None) -> Callable[[V], V]:
    """View decorator: an anonymous user goes to the login page; a logged-in user who is not
    staff, or whose role is not in ``roles``, gets 403."""
    allowed = frozenset(roles) if roles is not None else ALL_ROLES

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            profile = staff_profile(request.user)
            if profile is None or profile.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def works_at_counter(profile: StaffProfile | None) -> bool:
    """Whether the user works at a one-stop unit's counter: its clerks and managers, and the
    leaders of the service center itself (ND 118/2025 Điều 8: the one-stop unit receives and
    returns). A department's leaders and specialists decide dossiers; they do not receive."""
    if profile is None or profile.agency.kind != AgencyKind.SERVICE_CENTER:
        return False
    return profile.role in COUNTER_ROLES or profile.role == Role.LEADER


def counter_receives(profile: StaffProfile | None, agency_id: int, level: str) -> bool:
    """Whether the user's one-stop unit receives the procedures that ``agency_id`` decides at
    ``level``: those of the people's committee it serves, at its own level (the same rule as
    the online intake queue in ``dossier_scope_q``)."""
    if not works_at_counter(profile):
        return False
    assert profile is not None
    committee = intake_root(profile.agency)
    if committee is None or level != profile.agency.level:
        return False
    return agency_subtree(committee).filter(pk=agency_id).exists()
