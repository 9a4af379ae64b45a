"""Reads of the catalogue worth a name: the version in force, diacritic-insensitive search."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.catalog.models import Field, ProcedureVersion
from motcua.core.text import fold


def procedure_versions_in_force(day: dt.date | None = None) -> QuerySet[ProcedureVersion]:
    """Live versions valid on ``day`` (today, local time, by default)."""
    return ProcedureVersion.objects.live().valid_on(day or timezone.localdate())


def procedure_current_version(
    code: str, day: dt.date | None = None, *, agency: Agency | None = None
) -> ProcedureVersion | None:
    """The version of procedure ``code`` in force on ``day`` (today by default), or None.

    The same national code can be performed by several agencies (each district, each
    commune); pass ``agency`` to choose. Without it, and when several agencies perform the
    procedure on that day, the highest-numbered version is returned.
    """
    qs = procedure_versions_in_force(day).filter(procedure__code=code)
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.select_related("procedure", "field", "agency").order_by("-number").first()


def procedure_search(
    text: str,
    *,
    field: Field | str | None = None,
    agency: Agency | None = None,
    day: dt.date | None = None,
) -> QuerySet[ProcedureVersion]:
    """Versions in force on ``day`` whose name contains every word of ``text``, ignoring
    case and diacritics ("giay phep xay dung" finds "Giấy phép xây dựng"), or whose code
    starts with ``text``. ``agency`` limits the search to it and the agencies under it."""
    qs = procedure_versions_in_force(day)
    words = fold(text).split()
    if words:
        by_words = Q()
        for word in words:
            by_words &= Q(search_text__contains=word)
        qs = qs.filter(by_words | Q(procedure__code__startswith=text.strip()))
    if isinstance(field, Field):
        qs = qs.filter(field=field)
    elif field:
        qs = qs.filter(field__name=field)
    if agency is not None:
        qs = qs.filter(agency__path__startswith=agency.path)
    return qs.select_related("procedure", "field", "agency").order_by("procedure__code", "number")
