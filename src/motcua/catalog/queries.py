"""Reads of the catalogue worth a name: the version in force, tolerant search."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.catalog.models import Field, Part, ProcedureVersion, WorkflowStep
from motcua.core.config_cache import config_cached
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
    day = day or timezone.localdate()
    agency_id = agency.pk if agency is not None else None

    def load() -> ProcedureVersion | None:
        qs = procedure_versions_in_force(day).filter(procedure__code=code)
        if agency_id is not None:
            qs = qs.filter(agency_id=agency_id)
        return qs.select_related("procedure", "field", "agency").order_by("-number").first()

    # Kept per process while the catalogue is unchanged (core.config_cache): every receipt
    # of the day asks the same.
    return config_cached(("catalog.current_version", code, day, agency_id), load)


def version_parts(version: ProcedureVersion) -> list[Part]:
    """The parts of ``version``'s dossier, in their order (kept like the version)."""
    pk = version.pk
    return config_cached(("catalog.parts", pk), lambda: list(Part.objects.filter(version_id=pk)))


def version_steps(version: ProcedureVersion) -> list[WorkflowStep]:
    """The steps of ``version``'s workflow, in their order (kept like the version)."""
    pk = version.pk
    return config_cached(
        ("catalog.steps", pk), lambda: list(WorkflowStep.objects.filter(version_id=pk))
    )


def procedure_search(
    text: str,
    *,
    field: Field | str | None = None,
    agency: Agency | None = None,
    day: dt.date | None = None,
) -> QuerySet[ProcedureVersion]:
    """Versions in force on ``day`` matching ``text``, ignoring case and diacritics ("giay
    phep xay dung" finds "Giấy phép xây dựng") and spaces ("khaisinh" finds "Đăng ký khai
    sinh"): the name contains every word, or the name without spaces contains the text
    without spaces, or the code starts with the text. ``agency`` limits the search to it and
    the agencies under it.

    Ordered best first: the exact name or code, then names starting with the text, then
    names containing it as one phrase, then the rest; by code within each. The portal search
    and ``GET /api/procedures?q=`` both call this.
    """
    qs = procedure_versions_in_force(day)
    folded = fold(text)
    compact = folded.replace(" ", "")
    code = text.strip()
    if compact:
        by_words = Q()
        for word in folded.split():
            by_words &= Q(search_text__contains=word)
        qs = qs.filter(
            by_words | Q(search_compact__contains=compact) | Q(procedure__code__istartswith=code)
        ).annotate(
            rank=Case(
                When(Q(search_compact=compact) | Q(procedure__code__iexact=code), then=0),
                When(
                    Q(search_compact__startswith=compact) | Q(procedure__code__istartswith=code),
                    then=1,
                ),
                When(Q(search_text__contains=folded) | Q(search_compact__contains=compact), then=2),
                default=3,
                output_field=IntegerField(),
            )
        )
    else:
        qs = qs.annotate(rank=Value(0, output_field=IntegerField()))
    if isinstance(field, Field):
        qs = qs.filter(field=field)
    elif field:
        qs = qs.filter(field__name=field)
    if agency is not None:
        qs = qs.filter(agency__path__startswith=agency.path)
    return qs.select_related("procedure", "field", "agency").order_by(
        "rank", "procedure__code", "number", "id"
    )
