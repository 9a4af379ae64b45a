"""Related rows a service already holds, so that whoever shows what it wrote (the API's
201) need not read them back.

Only a service that knows it holds *all* of a relation's rows may hold it: a dossier it has
just created (its parts, its one event, no hand-over), parts it has just written (their
documents).

- A dossier's relations are held beside Django's managers, not in them (``dossier_hold``):
  ``dossier.events.all()`` still reads the database, so that code which changes the dossier
  later through another service and reads its relations again sees the change. They are
  valid for the ``version`` they were held at: any change through the services bumps it
  (``services.base._save`` mirrors it on the caller's instance), and ``dossier_held`` then
  answers None.
- A new part's documents are held as Django's prefetch would (``relation_hold``): the part
  row is the service's own object, which nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from motcua.archive.models import Document
from motcua.dossiers.models import Dossier, DossierEvent, DossierPart, Handover

_HELD = "_motcua_held"


@dataclass(frozen=True)
class HeldDossier:
    """Every part, event, hand-over and document of a dossier at ``version``, each list in
    its model's default order."""

    version: int
    parts: list[DossierPart]
    events: list[DossierEvent]
    handovers: list[Handover]
    documents: list[Document]


def dossier_hold(
    dossier: Dossier,
    *,
    parts: Iterable[DossierPart],
    events: Iterable[DossierEvent],
    handovers: Iterable[Handover],
    documents: Iterable[Document],
) -> None:
    dossier.__dict__[_HELD] = HeldDossier(
        version=dossier.version,
        parts=list(parts),
        events=list(events),
        handovers=list(handovers),
        documents=sorted(documents, key=lambda d: (d.created_at, d.pk), reverse=True),
    )


def dossier_held(dossier: Dossier) -> HeldDossier | None:
    """What a service held of ``dossier`` if it has not changed since; else None."""
    held = dossier.__dict__.get(_HELD)
    if isinstance(held, HeldDossier) and held.version == dossier.version:
        return held
    return None


def relation_hold(instance: models.Model, name: str, objects: Iterable[models.Model]) -> None:
    """Keep ``objects`` as every row of ``instance.<name>`` (a reverse foreign key), in the
    order of the related model's default ordering, which the caller has given them."""
    cache: dict[str, object] = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache.pop(name, None)
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache[name] = queryset


def relations_held(instance: models.Model, *names: str) -> bool:
    """Whether every relation in ``names`` is loaded on ``instance`` (held or prefetched)."""
    cache = instance.__dict__.get("_prefetched_objects_cache", {})
    return all(name in cache for name in names)
