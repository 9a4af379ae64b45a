"""Template helpers shared by the portal's and the PAKN's public pages."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.core.access import is_staff_side

register = template.Library()


@register.filter
def staff_side(user: Any) -> bool:
    """Staff browsing the public pages get a way back to their application, not the
    citizen's own pages."""
    return is_staff_side(user)
