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
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
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
    reads what it needs before the save; ``marks(dossier, before)`` names what a save changed
    (``before`` None: a new dossier), and ``refresh(marks)`` writes it;
    ``imported(since)`` follows a bulk history import of the dossiers created since then. All
    run inside the service's transaction.

    Inside ``save_listeners_batched`` (a service's transaction) the marks of every save are
    gathered and refreshed once when the service's block ends, not once a save."""

    touches: Callable[[Iterable[str]], bool]
    state: Callable[[Dossier], Any]
    marks: Callable[[Dossier, Any], Iterable[Hashable]]
    refresh: Callable[[set[Any]], object]
    imported: Callable[[dt.datetime], object]


_SAVE_LISTENERS: dict[str, SaveListener] = {}

# The marks gathered in the current ``save_listeners_batched`` block (None outside one), by
# listener name. A context variable: each thread (each request, each worker job) its own.
_PENDING: ContextVar[dict[str, set[Any]] | None] = ContextVar(
    "save_listeners_pending", default=None
)


def save_listener_register(name: str, listener: SaveListener) -> None:
    _SAVE_LISTENERS[name] = listener


def save_listeners_before(
    dossier: Dossier, fields: Sequence[str]
) -> list[tuple[str, SaveListener, Any]]:
    """What each listener concerned by a save of ``fields`` reads before it."""
    return [
        (name, lst, lst.state(dossier))
        for name, lst in _SAVE_LISTENERS.items()
        if lst.touches(fields)
    ]


def save_listeners_after(dossier: Dossier, before: list[tuple[str, SaveListener, Any]]) -> None:
    for name, listener, state in before:
        _mark(name, listener, set(listener.marks(dossier, state)))


def created_listeners_run(dossier: Dossier) -> None:
    """A dossier inserted whole (received or submitted in one INSERT)."""
    for name, listener in list(_SAVE_LISTENERS.items()):
        _mark(name, listener, set(listener.marks(dossier, None)))


def _mark(name: str, listener: SaveListener, marks: set[Any]) -> None:
    pending = _PENDING.get()
    if pending is None:
        listener.refresh(marks)  # no service block around the save: now
    else:
        pending.setdefault(name, set()).update(marks)


@contextmanager
def save_listeners_batched() -> Iterator[None]:
    """Gather the listeners' marks of every dossier save in the block and refresh each
    listener once as the block ends, inside the caller's transaction (so a service that saves
    a dossier three times, or several dossiers of one agency's day, writes that day once).

    Use it inside the service's ``atomic`` block (``with transaction.atomic(),
    save_listeners_batched():``); nested, only the outermost refreshes. A block left by an
    exception refreshes nothing: its transaction rolls back. A nested block left by an
    exception drops the marks made inside it, as its savepoint (the service's ``atomic``)
    drops its saves: an outer block that catches the exception and goes on refreshes only
    what was kept (the rollup's marks are changes, ``rollup.services``: a change rolled back
    must not be counted)."""
    outer = _PENDING.get()
    if outer is not None:
        kept = {name: set(marks) for name, marks in outer.items()}
        try:
            yield
        except BaseException:
            outer.clear()
            outer.update(kept)
            raise
        return
    pending: dict[str, set[Any]] = {}
    token = _PENDING.set(pending)
    try:
        yield
    finally:
        _PENDING.reset(token)
    for name, marks in pending.items():
        listener = _SAVE_LISTENERS.get(name)
        if listener is not None and marks:
            listener.refresh(marks)


def import_listeners_run(since: dt.datetime) -> None:
    for listener in list(_SAVE_LISTENERS.values()):
        listener.imported(since)
