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
writes are shorter than the lag (a service's transaction takes milliseconds). The events
feed counts the lag from when an event row was written (``DossierEvent.recorded_at``), not
from its business time ``at``, which a history import dates in the past.

A longer transaction (the history import: minutes, ``dossiers.importing``) would outlast
the lag. On PostgreSQL the pages also stop before the start of the oldest transaction that
has written and is still open (``write_horizon``): every row it holds, or will write, is
stamped after it began, and every id it draws is drawn after it began, so nothing at or past
that instant is listed until it ends. The import stamps its rows (``updated_at``,
``recorded_at``) when it writes them, inside its transaction. SQLite has one writer at a
time, whose rows are stamped and committed before the next one writes: the lag suffices.
The cost is freshness: a change reaches sync clients ``SYNC_SETTLE`` late, and later while
a long import runs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field

from motcua.api.base import ApiSchema
from motcua.api.errors import FieldInvalid
from motcua.api.limits import BoundedDateTime, BoundedPagination

DEFAULT_SETTLE_SECONDS = 30


def sync_settle() -> dt.timedelta:
    """``MOTCUA["API_SYNC_SETTLE_SECONDS"]`` (default 30)."""
    seconds = getattr(settings, "MOTCUA", {}).get("API_SYNC_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS)
    return dt.timedelta(seconds=float(seconds))


# How far the clocks of the application servers and of the database may disagree (NTP).
CLOCK_MARGIN = dt.timedelta(seconds=2)


def write_horizon() -> dt.datetime | None:
    """PostgreSQL: when the oldest open transaction that has written began (None: none, or
    SQLite). Read on the primary, where the writes are, even when the rows come from a
    replica. The database role must see the other sessions of its own role (it does) or
    have ``pg_read_all_stats`` if the import runs as another role (docs/operations.md)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] is not None else None


def settled_before() -> dt.datetime:
    """Rows written before this instant are committed, and so are all rows that sort
    before them (see the module's docstring). Call it before reading the rows."""
    bound = timezone.now() - sync_settle()
    horizon = write_horizon()
    if horizon is not None:
        bound = min(bound, horizon - CLOCK_MARGIN)
    return bound


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
    settled = settled_before()
    rows = queryset.filter(position, updated_at__lt=settled).order_by("updated_at", "id")
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

    class Output(ApiSchema):
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
