"""Who may receive a procedure at a counter: the one rule, and the reason when not.

A one-stop point (a service centre, Trung tâm Phục vụ hành chính công, or a commune's Bộ phận
Một cửa) receives:

- the procedures of the people's committee it serves, at its own level (ND 118/2025 Điều 8:
  the one-stop unit of each level receives that level's procedures), as it always did;
- any procedure on the province's list of procedures received regardless of administrative
  boundaries, whichever level and committee decide it, when the point is in the same province
  (ND 118/2025: "tiếp nhận không phụ thuộc vào địa giới hành chính"; the list is published by
  a decision of the chairman of the provincial People's Committee and applies from its date,
  until a later decision takes the procedure off: ``catalog.models.ProvinceWideListing``).

``intake_refusal`` states it over plain values (``IntakePoint``, ``IntakeProcedure``: no
database), so that it is tested over its cases alone; ``point_refusal``,
``receivable_versions`` and ``receiving_points`` build those values from the register for the
service (``dossier_receive``), the counter page, the API and the portal's "where to submit".
The dossier received elsewhere still belongs to the competent agency (its code, its workflow,
its figures); the receiving point is ``Dossier.receiving_unit``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.agencies.models import Agency, AgencyKind, Level
from motcua.agencies.queries import valid_on_q
from motcua.catalog.models import ProcedureVersion, ProvinceWideListing
from motcua.core.config_cache import config_cached


class Refusal(enum.StrEnum):
    """Why a point may not receive a procedure."""

    NOT_ONE_STOP = "not_one_stop"
    POINT_CLOSED = "point_closed"
    NOT_LISTED = "not_listed"
    LISTED_LATER = "listed_later"
    OTHER_PROVINCE = "other_province"


@dataclass(frozen=True)
class IntakePoint:
    """A unit asked to receive, as the rule reads it. ``committee_id``: the people's committee
    it serves (its nearest ancestor of that kind); ``province_id``: the provincial people's
    committee above it."""

    id: int
    name: str
    kind: str
    level: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    committee_id: int | None
    committee_name: str
    province_id: int | None


@dataclass(frozen=True)
class IntakeProcedure:
    """A procedure version, as the rule reads it. ``ancestry``: the ids of the competent
    agency and of every agency above it."""

    name: str
    agency_name: str
    level: str
    ancestry: frozenset[int]
    province_id: int | None
    province_wide: bool = False
    decision: str = ""
    decided_on: dt.date | None = None
    listed_until: dt.date | None = None


@dataclass(frozen=True)
class Listing:
    """A procedure's row on its province's boundary-free list: the decision, the first and
    the last day (None: until a later decision)."""

    decision: str
    valid_from: dt.date
    valid_to: dt.date | None = None


def listing_on(listings: Iterable[Listing], day: dt.date) -> Listing | None:
    """The listing that judges ``day``: the one in force (the latest decision when several
    are), else the next one to come (so that the refusal can say from when), else None."""
    rows = list(listings)
    current = [
        row
        for row in rows
        if row.valid_from <= day and (row.valid_to is None or day <= row.valid_to)
    ]
    if current:
        return max(current, key=lambda row: row.valid_from)
    later = [row for row in rows if row.valid_from > day]
    return min(later, key=lambda row: row.valid_from) if later else None


@dataclass(frozen=True)
class Refused:
    """The answer "no", with its reason: ``code`` for programs, ``message`` for people."""

    code: Refusal
    message: str

    def __str__(self) -> str:
        return self.message


def _level(level: str) -> str:
    return str(Level(level).label).lower() if level in Level.values else level


def receives_own(point: IntakePoint, procedure: IntakeProcedure) -> bool:
    """The point serves the committee that decides the procedure, at the procedure's level."""
    return (
        point.committee_id is not None
        and point.committee_id in procedure.ancestry
        and point.level == procedure.level
    )


