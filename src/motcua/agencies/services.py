"""Writes to agencies: the one place that keeps the materialised ``path`` right.

``Agency.path`` holds the ids of the agency's ancestors and itself (``/1/5/17/``), so that
"this agency and everything under it" is a single indexed prefix filter. Every create,
re-parenting or bulk import goes through here so that the paths never drift.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.agencies.models import Agency, AgencyKind, Letterhead
from motcua.core.config_cache import config_changed

# Fields that agency_update accepts (the admin passes the changed ones).
UPDATABLE_FIELDS = {
    "code",
    "name",
    "short_name",
    "level",
    "kind",
    "parent",
    "valid_from",
    "valid_to",
    "successor",
}


def _path_of(agency: Agency, parent: Agency | None) -> str:
    return f"{parent.path if parent is not None else '/'}{agency.pk}/"


def _check_parent(agency: Agency, parent: Agency | None) -> None:
    """Refuse a parent that is the agency itself or one of its descendants (a cycle)."""
    if parent is None or agency.pk is None:
        return
    if parent.pk == agency.pk or (agency.path and parent.path.startswith(agency.path)):
        raise ValidationError(
            _("Không thể đặt %(parent)s làm cơ quan cấp trên của %(agency)s: tạo thành vòng lặp.")
            % {"parent": parent, "agency": agency}
        )


def _check_validity(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("Ngày hết hiệu lực phải sau hoặc bằng ngày bắt đầu hiệu lực."))


@transaction.atomic
def agency_create(
    *,
    code: str,
    name: str,
    level: str,
    kind: str = AgencyKind.DEPARTMENT,
    parent: Agency | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    successor: Agency | None = None,
    short_name: str = "",
) -> Agency:
    """Create an agency under ``parent`` with its path set."""
    _check_validity(valid_from, valid_to)
    agency = Agency.objects.create(
        code=code,
        name=name,
        short_name=short_name,
        level=level,
        kind=kind,
        parent=parent,
        valid_from=valid_from,
        valid_to=valid_to,
        successor=successor,
    )
    agency.path = _path_of(agency, parent)
    agency.save(update_fields=["path"])
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, **changes: Any) -> Agency:
    """Change the given fields of ``agency``; when the parent changes, the paths of the
    agency and of everything under it are rewritten in the same transaction."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise TypeError(f"agency_update: unknown fields {sorted(unknown)}")
    old_path = agency.path
    if "parent" in changes:
        _check_parent(agency, changes["parent"])
    if changes.get("successor") is not None and changes["successor"].pk == agency.pk:
        raise ValidationError(_("Cơ quan không thể là cơ quan kế thừa của chính nó."))
    _check_validity(
        changes.get("valid_from", agency.valid_from), changes.get("valid_to", agency.valid_to)
    )
    changed = [name for name, value in changes.items() if getattr(agency, name) != value]
    for name in changed:
        setattr(agency, name, changes[name])
    if "parent" in changed:
        agency.path = _path_of(agency, agency.parent)
        changed.append("path")
    if changed:
        agency.save(update_fields=changed)
    if agency.path != old_path and old_path:
        _rewrite_descendants(old_path, agency.path)
    return agency


def _rewrite_descendants(old_prefix: str, new_prefix: str) -> None:
    descendants = list(Agency.objects.filter(path__startswith=old_prefix).exclude(path=new_prefix))
    for child in descendants:
        child.path = new_prefix + child.path[len(old_prefix) :]
    Agency.objects.bulk_update(descendants, ["path"])
    config_changed()  # bulk writes send no signal (core.config_cache)


def agency_paths_rebuild() -> int:
    """Recompute every path from the parent links and save only those that differ.

    Used after a bulk import, where parents may be written after their children. Returns the
    number of rows updated. Raises ``ValidationError`` on a cycle of parents.
    """
    by_id = {a.pk: a for a in Agency.objects.all()}
    computed: dict[int, str] = {}

    def path_for(agency_id: int, seen: frozenset[int] = frozenset()) -> str:
        if agency_id in computed:
            return computed[agency_id]
        if agency_id in seen:
            raise ValidationError(
                _("Vòng lặp cơ quan cấp trên tại %(code)s.") % {"code": by_id[agency_id].code}
            )
        agency = by_id[agency_id]
        parent_path = (
            "/" if agency.parent_id is None else path_for(agency.parent_id, seen | {agency_id})
        )
        computed[agency_id] = f"{parent_path}{agency_id}/"
        return computed[agency_id]

    changed = []
    for agency_id, agency in by_id.items():
        path = path_for(agency_id)
        if agency.path != path:
            agency.path = path
            changed.append(agency)
    if changed:
        Agency.objects.bulk_update(changed, ["path"])
        config_changed()  # bulk writes send no signal (core.config_cache)
    return len(changed)


LETTERHEAD_FIELDS = ("superior", "unit_name", "place_name", "head_title", "abbreviation")


@transaction.atomic
def letterhead_save(
    *, agency: Agency, valid_from: dt.date | None, values: dict[str, str]
) -> tuple[Letterhead, bool]:
    """Record what ``agency``'s documents print from ``valid_from`` on (None: from the
    start): the row of that date is created or changed, earlier rows are kept so that
    earlier documents print as they were. Returns the row and whether anything changed."""
    unknown = set(values) - set(LETTERHEAD_FIELDS)
    if unknown:
        raise TypeError(f"letterhead_save: unknown fields {sorted(unknown)}")
    row = Letterhead.objects.filter(agency=agency, valid_from=valid_from).first()
    if row is None:
        return Letterhead.objects.create(agency=agency, valid_from=valid_from, **values), True
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if changed:
        row.save(update_fields=changed)
    return row, bool(changed)
