"""Django's PostgreSQL backend, with a cheaper health check of a kept connection.

With ``CONN_HEALTH_CHECKS`` (on by default, settings.py) Django checks a kept connection at
the first query of each request by sending ``SELECT 1``: a round trip, about 1 ms of CPU of
the server and the database per request on two CPUs (a receipt checks two connections, its
own and the one its number is drawn on). The check exists for a connection the server has
closed meanwhile (a restart, ``pg_terminate_backend``, an idle timeout): PostgreSQL then
says why and closes the socket, so the socket has something to read. A kept connection with
nothing to read is therefore taken as it is, without a query; one with something to read
(the server's farewell, a notification) gets Django's ``SELECT 1``, which reads it and says
whether the connection still works. A connection lost without a word (a cable pulled) is
not caught by either before its first query fails: that request fails, and Django closes
the connection at its end (``errors_occurred``), as it does without the check."""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            poll = select.poll()
            poll.register(connection.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
            waiting = poll.poll(0)
        except (OSError, ValueError):
            return False
        if not waiting:
            return True
        return bool(super().is_usable())
