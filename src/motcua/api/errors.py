"""An input field the API itself refuses (an unknown procedure code, an unknown part)."""

from __future__ import annotations

from collections.abc import Sequence


class FieldInvalid(Exception):
    """Answered 422 with ``loc`` as the field's path (``("body", "procedure")``)."""

    def __init__(self, loc: Sequence[str | int], message: str) -> None:
        self.loc = tuple(loc)
        self.message = message
        super().__init__(message)
