"""The frame of the public pages, rendered once per language for visitors not signed in.

Rendering the frame around a public page's content (``base.html`` and the portal layout:
header, menu, language switch, footer; some thirty nodes of translated text, addresses and
static links) cost as much CPU as the rest of the public lookup together, the page that has
to stay fast when many citizens follow their dossiers at once.

For a visitor who is not signed in and has no message waiting, the frame depends on the
request only through four values: the page's title, the CSRF token of the language switch
(a POST form), the address the switch returns to, and the page's content. So the frame is
rendered once per (layout, language, menu entry, script prefix) with a placeholder for each
of those four, from a context that holds no request, no user and no messages: nothing of a
visitor can end up in the cached text. Each request then joins the cached text with its own
title, token, address and content, rendered as usual (``render_public``). The result is the
page the template would give (tests compare both). Signed-in people (their name is in the
header) and requests with messages to show get the ordinary rendering.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from motcua.portal.queries import portal_header

LAYOUT = "portal/layout.html"
# Placeholders: plain ASCII that HTML escaping leaves as it is and no page contains.
SLOTS = ("title", "csrf", "next", "content")
_MARKS = {f"motcua-frame-{slot}-7c1e9a": slot for slot in SLOTS}
_SPLIT = re.compile("(" + "|".join(re.escape(mark) for mark in _MARKS) + ")")

# (layout, language, menu entry, script prefix, province, hotline) -> the frame's text split
# at the slots: text, slot, text, slot, ..., text.
_frames: dict[tuple[str, ...], tuple[str, ...]] = {}


def frame_build(layout: str, nav: str) -> tuple[str, ...]:
    """The frame of ``layout`` in the active language, split at the slots."""
    marks = {slot: mark for mark, slot in _MARKS.items()}
    html = render_to_string(
        "portal/frame.html",
        {
            "frame_layout": layout,
            "frame_content": mark_safe(marks["content"]),
            "title": marks["title"],
            "csrf_token": marks["csrf"],
            "lang_next": marks["next"],
            # Not the request: what base.html reads of it, the return address, is a slot.
            "request": {"get_full_path": marks["next"]},
            "nav": nav,
            "user": AnonymousUser(),
            "messages": (),
        },
    )
    pieces = _SPLIT.split(html)
    parts = tuple(_MARKS[piece] if i % 2 else piece for i, piece in enumerate(pieces))
    found = parts[1::2]
    if found.count("content") != 1 or not set(SLOTS) <= set(found):
        # A layout that drops or repeats a slot would give wrong pages: refuse loudly.
        raise ValueError(f"frame of {layout}: slots {found}, expected each of {SLOTS}")
    return parts


def _frame(layout: str, nav: str) -> tuple[str, ...]:
    # The header shows today's province and hotline: a change of either is a new frame.
    header = portal_header()
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = (layout, language, nav, get_script_prefix(), header.province, header.hotline)
    parts = _frames.get(key)
    if parts is None:
        parts = frame_build(layout, nav)
        # While developing, templates change under a running server: no cache then.
        if not settings.DEBUG:
            _frames[key] = parts
    return parts


def _clear(**kwargs: Any) -> None:
    _frames.clear()


# Tests change settings the frame depends on (languages, static files, URLs).
setting_changed.connect(_clear, dispatch_uid="motcua.portal.frame")


def _personal(request: HttpRequest) -> bool:
    """Whether the frame would hold something of this visitor: their name (signed in) or
    messages waiting for them."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    # len() reads the waiting messages without marking them shown.
    return len(get_messages(request)) > 0


def render_public(
    request: HttpRequest,
    template_name: str,
    content_template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """``render(request, template_name, context)`` for a page that extends the portal
    layout and whose content block is ``{% include content_template %}``, with the frame
    from the cache when the visitor is not signed in."""
    if _personal(request):
        return render(request, template_name, context, status=status)
    parts = _frame(LAYOUT, str(context.get("nav", "")))
    values = {
        "title": conditional_escape(context.get("title") or ""),
        "csrf": get_token(request),
        "next": escape(context.get("lang_next") or request.get_full_path()),
        "content": render_to_string(content_template, context, request),
    }
    body = "".join(values[part] if i % 2 else part for i, part in enumerate(parts))
    return HttpResponse(body, status=status)
