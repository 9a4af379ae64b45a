from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    verbose_name = "Đánh giá, phản ánh kiến nghị"

    def ready(self) -> None:
        checks.register(check_pakn_deadlines)


def check_pakn_deadlines(**kwargs: Any) -> list[checks.CheckMessage]:
    """A mistyped ``MOTCUA_PAKN_DEADLINES`` stops the start, not the first PAKN."""
    from motcua.feedback.deadlines import parse_overrides

    try:
        parse_overrides(str(settings.MOTCUA.get("PAKN_DEADLINES", "")))
    except ValueError as exc:
        return [checks.Error(str(exc), id="motcua.feedback.E001")]
    return []
