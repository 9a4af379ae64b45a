"""Writing the daily rollup (``rollup.models.DayCount``).

Choice (issue 15, the speed of intake): the write path adds the change a save made, as rows
of deltas. Each dossier save the rollup is concerned by gives the keys the dossier counted
under before it (``rollup_state``, read from the database under the service's lock) and the
keys it counts under after; at the end of the service's block (``dossiers.listeners``) the
differences are inserted as new ``DayCount`` and ``MonthCount`` rows (+1, −1), appended,
never updated: no row is read or locked, so receipts at one agency do not queue on its rows,
and the cost of a change does not grow with the day's dossiers. A key's count is the sum of
its rows, which is how every reader reads them (``SUM(n)``). ``rollup_compact`` (the worker's
job, every ten minutes) folds the rows of each key into one again, so that readers stay
fast; ``rollup_rebuild`` recomputes a range of days for every agency from the dossiers
(``motcua rollup rebuild``, after a restore or a fix made outside the services; the history
import calls it for the days it wrote), and so repairs anything a missed hook left wrong.

Before (issues 18/19) the write path recomputed each touched (day, agency) from the dossiers
with the agency's row locked: right whatever happened before, but every receipt re-read the
agency's whole day and receipts at one agency waited on each other to their commit.

The balances follow their months: a change of a month before a checkpoint (a correction of
an older dossier) recomputes the agency's ``MonthBalance`` rows at the later checkpoints from
its ``MonthCount`` rows, with the agency's row locked (the rare path). A change of this
month touches no checkpoint (they count the months before theirs). Checkpoints are added for
every agency at once by ``rollup_rebuild`` and ``rollup_balances_extend`` (the worker's job,
a day after the month began: no change of the month before is still uncommitted then),
never by the write path.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from motcua.agencies.models import Agency
from motcua.core.audit import Actor, audit_log
from motcua.core.config_cache import BALANCES, config_cached, config_changed
from motcua.core.prepared import rows_insert
from motcua.dossiers.classify import LOCAL
from motcua.dossiers.models import DeliveryChannel, Dossier, DossierClass, EndKind
from motcua.rollup.models import Compaction, DayCount, Measure, MonthBalance, MonthCount

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
    "late_reason",
    "late_steps",
)
_FIELD_NAMES = {name.removesuffix("_id") for name in ROLLUP_FIELDS} | set(ROLLUP_FIELDS)

Key = tuple[dt.date, int, int | None, int, str, str, str, str, str, bool, bool, str, str]


def local_day(instant: dt.datetime) -> dt.date:
    return instant.astimezone(LOCAL).date()


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=LOCAL)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def touches_rollup(fields: Iterable[str]) -> bool:
    """Whether saving these fields of a dossier can change the rollup."""
    return any(name in _FIELD_NAMES for name in fields)


def _keys(row: Mapping[str, Any]) -> Iterator[Key]:
    """The rollup keys one dossier (its ``ROLLUP_FIELDS``) counts under."""
    received_at = row["received_at"]
    if received_at is None:  # never received: in no figure
        return
    common = (row["agency_id"], row["receiving_unit_id"], row["field_id"], row["level"])
    yield (
        local_day(received_at),
        *common,
        row["channel"],
        Measure.RECEIVED,
        "",
        "",
        False,
        False,
        "",
        "",
    )
    ended_at = row["ended_at"]
    if ended_at is not None:
        # The late reason and steps are read only for late results (footnote 1).
        late = row["end_kind"] == EndKind.RESULT and row["dossier_class"] == DossierClass.LATE
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
            row["late_reason"] if late else "",
            row["late_steps"] if late else "",
        )


def _count(rows: Iterable[Mapping[str, Any]], keep: Any) -> Counter[Key]:
    """Count ``rows`` under their keys, keeping only keys for which ``keep(day, agency_id)``."""
    counts: Counter[Key] = Counter()
    for row in rows:
        for key in _keys(row):
            if keep(key[0], key[1]):
                counts[key] += 1
    return counts


def _write(counts: Mapping[Key, int], model: Any = DayCount) -> None:
    """Insert a row per key (``DayCount``, or ``MonthCount`` with the month's first day)."""
    rows_insert(
        [
            model(
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
                late_reason=k[11],
                late_steps=k[12],
                n=n,
            )
            for k, n in counts.items()
        ],
        batch_size=2000,
    )


def _rows(qs: QuerySet[Dossier]) -> Iterator[dict[str, Any]]:
    return qs.order_by().values(*ROLLUP_FIELDS).iterator(chunk_size=5000)


Mark = tuple[int, tuple[Key, ...], tuple[Key, ...]]
# Each save's mark is unique (two saves with the same change are two changes).
_SEQUENCE = itertools.count()


def rollup_apply(marks: Iterable[Mark]) -> None:
    """Add the changes of these saves (``rollup_marks``) to the rollup: one row per changed
    key and day in ``DayCount`` and per key and month in ``MonthCount``, with the difference
    (+/−), in the caller's transaction (the service that changed the dossiers); the balances
    of checkpoints after a changed month, if any (the rare path). No row is read or locked on
    the usual path: two appends at once never conflict."""
    delta: Counter[Key] = Counter()
    for _seq, before, after in marks:
        delta.update(after)
        delta.subtract(before)
    changed = {key: n for key, n in delta.items() if n}
    if not changed:
        return
    months: Counter[Key] = Counter()
    for key, n in changed.items():
        months[(month_start(key[0]), *key[1:])] += n
    with transaction.atomic(savepoint=False):
        _write(Counter(changed))
        _write({k: n for k, n in months.items() if n}, MonthCount)
        _balances_follow({(month_start(key[0]), key[1]) for key in changed})


def _balances_follow(months: set[tuple[dt.date, int]]) -> None:
    """Recompute the balances at the checkpoints after each changed (month, agency), if any:
    none for a change of this month (the usual case: one indexed ``MAX``)."""
    latest: dt.date | None = config_cached(
        # Kept per process until a balance is written (core.config_cache, ``BALANCES``).
        "rollup.latest_balance",
        lambda: MonthBalance.objects.aggregate(last=Max("day"))["last"],
        watches=(BALANCES,),
        shared=True,
    )
    this_month = month_start(local_day(timezone.now()))
    older = {(m, a) for m, a in months if (latest is not None and m < latest) or m < this_month}
    if not older:
        return
    if connection.features.has_select_for_update:
        # Two changes of one agency's older months at once, or one and a new checkpoint
        # (``rollup_balances_extend`` locks every agency), would each write balances that
        # miss the other's uncommitted change: the agency rows are locked, in order, so the
        # second waits and then reads the first's committed rows (READ COMMITTED). SQLite has
        # one writer at a time: nothing to lock, no query.
        list(
            Agency.objects.select_for_update()
            .filter(pk__in=sorted({a for _m, a in older}))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    since: dict[int, dt.date] = {}
    for month, agency_id in older:
        since[agency_id] = min(month, since.get(agency_id, month))
    checkpoints = sorted(set(MonthBalance.objects.values_list("day", flat=True).distinct()))
    for agency_id, month in sorted(since.items()):
        later = [c for c in checkpoints if c > month]
        if later:
            MonthBalance.objects.filter(agency_id=agency_id, day__in=later).delete()
            config_changed()
            _write_balances(_balances(later, agency_id))


_KEY = (
    "agency_id",
    "receiving_unit_id",
    "field_id",
    "level",
    "channel",
    "measure",
    "end_kind",
    "dossier_class",
    "postal_delivery",
    "has_apology",
    "late_reason",
    "late_steps",
)


def _months_refresh(pairs: Iterable[tuple[dt.date, int]], *, every_agency: bool = False) -> None:
    """Recompute the ``MonthCount`` rows of these (month, agency) pairs (with
    ``every_agency``, of these months for every agency) from their ``DayCount`` rows."""
    todo = sorted(set(pairs))
    if not todo:
        return
    where, days = Q(), Q()
    for month, agency_id in todo:
        own = Q() if every_agency else Q(agency_id=agency_id)
        where |= Q(day=month) & own
        days |= Q(day__gte=month, day__lt=next_month(month)) & own
    MonthCount.objects.filter(where).delete()
    rows = (
        DayCount.objects.filter(days)
        .order_by()
        .values(*_KEY, "day")
        .annotate(total=Sum("n"))
        .values_list(*_KEY, "day", "total")
    )
    counts: Counter[tuple[Any, ...]] = Counter()
    for *key, day, total in rows.iterator(chunk_size=5000):
        counts[(month_start(day), *key)] += int(total)
    MonthCount.objects.bulk_create(
        [
            MonthCount(day=k[0], **dict(zip(_KEY, k[1:], strict=True)), n=n)
            for k, n in counts.items()
        ],
        batch_size=2000,
    )


BalanceKey = tuple[dt.date, int, int | None, int, str]


def _balances(checkpoints: list[dt.date], agency_id: int | None = None) -> Counter[BalanceKey]:
    """The dossiers open at the start of each checkpoint month, by (month, agency, receiving
    unit, field, level), from ``MonthCount`` (of one agency, or every agency): received
    minus ended in the months before it."""
    out: Counter[BalanceKey] = Counter()
    if not checkpoints:
        return out
    checkpoints = sorted(checkpoints)
    qs = MonthCount.objects.filter(day__lt=checkpoints[-1])
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    rows = (
        qs.order_by()
        .values("day", "agency_id", "receiving_unit_id", "field_id", "level", "measure")
        .annotate(total=Sum("n"))
        .values_list(
            "day", "agency_id", "receiving_unit_id", "field_id", "level", "measure", "total"
        )
    )
    net: dict[dt.date, Counter[tuple[int, int | None, int, str]]] = {}
    for day, agency, unit, field, level, measure, total in rows.iterator(chunk_size=5000):
        sign = 1 if measure == Measure.RECEIVED else -1
        net.setdefault(day, Counter())[(agency, unit, field, level)] += sign * int(total)
    running: Counter[tuple[int, int | None, int, str]] = Counter()
    months = sorted(net)
    i = 0
    for checkpoint in checkpoints:
        while i < len(months) and months[i] < checkpoint:
            running.update(net[months[i]])
            i += 1
        for key, n in running.items():
            if n:
                out[(checkpoint, *key)] = n
    return out


def _write_balances(counts: Counter[BalanceKey]) -> None:
    MonthBalance.objects.bulk_create(
        [
            MonthBalance(
                day=k[0], agency_id=k[1], receiving_unit_id=k[2], field_id=k[3], level=k[4], n=n
            )
            for k, n in counts.items()
        ],
        batch_size=2000,
    )
    config_changed()  # bulk writes send no signal (core.config_cache, ``BALANCES``)


def _month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], month_start(first)
    while month <= last:
        out.append(month)
        month = next_month(month)
    return out


def rollup_balances_extend(until: dt.date) -> int:
    """Add the checkpoints after the last one up to the month of ``until`` (from the month
    after the first with a dossier if there is none yet), for every agency; the number of
    balance rows written. The worker runs it daily (``rollup_balances``): a period starting
    this month then reads one balance row per key and no month before it."""
    made = MonthBalance.objects.aggregate(last=Max("day"))["last"]
    if made is not None and made >= month_start(until):
        return 0  # the usual case: nothing to add, no lock taken
    with transaction.atomic():
        # Every agency's rows locked (in order, as the write path does) so that no agency's
        # recomputation runs between reading the months and writing the new checkpoints.
        list(Agency.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
        first = MonthCount.objects.aggregate(first=Min("day"))["first"]
        if first is None:
            return 0
        last = MonthBalance.objects.aggregate(last=Max("day"))["last"]
        start = next_month(last if last is not None else first)
        new = _month_range(start, month_start(until)) if start <= until else []
        counts = _balances(new)
        _write_balances(counts)
    return len(counts)


def rollup_state(dossier: Dossier) -> dict[str, Any]:
    """What the rollup reads of a dossier as it is in the database (before a change)."""
    return Dossier.objects.filter(pk=dossier.pk).values(*ROLLUP_FIELDS).get()


def rollup_marks(dossier: Dossier, before: Mapping[str, Any] | None) -> list[Mark]:
    """What a dossier just saved changed (``before``: its ``rollup_state`` before the change,
    or None for a new dossier): the keys it counted under before and counts under now, with a
    number of its own. ``rollup_apply`` adds the differences (the dossier services gather a
    transaction's marks and apply them once: ``dossiers.listeners``)."""
    after = {name: getattr(dossier, name) for name in ROLLUP_FIELDS}
    old = tuple(_keys(before)) if before is not None else ()
    return [(next(_SEQUENCE), old, tuple(_keys(after)))]


def rollup_compact() -> int:
    """Fold the rows appended since the last run (``Compaction.last_id`` of each table): the
    rows of every (day, agency) they touched become one row per key with its sum, and a key
    whose sum is 0 keeps no row. Rows appended meanwhile (above the highest id read at the
    start) are left for the next run, so the write path is never waited for; runs of this
    job one at a time (the table's ``Compaction`` row locked). The number of rows removed."""
    removed = 0
    for model in (DayCount, MonthCount):
        with transaction.atomic():
            mark = _compaction_lock()[model._meta.db_table]
            top = model.objects.aggregate(top=Max("id"))["top"]
            if top is None or top <= mark.last_id:
                continue
            pairs = set(
                model.objects.filter(id__gt=mark.last_id, id__lte=top)
                .order_by()
                .values_list("day", "agency_id")
                .distinct()
            )
            for chunk in _chunks(sorted(pairs), 200):
                where = Q()
                for day, agency_id in chunk:
                    where |= Q(day=day, agency_id=agency_id)
                # The rows are read once, with their ids, and only those are deleted: a
                # change that commits between this read and the DELETE (READ COMMITTED: each
                # statement sees the latest commits) keeps its row for the next run, where
                # a DELETE of the pair would have removed it unsummed.
                read = list(
                    model.objects.filter(where, id__lte=top)
                    .order_by()
                    .values_list("id", "day", *_KEY, "n")
                )
                sums: Counter[Key] = Counter()
                for row in read:
                    sums[tuple(row[1:-1])] += int(row[-1])
                folded = {key: n for key, n in sums.items() if n}
                ids = [row[0] for row in read]
                for part in _chunks(ids, 5000):
                    model.objects.filter(id__in=part).delete()
                _write(folded, model)
                removed += len(ids) - len(folded)
            mark.last_id = top
            mark.save(update_fields=["last_id"])
    return removed


def _rebuild_lock() -> None:
    """What a rebuild holds to its commit (PostgreSQL; SQLite has one writer at a time):
    the rollup tables against appends (``SHARE ROW EXCLUSIVE`` waits for the changes being
    appended to commit and holds new ones back, so that a dossier the rebuild counts has no
    appended row it did not see, and none is appended for a dossier it did not see), every
    agency's row against a balance recomputation or a new checkpoint (``_balances_follow``,
    ``rollup_balances_extend``: in pk order, as they lock), and the compaction's rows."""
    _compaction_lock()
    if connection.vendor == "postgresql":
        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table) for m in (DayCount, MonthCount)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
    if connection.features.has_select_for_update:
        list(Agency.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


def _compaction_lock() -> dict[str, Compaction]:
    """Lock the compaction's rows (both tables, in order): a compaction and a rebuild, which
    both delete and rewrite rows of the same days, run one after the other (else the
    compaction could write back the sums of rows the rebuild had just replaced)."""
    for model in (DayCount, MonthCount):
        Compaction.objects.get_or_create(table=model._meta.db_table)
    return {mark.table: mark for mark in Compaction.objects.select_for_update().order_by("table")}


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


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
            _rebuild_lock()
            DayCount.objects.all().delete()
            MonthCount.objects.all().delete()
            MonthBalance.objects.all().delete()
            config_changed()
        return 0
    lasts = [v for v in (bounds["last_received"], bounds["last_ended"]) if v is not None]
    first = date_from or local_day(bounds["first"])
    last = date_to or local_day(max(lasts))
    start, end = _midnight(first), _midnight(last + dt.timedelta(days=1))
    qs = Dossier.objects.filter(received_at__isnull=False).filter(
        Q(received_at__gte=start, received_at__lt=end) | Q(ended_at__gte=start, ended_at__lt=end)
    )
    with transaction.atomic():
        _rebuild_lock()
        DayCount.objects.filter(day__gte=first, day__lte=last).delete()
        counts = _count(_rows(qs), lambda day, _agency: first <= day <= last)
        _write(counts)
        _months_refresh(((m, 0) for m in _month_range(first, last)), every_agency=True)
        _balances_rebuild()
    return len(counts)


def _balances_rebuild() -> None:
    """Every checkpoint from the month after the first with a dossier to the month after the
    last (or the last checkpoint already made, if later), for every agency."""
    bounds = MonthCount.objects.aggregate(first=Min("day"), last=Max("day"))
    made = MonthBalance.objects.aggregate(last=Max("day"))["last"]
    MonthBalance.objects.all().delete()
    config_changed()
    if bounds["first"] is None:
        return
    # Up to this month's checkpoint, not next month's: a checkpoint after this month would
    # make every change of this month recompute its agency's balances (the locked path).
    last = min(next_month(bounds["last"]), month_start(local_day(timezone.now())))
    if made is not None and made > last:
        last = made
    _write_balances(_balances(_month_range(next_month(bounds["first"]), last)))


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
