"""What other apps write in the transaction of a dossier event.

Every dossier event is created by ``services.base._event``; an app that must record
something with it, atomically (the national portal's status queue, ``integrations``),
registers a function here from its ``AppConfig.ready``. The dependency then points from that
app to ``dossiers`` only: ``dossiers`` names none of them. A listener runs inside the
service's transaction, so it must be quick and write only its own rows; an exception rolls
the change back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from motcua.dossiers.models import Dossier, DossierEvent

EventListener = Callable[[DossierEvent], object]

_LISTENERS: dict[str, EventListener] = {}


def event_listener_register(name: str, listener: EventListener) -> None:
    """Call ``listener(event)`` for every dossier event from now on (a name registered
    again replaces the previous listener)."""
    _LISTENERS[name] = listener


def event_listeners_run(event: DossierEvent) -> None:
    for listener in list(_LISTENERS.values()):
        listener(event)


@dataclass(frozen=True)
class SaveListener:
    """An app that keeps something derived from dossiers' columns in step (the daily rollup):
    ``touches(fields)`` says whether a save of those columns concerns it; ``state(dossier)``
    reads what it needs before the save; ``changed(dossier, before)`` follows the save
    (``before`` None: a new dossier); ``imported(since)`` follows a bulk history import of
    the dossiers created since then. All run inside the service's transaction."""

    touches: Callable[[Iterable[str]], bool]
    state: Callable[[Dossier], Any]
    changed: Callable[[Dossier, Any], object]
    imported: Callable[[dt.datetime], object]


_SAVE_LISTENERS: dict[str, SaveListener] = {}


def save_listener_register(name: str, listener: SaveListener) -> None:
    _SAVE_LISTENERS[name] = listener


def save_listeners_before(
    dossier: Dossier, fields: Sequence[str]
) -> list[tuple[SaveListener, Any]]:
    """What each listener concerned by a save of ``fields`` reads before it."""
    return [(lst, lst.state(dossier)) for lst in _SAVE_LISTENERS.values() if lst.touches(fields)]


def save_listeners_after(dossier: Dossier, before: list[tuple[SaveListener, Any]]) -> None:
    for listener, state in before:
        listener.changed(dossier, state)


def created_listeners_run(dossier: Dossier) -> None:
    """A dossier inserted whole (received or submitted in one INSERT)."""
    for listener in list(_SAVE_LISTENERS.values()):
        listener.changed(dossier, None)


def import_listeners_run(since: dt.datetime) -> None:
    for listener in list(_SAVE_LISTENERS.values()):
        listener.imported(since)
