"""Build, once at start, what each server process's first request would otherwise build.

A fresh gunicorn worker answered its first page in about 5 s and its first receipt PDF in
about 8 s (issue 16): the URL resolver imports every view module (the API's schemas
included), the templates are compiled on first use, the holiday calendar is computed from
the ``holidays`` package, WeasyPrint loads Pango and fontconfig and the fonts. ``motcua
serve`` loads the application in gunicorn's master (``--preload``) and calls
:func:`warm_up` there, before it forks its workers: every worker starts with all of it
already in memory (shared copy-on-write), and a worker that gunicorn starts again later
costs nothing either.

``core`` knows no domain app: an app adds its own part with a ``warm_up()`` method on its
``AppConfig`` (the calendar, the official forms).
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger(__name__)


def warm_up() -> dict[str, float]:
    """Build what the first requests need; returns seconds per step that succeeded.

    A step that fails is logged and skipped: a server that starts a little slower to
    answer is better than one that does not start."""
    from django.apps import apps
    from django.db import connections

    steps: list[tuple[str, Callable[[], object]]] = [
        ("urls", _urls),
        ("translations", _translations),
        ("templates", _templates),
        ("pdf", _pdf),
    ]
    for config in apps.get_app_configs():
        hook = getattr(config, "warm_up", None)
        if callable(hook):
            steps.append((config.label, hook))
    timings: dict[str, float] = {}
    try:
        for name, step in steps:
            started = time.perf_counter()
            try:
                step()
            except Exception:
                logger.exception("motcua serve: warming up %s failed; skipped", name)
                continue
            timings[name] = time.perf_counter() - started
    finally:
        # Connections must not be shared by the processes forked after this.
        connections.close_all()
    # What is built now lives as long as the process: keep the collector off it, so that the
    # workers' collections do not touch (and copy) the pages they share with the master.
    gc.collect()
    gc.freeze()
    logger.info(
        "motcua serve: warmed up in %.2f s (%s)",
        sum(timings.values()),
        ", ".join(f"{name} {seconds:.2f}" for name, seconds in timings.items()),
    )
    return timings


def _urls() -> None:
    # Resolving imports every URL module and view; reversing builds the reverse index of
    # each namespace.
    from django.urls import get_resolver, reverse

    resolver = get_resolver()
    resolver.resolve("/")
    for namespace in list(resolver.namespace_dict):
        _prefix, sub = resolver.namespace_dict[namespace]
        _ = sub.reverse_dict
    reverse("portal:home")


def _translations() -> None:
    from django.conf import settings
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("")


def _templates() -> None:
    """Compiles the project's templates into the engine's cached loader."""
    from django.template import engines
    from django.template.backends.django import DjangoTemplates

    root = Path(__file__).resolve().parent.parent  # the motcua package
    for engine in engines.all():
        if not isinstance(engine, DjangoTemplates):
            continue
        for directory in engine.template_dirs:
            base = Path(directory)
            if not base.is_dir() or root not in base.resolve().parents:
                continue
            for path in sorted(base.rglob("*.html")):
                engine.get_template(path.relative_to(base).as_posix())


def _pdf() -> None:
    """WeasyPrint (Pango, fontconfig) and the documents' fonts, regular, bold and italic."""
    from motcua.core.documents import html_to_pdf, page_css

    html_to_pdf(
        f"<html lang='vi'><head><style>{page_css()}</style></head>"
        "<body><p>Cộng hòa <b>xã hội</b> <i>chủ nghĩa</i> Việt Nam</p></body></html>"
    )