def intake_refusal(point: IntakePoint, procedure: IntakeProcedure, day: dt.date) -> Refused | None:
    """Why ``point`` may not receive ``procedure`` on ``day``; None when it may."""
    if point.kind != AgencyKind.SERVICE_CENTER:
        # ND 118/2025 Điều 8: dossiers are received at the one-stop unit.
        return Refused(
            Refusal.NOT_ONE_STOP,
            _(
                "%(point)s không phải Bộ phận Một cửa hay Trung tâm Phục vụ hành chính công: "
                "chỉ các đơn vị này tiếp nhận hồ sơ."
            )
            % {"point": point.name},
        )
    if (point.valid_from is not None and day < point.valid_from) or (
        point.valid_to is not None and day > point.valid_to
    ):
        return Refused(
            Refusal.POINT_CLOSED,
            _("%(point)s không hoạt động vào ngày %(day)s; không tiếp nhận hồ sơ.")
            % {"point": point.name, "day": f"{day.day}/{day.month}/{day.year}"},
        )
    if receives_own(point, procedure):
        return None
    listed_later = (
        procedure.province_wide and procedure.decided_on is not None and day < procedure.decided_on
    )
    ended = (
        procedure.province_wide
        and procedure.listed_until is not None
        and day > procedure.listed_until
    )
    listed_now = procedure.province_wide and not listed_later and not ended
    same_province = point.province_id is not None and point.province_id == procedure.province_id
    if listed_now and same_province:
        return None
    facts = {
        "name": procedure.name,
        "agency": procedure.agency_name,
        "level": _level(procedure.level),
        "point": point.name,
        "committee": point.committee_name or point.name,
        "point_level": _level(point.level),
        "decision": procedure.decision,
        "from": (
            f"{procedure.decided_on.day}/{procedure.decided_on.month}/{procedure.decided_on.year}"
            if procedure.decided_on
            else ""
        ),
    }
    if procedure.province_wide and not ended and not same_province:
        return Refused(
            Refusal.OTHER_PROVINCE,
            _(
                "Thủ tục “%(name)s” do %(agency)s giải quyết, thuộc tỉnh khác: danh mục tiếp "
                "nhận không phụ thuộc địa giới hành chính chỉ áp dụng trong tỉnh đã công bố. "
                "%(point)s chỉ tiếp nhận thủ tục của tỉnh mình."
            )
            % facts,
        )
    if listed_later:
        return Refused(
            Refusal.LISTED_LATER,
            _(
                "Thủ tục “%(name)s” được tiếp nhận không phụ thuộc địa giới hành chính từ ngày "
                "%(from)s (Quyết định số %(decision)s); trước ngày đó %(point)s chỉ tiếp nhận "
                "thủ tục của %(committee)s ở %(point_level)s."
            )
            % facts,
        )
    return Refused(
        Refusal.NOT_LISTED,
        _(
            "Thủ tục “%(name)s” do %(agency)s giải quyết ở %(level)s và không thuộc danh mục "
            "thủ tục tiếp nhận không phụ thuộc địa giới hành chính của tỉnh. %(point)s chỉ "
            "tiếp nhận thủ tục của %(committee)s ở %(point_level)s."
        )
        % facts,
    )


# --- from the register ------------------------------------------------------------------------


def _path_ids(agency: Agency) -> list[int]:
    """The ids from the root down to ``agency``: its materialised path, else a walk up."""
    if agency.path:
        return [int(part) for part in agency.path.strip("/").split("/") if part]
    ids: list[int] = []
    current: Agency | None = agency
    while current is not None and current.pk not in ids:
        ids.insert(0, current.pk)
        current = current.parent
    return ids


@dataclass(frozen=True)
class _Row:
    kind: str
    level: str
    name: str


def _rows(paths: Iterable[Sequence[int]]) -> dict[int, _Row]:
    ids = frozenset(pk for path in paths for pk in path)

    def load() -> dict[int, _Row]:
        return {
            pk: _Row(kind, level, name)
            for pk, kind, level, name in Agency.objects.filter(pk__in=ids).values_list(
                "pk", "kind", "level", "name"
            )
        }

    # Kept per process while the register is unchanged (core.config_cache).
    return config_cached(("intake_points.rows", ids), load, shared=True)


def _committee(path: Sequence[int], rows: dict[int, _Row]) -> int | None:
    """The nearest people's committee on the path, from the bottom."""
    return next(
        (
            pk
            for pk in reversed(path)
            if pk in rows and rows[pk].kind == AgencyKind.PEOPLE_COMMITTEE
        ),
        None,
    )


def _province(path: Sequence[int], rows: dict[int, _Row]) -> int | None:
    """The provincial people's committee on the path."""
    return next(
        (
            pk
            for pk in path
            if pk in rows
            and rows[pk].kind == AgencyKind.PEOPLE_COMMITTEE
            and rows[pk].level == Level.PROVINCE
        ),
        None,
    )


def _point(agency: Agency, path: Sequence[int], rows: dict[int, _Row]) -> IntakePoint:
    committee = _committee(path, rows)
    return IntakePoint(
        id=agency.pk,
        name=agency.name,
        kind=agency.kind,
        level=agency.level,
        valid_from=agency.valid_from,
        valid_to=agency.valid_to,
        committee_id=committee,
        committee_name=rows[committee].name if committee is not None else "",
        province_id=_province(path, rows),
    )


