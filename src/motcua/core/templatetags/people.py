from typing import Any

from django import template

from motcua.core.people import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user: Any) -> str:
    """``{{ user|person_name }}``: family name first (see motcua.core.people)."""
    return _person_name(user)
