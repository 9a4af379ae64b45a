"""The password validators' messages in the user's language.

Django 5.2 rewrote the "too short" message's msgid (``%d`` instead of ``%(min_length)d``)
and its Vietnamese catalogue still carries only the old one, so the registration page in
Vietnamese showed that one message in English. The old msgid is translated in Django's
catalogues (Vietnamese, and English is the msgid itself): use it.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message its Vietnamese catalogue translates."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
