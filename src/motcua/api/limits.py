"""Bounds of the API's inputs: what a client may ask for, refused with 422 beyond.

A page holds at most ``MAX_PAGE`` dossiers (personal data: no "give me everything"), an
offset or an id fits the database's integer, a date lies within ``YEARS`` (Python's and
the databases' dates overflow near year 1 and 9999: a 500 otherwise), and a list in a body
is capped (``MAX_PARTS``, ``MAX_ITEMS``, ``MAX_FILES``) so that one request cannot hold the
write lock for long. The body itself is capped by ``api.middleware`` (413).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from motcua.api.base import ApiSchema

MAX_PAGE = 500
DEFAULT_PAGE = 100
# Larger offsets, ids and versions than any installation will hold, well inside a signed
# 64-bit integer (SQLite and PostgreSQL bigint).
MAX_INT = 2**53
MAX_PARTS = 100
MAX_ITEMS = 50
MAX_FILES = 20
YEARS = (1900, 2100)


def _year_in_range(value: Any) -> Any:
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise PydanticCustomError(
            "date_out_of_range",
            str(_("Năm phải từ {low} đến {high}.")),
            {"low": YEARS[0], "high": YEARS[1]},
        )
    return value


# pydantic also reads a number (or a string of digits) as seconds since 1970: the OpenAPI
# promises ISO 8601 text, so a number is refused (schemathesis sent ``updated_since=0.5``).
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def _iso_text(value: Any) -> Any:
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise PydanticCustomError(
            "date_not_iso", str(_("Phải là ngày (giờ) dạng ISO 8601, ví dụ 2026-10-05."))
        )
    return value


BoundedDate = Annotated[dt.date, BeforeValidator(_iso_text), AfterValidator(_year_in_range)]
BoundedDateTime = Annotated[dt.datetime, BeforeValidator(_iso_text), AfterValidator(_year_in_range)]
BoundedInt = Annotated[int, Field(ge=0, le=MAX_INT)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]


class BoundedPagination(LimitOffsetPagination):
    """``limit`` (1–500, default 100) and ``offset`` (0–2⁵³), 422 beyond."""

    class Input(ApiSchema):
        limit: int = Field(
            DEFAULT_PAGE, ge=1, le=MAX_PAGE, description=f"Số mục mỗi trang, tối đa {MAX_PAGE}"
        )
        offset: int = Field(0, ge=0, le=MAX_INT)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE, **kwargs)
