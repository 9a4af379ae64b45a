"""Reads about agencies worth a name: subtrees (now and at a date), the agency a member of
a unit works for, the people's committee a one-stop unit serves, successors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from motcua.agencies.letterheads import committee_place, letterhead_for
from motcua.agencies.models import Agency, AgencyContact, AgencyKind
from motcua.core.config_cache import config_cached
from motcua.core.dbrouter import reads_from_replica


def valid_on_q(day: dt.date, prefix: str = "") -> Q:
    """Rows whose validity period (inclusive, open ends) contains ``day``."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day})
    )


def agency_subtree(agency: Agency) -> QuerySet[Agency]:
    """The agency and everything under it, whatever their validity.

    One indexed prefix filter over the materialised path when it is kept; otherwise (an
    agency saved without its path, e.g. by a fixture) a walk down ``parent``: a prefix
    filter on an empty path would select every agency."""
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


def agency_ancestor_ids(agency_ids: Collection[int]) -> set[int]:
    """The agencies ``agency_ids`` and all their ancestors: the agencies whose subtree holds
    one of them (one query when paths are kept, else a walk up ``parent``)."""
    result: set[int] = set()
    todo: set[int] = set()
    for pk, path, parent_id in Agency.objects.filter(pk__in=agency_ids).values_list(
        "pk", "path", "parent_id"
    ):
        ids = [int(x) for x in path.strip("/").split("/") if x.isdigit()]
        if ids and ids[-1] == pk:
            result.update(ids)
        else:
            result.add(pk)
            if parent_id is not None:
                todo.add(parent_id)
    while todo - result:
        todo -= result
        result |= todo
        todo = set(
            Agency.objects.filter(pk__in=todo, parent_id__isnull=False).values_list(
                "parent_id", flat=True
            )
        )
    return result


def agency_subtree_id_sets(roots: Sequence[Agency]) -> list[set[int]]:
    """The ids of each root's subtree, in one query on agencies when paths are kept (a
    user's scope asks for two or three subtrees at once)."""
    if roots and all(root.path for root in roots):
        prefixes = Q()
        for root in roots:
            prefixes |= Q(path__startswith=root.path)
        rows = list(Agency.objects.filter(prefixes).values_list("pk", "path"))
        return [{pk for pk, path in rows if path.startswith(root.path)} for root in roots]
    return [set(agency_subtree(root).values_list("pk", flat=True)) for root in roots]


def scope_root(agency: Agency) -> Agency:
    """The agency whose dossiers a member of ``agency`` works on: a unit (phòng) works on its
    parent agency's dossiers, so climb while the agency is a unit."""
    while agency.kind == AgencyKind.UNIT and agency.parent_id is not None:
        parent = agency.parent
        assert parent is not None
        agency = parent
    return agency


def intake_root(agency: Agency) -> Agency | None:
    """The people's committee a one-stop unit serves: its nearest ancestor of that kind."""
    current: Agency | None = agency
    while current is not None and current.kind != AgencyKind.PEOPLE_COMMITTEE:
        current = current.parent
    return current


def agency_subtree_at(agency: Agency, day: dt.date) -> QuerySet[Agency]:
    """The agency and everything under it that is valid on ``day``.

    A unit whose parent has expired but which is itself still valid is kept: validity is
    judged per row, the tree shape by the parent links.
    """
    return agency_subtree(agency).filter(valid_on_q(day))


def agency_scope_ids(agency: Agency, *, include_predecessors: bool = False) -> list[int]:
    """Ids of the agency and everything under it, for ``agency_id__in=`` filters in reports
    and access checks.

    With ``include_predecessors`` the subtrees of the agencies it succeeded (recursively,
    e.g. Sở Tài nguyên và Môi trường for Sở Nông nghiệp và Môi trường) are included too, so
    that a report for a merged agency can show the history it inherited.
    """
    roots = [agency]
    if include_predecessors:
        roots = agency_predecessors(agency, include_self=True)
    q = Q()
    for root in roots:
        q |= Q(path__startswith=root.path)
    return list(Agency.objects.filter(q).order_by("id").values_list("id", flat=True))


def agency_predecessors(agency: Agency, *, include_self: bool = False) -> list[Agency]:
    """Every agency whose chain of successors leads to ``agency`` (cycle-safe)."""
    found: list[Agency] = [agency] if include_self else []
    seen = {agency.pk}
    frontier = [agency.pk]
    while frontier:
        batch = list(Agency.objects.filter(successor_id__in=frontier).exclude(pk__in=seen))
        frontier = []
        for pred in batch:
            seen.add(pred.pk)
            found.append(pred)
            frontier.append(pred.pk)
    return found


def agency_current_successor(agency: Agency, day: dt.date | None = None) -> Agency:
    """Follow ``successor`` links from ``agency`` to the agency valid on ``day`` (today by
    default, local time). An agency valid on that day is its own answer; a chain that ends
    without reaching a valid agency returns its last link. A cycle of successors stops at
    the first repeated agency instead of looping."""
    day = day or timezone.localdate()
    current = agency
    seen = {current.pk}
    while not current.is_valid_on(day) and current.successor_id is not None:
        if current.successor_id in seen:
            break
        nxt = current.successor
        assert nxt is not None
        seen.add(nxt.pk)
        current = nxt
    return current


def agency_inherited_ids(subtree_ids: Collection[int], day: dt.date) -> set[int]:
    """Ids of the agencies outside ``subtree_ids`` whose dossiers passed into that subtree
    by ``day`` through a merger (domain.md §2).

    An agency no longer valid on ``day`` hands its work to its successor; one without a
    successor (a unit abolished with its department) to whoever took over its parent. The
    links are followed until an agency valid on ``day`` (or the end of the chain): that is
    the heir, and every agency has exactly one, so no dossier is inherited twice. One query,
    over the agencies that have ended by ``day`` (none before any merger)."""
    return agency_inherited_id_sets([subtree_ids], day)[0]


def agency_inherited_id_sets(
    subtree_id_sets: Sequence[Collection[int]], day: dt.date
) -> list[set[int]]:
    """``agency_inherited_ids`` for several subtrees, with the one query they share."""
    return _inherited(_ended(day), subtree_id_sets)


def _ended(day: dt.date) -> dict[int, int | None]:
    """The agencies ended by ``day``: id → successor, else parent (kept per process while the
    register is unchanged, ``core.config_cache``: every receipt asks it for its actions)."""

    def load() -> dict[int, int | None]:
        return {
            pk: successor_id if successor_id is not None else parent_id
            for pk, successor_id, parent_id in Agency.objects.filter(valid_to__lt=day).values_list(
                "pk", "successor_id", "parent_id"
            )
        }

    return config_cached(("agencies.ended", day), load, shared=True)


def _inherited(
    ended: Mapping[int, int | None], subtree_id_sets: Sequence[Collection[int]]
) -> list[set[int]]:
    """The ended agencies (id → successor, else parent) whose heir is in each subtree."""
    heirs: dict[int, int] = {}
    for pk in ended:
        heir, seen = pk, {pk}
        while heir in ended and ended[heir] is not None and ended[heir] not in seen:
            nxt = ended[heir]
            assert nxt is not None
            heir = nxt
            seen.add(heir)
        heirs[pk] = heir
    found = []
    for subtree_ids in subtree_id_sets:
        inside = set(subtree_ids)
        found.append({pk for pk, heir in heirs.items() if heir in inside and pk not in inside})
    return found


def agency_acting_ids(agency: Agency, *, subtree: bool, day: dt.date) -> set[int]:
    """The agency (with ``subtree``: and everything under it) and the agencies whose work
    passed into those by ``day`` through a merger (``agency_inherited_ids``): the units a
    member acts for. One query: the subtree's rows and the ended agencies read together."""
    if not subtree:
        own = {agency.pk}
        return own | agency_inherited_ids(own, day)
    if not agency.path:
        own = set(agency_subtree(agency).values_list("pk", flat=True))
        return own | agency_inherited_ids(own, day)
    rows = Agency.objects.filter(Q(path__startswith=agency.path) | Q(valid_to__lt=day))
    own, ended = set(), {}
    for pk, path, valid_to, successor_id, parent_id in rows.values_list(
        "pk", "path", "valid_to", "successor_id", "parent_id"
    ):
        if path.startswith(agency.path):
            own.add(pk)
        if valid_to is not None and valid_to < day:
            ended[pk] = successor_id if successor_id is not None else parent_id
    return own | _inherited(ended, [own])[0]


def province_committee_on(day: dt.date) -> Agency | None:
    """The province's people's committee on ``day``: the root committee valid then. Before
    a merger the merged provinces are all valid (Lâm Đồng existed beside Đắk Nông in 2022);
    the register's history is that of the ones merged into today's province, so a root that
    has a successor is preferred, then the lowest code."""
    roots = Agency.objects.filter(
        valid_on_q(day), kind=AgencyKind.PEOPLE_COMMITTEE, parent__isnull=True
    ).order_by(F("successor").desc(nulls_last=True), "code")
    return roots.first()


@dataclass(frozen=True)
class PublicHeader:
    """What the citizen portal's header shows: the province and the number to call."""

    province: str  # "Lâm Đồng"; '' when the register holds no province
    hotline: str  # the provincial one-stop centre's hotline, else its phone; '' if unknown


@reads_from_replica()
def public_header_on(day: dt.date) -> PublicHeader:
    """The province and hotline on ``day``, from the register (after the 2025 merger the
    same database shows "Lâm Đồng" where it showed "Đắk Nông"): the place of the province
    committee's letterhead, and the contact of the one-stop centre directly under it."""
    committee = province_committee_on(day)
    if committee is None:
        return PublicHeader(province="", hotline="")
    province = letterhead_for(committee, day).place or committee_place(committee.name)
    centre = (
        Agency.objects.filter(valid_on_q(day), kind=AgencyKind.SERVICE_CENTER, parent=committee)
        .order_by("code")
        .first()
    )
    return PublicHeader(province=province, hotline=_hotline(centre))


def _hotline(centre: Agency | None) -> str:
    """The centre's hotline, else its phone (``AgencyContact``); '' when none is recorded."""
    if centre is None:
        return ""
    contact = AgencyContact.objects.filter(agency=centre).first()
    if contact is None:
        return ""
    return contact.hotline or contact.phone
