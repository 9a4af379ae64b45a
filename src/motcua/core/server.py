"""The gunicorn worker behind `motcua serve`.

gunicorn's threaded worker hands every new connection to a thread at once, and that thread
waits up to 5 seconds for the first request before it gives the connection back to the
event loop. A browser that opens a connection ahead of time (preconnect), a slow mobile
link, or anyone who opens connections and sends nothing thus holds the few threads of a
worker while requests that have arrived on other connections queue behind them.

This worker puts a new connection on the event loop first, like a kept-alive one, and gives
it to a thread only once its request has started to arrive: threads only ever run requests.
A connection that sends nothing within gunicorn's own wait (5 s, or the keep-alive time if
longer) is closed.
"""

from __future__ import annotations

import errno
import selectors
import socket
import time
from functools import partial

from gunicorn.workers import gthread

# How long gunicorn's own worker waits for a new connection's first request.
FIRST_REQUEST_WAIT = float(getattr(gthread, "DEFAULT_WORKER_DATA_TIMEOUT", 5.0))


class ThreadWorker(gthread.ThreadWorker):
    def accept(self, listener: socket.socket) -> None:
        if not hasattr(self, "pending_conns"):  # older gunicorn: no queue of waiting connections
            super().accept(listener)
            return
        try:
            client_sock, client_addr = listener.accept()
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = gthread.TConn(
            self.cfg, client_sock, client_addr, listener.getsockname()
        )  # non-blocking
        # The same deadline for every entry keeps pending_conns sorted, as murder_pending
        # expects.
        conn.timeout = time.monotonic() + max(self.cfg.keepalive, FIRST_REQUEST_WAIT)
        self.pending_conns.append(conn)
        self.poller.register(
            client_sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )
