"""The gunicorn worker and access log behind `motcua serve`.

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
from datetime import timedelta
from functools import partial
from typing import Any

from gunicorn import glogging
from gunicorn.config import AccessLogFormat
from gunicorn.workers import gthread

from motcua.core.secret_urls import redact

# How long gunicorn's own worker waits for a new connection's first request.
FIRST_REQUEST_WAIT = float(getattr(gthread, "DEFAULT_WORKER_DATA_TIMEOUT", 5.0))


def application(usage: str, prog: str) -> Any:
    """gunicorn's application for `motcua serve`: with ``--preload`` it loads the WSGI
    application in the master and warms it up there (motcua.core.warmup), before forking."""
    from gunicorn.app import wsgiapp

    class Application(wsgiapp.WSGIApplication):
        def load_wsgiapp(self) -> Any:
            app = super().load_wsgiapp()
            if self.cfg.preload_app:
                from motcua.core.warmup import warm_up

                warm_up()
            return app

    return Application(usage, prog=prog)


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


# The access log writes addresses without their secrets (the receipt's QR code, the rating and
# PAKN follow links, the counter tablet's address): whoever reads the server's log must not be
# able to follow every dossier looked up. Which parts are secret: core.secret_urls.


def _quoted(value: str) -> str:
    # As gunicorn's own log: a double quote in a logged value cannot end its field.
    return value.replace('"', '\\"')


class _Headers:
    """What gunicorn's log reads of a request: its headers."""

    def __init__(self, headers: list[tuple[str, str]]) -> None:
        self.headers = headers


class AccessLogger(glogging.Logger):
    """gunicorn's access log line (Apache's "combined" format) without secrets.

    With gunicorn's default format the line is built directly: gunicorn builds a dictionary
    of every request header, response header and environment variable for each request to
    fill whatever format is configured, which cost a fifth of the server's CPU time per
    request on a small page (0.2 ms of 1 ms, measured with a no-op application). Another
    format (``--access-logformat``) is gunicorn's work, from a redacted address."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        if self.cfg.access_log_format != AccessLogFormat.default:
            environ = {
                **environ,
                "RAW_URI": redact(environ.get("RAW_URI", "")),
                "PATH_INFO": redact(environ.get("PATH_INFO", "")),
                "QUERY_STRING": redact("?" + environ.get("QUERY_STRING", ""))[1:],
                "HTTP_REFERER": redact(environ.get("HTTP_REFERER", "-")),
            }
            headers = [(name, redact(value)) for name, value in getattr(req, "headers", [])]
            super().access(resp, _Headers(headers), environ, request_time)
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        sent = "-" if sent is None else sent
        user = self._get_user(environ) or "-"
        uri = _quoted(redact(environ["RAW_URI"]))
        referer = _quoted(redact(environ.get("HTTP_REFERER", "-")))
        agent = _quoted(environ.get("HTTP_USER_AGENT", "-"))
        line = (
            f"{environ.get('REMOTE_ADDR', '-')} - {user} {self.now()} "
            f'"{environ["REQUEST_METHOD"]} {uri} {environ["SERVER_PROTOCOL"]}" {status} {sent} '
            f'"{referer}" "{agent}"'
        )
        try:
            self.access_log.info(line)
        except Exception:
            self.exception("access log")