def _listings(pairs: Iterable[tuple[int | None, int]]) -> dict[tuple[int, int], list[Listing]]:
    """The boundary-free listings of these (province, procedure) pairs (one query)."""
    wanted = {(province, procedure) for province, procedure in pairs if province is not None}
    if not wanted:
        return {}

    def load() -> dict[tuple[int, int], list[Listing]]:
        found: dict[tuple[int, int], list[Listing]] = {}
        rows = ProvinceWideListing.objects.filter(
            province_id__in={p for p, _ in wanted}, procedure_id__in={c for _, c in wanted}
        ).values_list("province_id", "procedure_id", "decision", "valid_from", "valid_to")
        for province, procedure, decision, valid_from, valid_to in rows:
            if (province, procedure) in wanted:
                found.setdefault((province, procedure), []).append(
                    Listing(decision, valid_from, valid_to)
                )
        return found

    # Kept per process while the catalogue is unchanged (core.config_cache).
    return config_cached(("intake_points.listings", frozenset(wanted)), load, shared=True)


def _procedure(
    version: ProcedureVersion,
    path: Sequence[int],
    rows: dict[int, _Row],
    listings: dict[tuple[int, int], list[Listing]] | None = None,
    day: dt.date | None = None,
) -> IntakeProcedure:
    province = _province(path, rows)
    listing = None
    if day is not None and province is not None:
        if listings is None:
            listings = _listings([(province, version.procedure_id)])
        listing = listing_on(listings.get((province, version.procedure_id), []), day)
    return IntakeProcedure(
        name=version.name,
        agency_name=version.agency.name,
        level=version.level,
        ancestry=frozenset(path),
        province_id=province,
        province_wide=listing is not None,
        decision=listing.decision if listing else "",
        decided_on=listing.valid_from if listing else None,
        listed_until=listing.valid_to if listing else None,
    )


def province_wide_listing(version: ProcedureVersion, day: dt.date) -> Listing | None:
    """The listing of ``version``'s procedure on its province's boundary-free list in force
    on ``day`` (or the next to come), for pages that name the decision."""
    path = _path_ids(version.agency)
    procedure = _procedure(version, path, _rows([path]), day=day)
    if not procedure.province_wide:
        return None
    assert procedure.decided_on is not None
    return Listing(procedure.decision, procedure.decided_on, procedure.listed_until)


def point_refusal(agency: Agency, version: ProcedureVersion, day: dt.date) -> Refused | None:
    """``intake_refusal`` for a unit of the register and a version (two small queries)."""
    point_path, version_path = _path_ids(agency), _path_ids(version.agency)
    rows = _rows([point_path, version_path])
    return intake_refusal(
        _point(agency, point_path, rows), _procedure(version, version_path, rows, day=day), day
    )


def received_elsewhere(agency: Agency, version: ProcedureVersion) -> bool:
    """Whether ``agency`` received ``version`` outside its own committee and level: through
    the province's boundary-free list (the receipt then names the competent agency too)."""
    point_path, version_path = _path_ids(agency), _path_ids(version.agency)
    rows = _rows([point_path, version_path])
    return not receives_own(
        _point(agency, point_path, rows), _procedure(version, version_path, rows)
    )


def receivable_versions(
    agency: Agency, versions: Iterable[ProcedureVersion], day: dt.date
) -> list[ProcedureVersion]:
    """The versions among ``versions`` that ``agency`` may receive on ``day``, in order (one
    query on agencies for them all)."""
    versions = list(versions)
    point_path = _path_ids(agency)
    paths = {v.pk: _path_ids(v.agency) for v in versions}
    rows = _rows([point_path, *paths.values()])
    point = _point(agency, point_path, rows)
    listings = _listings((_province(paths[v.pk], rows), v.procedure_id) for v in versions)
    return [
        v
        for v in versions
        if intake_refusal(point, _procedure(v, paths[v.pk], rows, listings, day), day) is None
    ]


def receiving_points(version: ProcedureVersion, day: dt.date) -> list[Agency]:
    """The one-stop points of the competent agency's province that may receive ``version``
    on ``day``: its own committee's at its level first, then the others by name."""
    version_path = _path_ids(version.agency)
    rows = _rows([version_path])
    province = _province(version_path, rows) or (version_path[0] if version_path else None)
    if province is None:
        return []
    root = Agency.objects.get(pk=province)
    candidates = list(
        Agency.objects.filter(kind=AgencyKind.SERVICE_CENTER)
        .filter(valid_on_q(day))
        .filter(path__startswith=root.path if root.path else "/")
    )
    point_paths = {c.pk: _path_ids(c) for c in candidates}
    rows = _rows([version_path, *point_paths.values()])
    procedure = _procedure(version, version_path, rows, day=day)
    points = {c.pk: _point(c, point_paths[c.pk], rows) for c in candidates}
    found = [c for c in candidates if intake_refusal(points[c.pk], procedure, day) is None]
    found.sort(key=lambda c: (not receives_own(points[c.pk], procedure), c.name))
    return found
