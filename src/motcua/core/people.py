"""People's names in Vietnamese order.

Convention of the whole system (and of Django's Vietnamese admin, whose labels are "Họ" for
``last_name`` and "Tên" for ``first_name``): ``last_name`` holds the family and middle names
("Trần Văn"), ``first_name`` the given name ("Bình"), and a name is printed family name first
("Trần Văn Bình") — not Django's Western ``get_full_name()`` ("Bình Trần Văn").
"""

from __future__ import annotations

from typing import Any


def person_name(user: Any) -> str:
    """The user's name in Vietnamese order, or the username when no name is recorded."""
    if user is None:
        return ""
    parts = (getattr(user, "last_name", "") or "", getattr(user, "first_name", "") or "")
    name = " ".join(p.strip() for p in parts if p.strip())
    if name:
        return name
    get_username = getattr(user, "get_username", None)
    return str(get_username()) if callable(get_username) else ""
