"""Incremental sync: what changed since a client last asked.

``GET /api/dossiers?updated_since=…`` (or ``?cursor=…``) pages the dossiers in (updated_at,
id) order; each page's ``next`` is an opaque cursor, the position after its last item. A
dossier changed after it was returned moves past the cursor and comes again: the client keeps
the newest copy. ``GET /api/events?after=<id>`` pages the dossier events by id.

Why a settle lag (``SYNC_SETTLE``): ``updated_at`` (and an event's id) is taken when a
transaction writes, but the row is seen only when it commits. A transaction that wrote at T
and committed after another that wrote at T+1 would be skipped by a client that had read up
to T+1 in between. So a page only holds rows written at least ``SYNC_SETTLE`` ago: every
transaction that could still commit a row before the cursor has ended by then, as long as
writes are shorter than the lag (a service's transaction takes milliseconds; the SQLite busy
timeout and a PostgreSQL intake are far below 30 s). A monotonic sequence column would not
help by itself (a sequence is also drawn before the commit) and would add a write to every
service; PostgreSQL's transaction snapshots could make it exact, SQLite has no equivalent. The
cost is freshness: a change reaches sync clients ``SYNC_SETTLE`` late.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from motcua.api.errors import FieldInvalid
from motcua.api.limits import BoundedDateTime, BoundedPagination

DEFAULT_SETTLE_SECONDS = 30


def sync_settle() -> dt.timedelta:
    """``MOTCUA["API_SYNC_SETTLE_SECONDS"]`` (default 30)."""
    seconds = getattr(settings, "MOTCUA", {}).get("API_SYNC_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS)
    return dt.timedelta(seconds=float(seconds))


def settled_before() -> dt.datetime:
    """Rows written before this instant are committed (see the module's docstring)."""
    return timezone.now() - sync_settle()


def cursor_encode(updated_at: dt.datetime, pk: int) -> str:
    text = f"1|{updated_at.astimezone(dt.UTC).isoformat()}|{pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[dt.datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, at, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        if version != "1":
            raise ValueError(version)
        updated_at = dt.datetime.fromisoformat(at)
        if timezone.is_naive(updated_at):
            raise ValueError(at)
        return updated_at, int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise FieldInvalid(
            ("query", "cursor"), _("Con trỏ không hợp lệ: dùng đúng giá trị next đã nhận.")
        ) from exc


def dossiers_changed_page(
    queryset: QuerySet[Any],
    *,
    updated_since: dt.datetime | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    """One page of ``queryset`` in (updated_at, id) order after the cursor (or from
    ``updated_since``, inclusive), settled rows only; ``next`` is where the following page
    starts (the same position when the page is empty: poll again with it later)."""
    if cursor:
        at, pk = cursor_decode(cursor)
        position = Q(updated_at__gt=at) | Q(updated_at=at, id__gt=pk)
        start = cursor
    else:
        assert updated_since is not None
        since = updated_since
        if timezone.is_naive(since):
            since = timezone.make_aware(since)
        position = Q(updated_at__gte=since)
        # Just before ``since``: the next page starts at it, inclusive.
        start = cursor_encode(since - dt.timedelta(microseconds=1), 2**63 - 1)
    rows = queryset.filter(position, updated_at__lt=settled_before()).order_by("updated_at", "id")
    items = list(rows[:limit])
    last = items[-1] if items else None
    return {
        "items": items,
        "count": len(items),
        "next": cursor_encode(last.updated_at, last.pk) if last is not None else start,
    }


class DossierPagination(BoundedPagination):
    """``limit``/``offset`` pages, newest first; or, with ``updated_since`` or ``cursor``,
    the sync pages of ``dossiers_changed_page`` with their ``next``."""

    class Input(BoundedPagination.Input):
        updated_since: BoundedDateTime | None = Field(
            None,
            description=(
                "Đồng bộ: hồ sơ thay đổi từ thời điểm này (ISO 8601), xếp theo updated_at, id; "
                "trang sau lấy bằng cursor = next"
            ),
        )
        cursor: str | None = Field(
            None, max_length=200, description="Đồng bộ: giá trị next của trang trước"
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description="Tổng số hồ sơ khớp bộ lọc; khi đồng bộ: số hồ sơ của trang này"
        )
        next: str | None = Field(
            None,
            description=(
                "Khi đồng bộ: con trỏ của trang sau (gửi lại bằng cursor=; trang rỗng thì "
                "giữ nguyên vị trí để hỏi lại sau); null khi phân trang limit/offset"
            ),
        )

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        if pagination.cursor or pagination.updated_since:
            if pagination.offset:
                raise FieldInvalid(
                    ("query", "offset"),
                    _("Khi đồng bộ (updated_since, cursor) không dùng offset: dùng cursor."),
                )
            return dossiers_changed_page(
                queryset,
                updated_since=pagination.updated_since,
                cursor=pagination.cursor,
                limit=min(pagination.limit, self.max_limit),
            )
        page: dict[str, Any] = super().paginate_queryset(
            queryset, pagination, request=request, **params
        )
        return {**page, "next": None}
