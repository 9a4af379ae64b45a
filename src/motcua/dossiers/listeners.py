"""What other apps write in the transaction of a dossier event.

Every dossier event is created by ``services.base._event``; an app that must record
something with it, atomically (the national portal's status queue, ``integrations``),
registers a function here from its ``AppConfig.ready``. The dependency then points from that
app to ``dossiers`` only: ``dossiers`` names none of them. A listener runs inside the
service's transaction, so it must be quick and write only its own rows; an exception rolls
the change back.
"""

from __future__ import annotations

from collections.abc import Callable

from motcua.dossiers.models import DossierEvent

EventListener = Callable[[DossierEvent], object]

_LISTENERS: dict[str, EventListener] = {}


def event_listener_register(name: str, listener: EventListener) -> None:
    """Call ``listener(event)`` for every dossier event from now on (a name registered
    again replaces the previous listener)."""
    _LISTENERS[name] = listener


def event_listeners_run(event: DossierEvent) -> None:
    for listener in list(_LISTENERS.values()):
        listener(event)
