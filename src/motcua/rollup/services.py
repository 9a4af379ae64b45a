"""Writing the daily rollup (``rollup.models.DayCount``).

Choice: the write path marks the (local day, competent agency) pairs a change touches and
recomputes them from the dossiers in the same transaction, rather than adding and
subtracting deltas. A recomputed pair is right whatever happened before (a missed hook, a
bulk import, a correction by hand), and costs two indexed range scans of one agency's day
(``dossier_agency_received``, ``dossier_agency_ended``). ``rollup_rebuild`` recomputes
a range of days for every agency (``motcua rollup rebuild``; the history import calls it for
the days it wrote).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, Q, QuerySet

from motcua.agencies.models import Agency
from motcua.core.audit import Actor, audit_log
from motcua.dossiers.classify import LOCAL
from motcua.dossiers.models import DeliveryChannel, Dossier
from motcua.rollup.models import DayCount, Measure

# The columns of a dossier the rollup reads: a save that changes none of them leaves it as is.
ROLLUP_FIELDS = (
    "agency_id",
    "receiving_unit_id",
    "field_id",
    "level",
    "channel",
    "received_at",
    "ended_at",
    "end_kind",
    "dossier_class",
    "delivery_channel",
    "has_apology",
)
_FIELD_NAMES = {name.removesuffix("_id") for name in ROLLUP_FIELDS} | set(ROLLUP_FIELDS)

Key = tuple[dt.date, int, int | None, int, str, str, str, str, str, bool, bool]


def local_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(LOCAL).date()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL)


def touches_rollup(fields: Iterable[str]) -> bool:
    """Whether saving these fields of a dossier can change the rollup."""
    return any(name in _FIELD_NAMES for name in fields)


def _keys(row: Mapping[str, Any]) -> Iterator[Key]:
    """The rollup keys one dossier (its ``ROLLUP_FIELDS``) counts under."""
    received_at = row["received_at"]
    if received_at is None:  # never received: in no figure
        return
    common = (row["agency_id"], row["receiving_unit_id"], row["field_id"], row["level"])
    yield (local_day(received_at), *common, row["channel"], Measure.RECEIVED, "", "", False, False)
    ended_at = row["ended_at"]
    if ended_at is not None:
        # No ended figure is by channel: leaving it out of the key keeps fewer rows.
        yield (
            local_day(ended_at),
            *common,
            "",
            Measure.ENDED,
            row["end_kind"],
            row["dossier_class"],
            row["delivery_channel"] == DeliveryChannel.POSTAL,
            bool(row["has_apology"]),
        )


def _count(rows: Iterable[Mapping[str, Any]], keep: Any) -> Counter[Key]:
    """Count ``rows`` under their keys, keeping only keys for which ``keep(day, agency_id)``."""
    counts: Counter[Key] = Counter()
    for row in rows:
        for key in _keys(row):
            if keep(key[0], key[1]):
                counts[key] += 1
    return counts


def _write(counts: Counter[Key]) -> None:
    DayCount.objects.bulk_create(
        [
            DayCount(
                day=k[0],
                agency_id=k[1],
                receiving_unit_id=k[2],
                field_id=k[3],
                level=k[4],
                channel=k[5],
                measure=k[6],
                end_kind=k[7],
                dossier_class=k[8],
                postal_delivery=k[9],
                has_apology=k[10],
                n=n,
            )
            for k, n in counts.items()
        ],
        batch_size=2000,
    )


def _rows(qs: QuerySet[Dossier]) -> Iterator[dict[str, Any]]:
    return qs.order_by().values(*ROLLUP_FIELDS).iterator(chunk_size=5000)


def rollup_days_refresh(pairs: Iterable[tuple[dt.date, int]]) -> None:
    """Recompute the rows of these (local day, competent agency) pairs from the dossiers.
    Runs in the caller's transaction (the service that changed the dossier)."""
    todo = sorted(set(pairs))
    if not todo:
        return
    wanted = set(todo)
    with transaction.atomic():
        # Two services recomputing the same agency's day at once would each delete the rows
        # and insert counts that miss the other's uncommitted change (or both sets of rows):
        # the agency rows are locked, in order, so the second waits and then reads the
        # first's committed change (READ COMMITTED takes a new snapshot per statement).
        agency_ids = sorted({agency_id for _day, agency_id in todo})
        list(
            Agency.objects.select_for_update()
            .filter(pk__in=agency_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        where = Q()
        for day, agency_id in todo:
            where |= Q(day=day, agency_id=agency_id)
        DayCount.objects.filter(where).delete()
        dossiers = Q()
        for day, agency_id in todo:
            start, end = _midnight(day), _midnight(day + dt.timedelta(days=1))
            dossiers |= Q(agency_id=agency_id, received_at__gte=start, received_at__lt=end)
            dossiers |= Q(agency_id=agency_id, ended_at__gte=start, ended_at__lt=end)
        qs = Dossier.objects.filter(dossiers, received_at__isnull=False)
        _write(_count(_rows(qs), lambda day, agency_id: (day, agency_id) in wanted))


def _pairs(row: Mapping[str, Any]) -> set[tuple[dt.date, int]]:
    return {(key[0], key[1]) for key in _keys(row)}


def rollup_state(dossier: Dossier) -> dict[str, Any]:
    """What the rollup reads of a dossier as it is in the database (before a change)."""
    return Dossier.objects.filter(pk=dossier.pk).values(*ROLLUP_FIELDS).get()


def rollup_dossier_changed(dossier: Dossier, before: Mapping[str, Any] | None) -> None:
    """Bring the rollup in step with a dossier just saved (``before``: its ``rollup_state``
    before the change, or None for a new dossier): the days it counted under before and
    counts under now are recomputed."""
    after = {name: getattr(dossier, name) for name in ROLLUP_FIELDS}
    pairs = _pairs(after)
    if before is not None:
        pairs |= _pairs(before)
    rollup_days_refresh(pairs)


def rollup_rebuild_audited(
    *, actor: Actor, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> int:
    """``rollup_rebuild`` for an operator (``motcua rollup rebuild``), audited."""
    with transaction.atomic():
        rows = rollup_rebuild(date_from, date_to)
        audit_log(
            actor=actor,
            action="rollup.rebuild",
            object_type="rollup",
            object_id="-",
            data={
                "from": date_from.isoformat() if date_from else None,
                "to": date_to.isoformat() if date_to else None,
                "rows": rows,
            },
        )
    return rows


def rollup_rebuild(date_from: dt.date | None = None, date_to: dt.date | None = None) -> int:
    """Recompute every row of the local days ``[date_from, date_to]`` (open ends: every day
    with a dossier) from the dossiers, in one transaction; the number of rows written."""
    bounds = Dossier.objects.filter(received_at__isnull=False).aggregate(
        first=Min("received_at"), last_received=Max("received_at"), last_ended=Max("ended_at")
    )
    if bounds["first"] is None:
        with transaction.atomic():
            DayCount.objects.all().delete()
        return 0
    lasts = [v for v in (bounds["last_received"], bounds["last_ended"]) if v is not None]
    first = date_from or local_day(bounds["first"])
    last = date_to or local_day(max(lasts))
    start, end = _midnight(first), _midnight(last + dt.timedelta(days=1))
    qs = Dossier.objects.filter(received_at__isnull=False).filter(
        Q(received_at__gte=start, received_at__lt=end) | Q(ended_at__gte=start, ended_at__lt=end)
    )
    with transaction.atomic():
        DayCount.objects.filter(day__gte=first, day__lte=last).delete()
        counts = _count(_rows(qs), lambda day, _agency: first <= day <= last)
        _write(counts)
    return len(counts)


def rollup_rebuild_since(instant: dt.datetime) -> int:
    """Rebuild the days of the dossiers created since ``instant`` (after a bulk import)."""
    qs = Dossier.objects.filter(created_at__gte=instant, received_at__isnull=False)
    b = qs.aggregate(
        first=Min("received_at"), last_received=Max("received_at"), last_ended=Max("ended_at")
    )
    if b["first"] is None:
        return 0
    lasts = [v for v in (b["last_received"], b["last_ended"]) if v is not None]
    return rollup_rebuild(local_day(b["first"]), local_day(max(lasts)))
