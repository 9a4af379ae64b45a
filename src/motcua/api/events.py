"""The events feed: every dossier event the caller may see, in id order, paged by ``after``.

An event's id is stable and never reused; a client stores the ``next`` of the last page and
asks again with ``after=<next>``. The same settle lag as the dossiers' sync (``api.sync``),
counted from when each event was written (not its business time ``at``), and on PostgreSQL
the start of the oldest open writing transaction, keep a page from running past an event
whose transaction has not committed yet."""

# No ``from __future__ import annotations``: ninja reads ``Query[EventFeedIn]`` at import time.
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from ninja import Query, Router

from motcua.api.auth import STAFF_AUTH
from motcua.api.models import Scope
from motcua.api.schemas import ErrorOut, EventFeedIn, EventFeedOut
from motcua.api.scopes import require_scope
from motcua.api.sync import settled_before
from motcua.core.dbrouter import reads_from_replica
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.queries import dossiers_visible_to, event_item

router = Router(auth=STAFF_AUTH, tags=["Sự kiện"])


@router.get(
    "",
    response={200: EventFeedOut, 401: ErrorOut, 422: ErrorOut},
    summary="Dòng sự kiện hồ sơ trong phạm vi của tài khoản (theo id tăng dần)",
    description=(
        "Mọi sự kiện của các hồ sơ tài khoản được xem, sau sự kiện có id = after. Trang sau: "
        "after = next. Chỉ trả về sự kiện đã ghi xong (trễ vài chục giây, xem docs/api.md)."
    ),
)
@require_scope(Scope.READ)
def event_feed(request: HttpRequest, params: Query[EventFeedIn]) -> dict[str, Any]:
    user: AbstractBaseUser = request.auth  # type: ignore[attr-defined]
    visible = dossiers_visible_to(user).values("pk")
    # Taken before the rows are read: what commits after this is written after it.
    settled = settled_before()
    # A replica may serve the feed (core.dbrouter): its lag stays well under the settle lag.
    with reads_from_replica():
        rows = list(
            DossierEvent.objects.filter(id__gt=params.after, dossier__in=visible)
            .select_related("dossier", "actor")
            .order_by("id")[: params.limit]
        )
    # Stop before the first event that may have an uncommitted predecessor. Events written
    # before ``recorded_at`` existed have none: long settled.
    for index, event in enumerate(rows):
        if event.recorded_at is not None and event.recorded_at >= settled:
            rows = rows[:index]
            break
    return {
        "items": [event_item(e) for e in rows],
        "next": rows[-1].pk if rows else params.after,
    }
