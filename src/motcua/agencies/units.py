"""A reference to a unit: an agency of the register, else a free-text label.

Workflow steps, the dossier's current unit and the control slip (form 06) name the unit that
performs or holds something. Most are agencies of the register and are stored as a foreign
key; a few are not (a step performed by "Lãnh đạo Sở", a unit of another province) and keep
the text as written, as a label. A unit given as text (the catalogue's JSON, the history
import, the API's hand-over) is resolved once, when it is written, by ``unit_index``; every
reader then reads the foreign key, and prints ``unit_name``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.db.models import Q

from motcua.agencies.models import Agency


class _HasName(Protocol):
    @property
    def name(self) -> str: ...


class _Named(_HasName, Protocol):
    @property
    def code(self) -> str: ...


A = TypeVar("A", bound=_Named)


def unit_index(agencies: Iterable[A]) -> dict[str, A]:
    """The agencies by the texts that name them, for resolving a unit written as text: its
    code, else its exact name. A code wins over another agency's name; of several agencies
    with the same name, the first given (callers give them in primary-key order) wins."""
    listed = list(agencies)
    index: dict[str, A] = {}
    for agency in listed:
        index.setdefault(agency.name, agency)
    for agency in listed:
        index[agency.code] = agency
    return index


@dataclass(frozen=True)
class UnitRef:
    """A unit as stored: the agency, or (only for a unit outside the register) a label."""

    agency: Agency | None = None
    label: str = ""

    @property
    def name(self) -> str:
        return unit_name(self.agency, self.label)


def unit_resolve(unit: Agency | str | None) -> UnitRef:
    """The unit ``unit`` names: an agency as is; a text by code, then by exact name
    (``unit_index``); other text as the label. Empty text: no unit."""
    if isinstance(unit, Agency):
        return UnitRef(unit)
    text = (unit or "").strip()
    if not text:
        return UnitRef()
    found = unit_index(Agency.objects.filter(Q(code=text) | Q(name=text)).order_by("pk")).get(text)
    return UnitRef(found) if found is not None else UnitRef(label=text)


def unit_name(agency: _HasName | None, label: str) -> str:
    """How a unit is printed (pages, form 06, the API): the agency's name, else the label."""
    return agency.name if agency is not None else label


def unit_key(agency: Agency | None, label: str) -> str:
    """How a unit is written back as text (the catalogue's JSON): the agency's code, else
    the label; resolving it again gives the same unit."""
    return agency.code if agency is not None else label
