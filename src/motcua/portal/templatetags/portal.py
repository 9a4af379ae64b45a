"""Template helpers shared by the portal's and the PAKN's public pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString

from motcua.agencies.queries import PublicHeader
from motcua.core.access import is_staff_side
from motcua.core.oidc import CITIZEN, oidc_enabled
from motcua.portal import queries

register = template.Library()


@register.filter
def staff_side(user: Any) -> bool:
    """Staff browsing the public pages get a way back to their application, not the
    citizen's own pages."""
    return is_staff_side(user)


@register.simple_tag
def portal_header() -> PublicHeader:
    """Today's province and hotline (``portal.queries.portal_header``)."""
    return queries.portal_header()


@register.filter
def tel_href(number: str) -> str:
    """'1900 0000' -> 'tel:19000000' (a phone dials the digits and a leading +)."""
    return "tel:" + "".join(c for c in number if c.isdigit() or c == "+")


@register.simple_tag
def vneid_enabled() -> bool:
    """Whether citizens may sign in with VNeID (``MOTCUA_OIDC_*`` set)."""
    return oidc_enabled(CITIZEN)


@register.filter
def described(field: BoundField) -> SafeString:
    """The field's widget tied to its help text and errors (``aria-describedby``), and
    marked invalid after a failed submission: a screen reader reads why, not just where."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-help")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    attrs: dict[str, Any] = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def code_nowrap(code: str) -> SafeString:
    """A dossier code in running text or a heading, kept on one line: its dots and hyphens
    are break opportunities, and "000.00.19.H18-" / "261207-0001" on two lines reads as two
    codes."""
    return format_html('<span class="code-nowrap">{}</span>', code)
