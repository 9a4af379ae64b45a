"""Indicators of a year to date (domain.md §8, indicators.md): seed section V and QĐ 766.

Every indicator carries its numerator and denominator; the rate is ``pct`` (half up, two
decimals) or ``None`` when the data for it does not exist in the system ("no data"), which is
said in ``note``. Choices where indicators.md leaves room:

- Year to date: ``[1 January, to]`` in whole local days; ``to`` defaults to 31 December, or
  today if the year is not over.
- Procedures "in force": versions valid on ``to`` (and not superseded), counted by procedure
  code, at the version's level; with a scope, versions whose competent agency is in it.
- 1.3.4 "crosses levels": a linked procedure whose workflow has a step whose unit is the code
  of an agency of another level than the procedure's.
- 1.4.1–1.4.3: dossiers received in the year and resolved (ended by a result) by the end, by
  the dossier's level; on time = early + on time.
- 1.4.4: late dossiers resolved in the year to date (ended in it), whatever their receipt.
- 2.2.1: procedures in force with partial or full online service that received at least one
  online dossier in the year to date.
- 2.2.2 is reported as the seed states it, "x % TTHC được giải quyết trực tuyến": procedures
  in force (by procedure and level, as 1.3.1) of which at least one online dossier was resolved
  in the year to date / procedures in force. The indicator's name speaks of dossiers, and
  indicators.md counts online dossiers resolved / dossiers resolved: that share is kept beside
  it as ``dossiers`` (with ``by_level``). The seed's 3,8 % cannot be a dossier share — section III
  has 78 % of the centre's dossiers online — while 2.2.1 (4,3 % of the online services) and
  2.2.2 (3,8 % of all procedures) read together as procedure shares.
- QĐ 766 "dossiers filed online": online dossiers / received in the year to date.
- QĐ 766 progress: (resolved early or on time in the year + in progress within due at the end)
  / (resolved in the year + in progress at the end), with the in-progress rules of §7.
- Scores: ``min(rate / threshold, 1) × points`` with the weights of ``IndicatorWeight``
  (editable); an indicator without data scores ``None`` and its points are reported as not
  available in the group.
- QĐ 766 "digitised": resolved dossiers (ended by a result in the year to date) whose every
  part has a stored document and whose result is a stored document / resolved. A dossier
  recorded without parts has nothing left on paper: only its result decides. "Reused":
  received dossiers with at least one part reused (at the counter, online or by the API) /
  received. "Electronic result": resolved dossiers whose result is a stored document (kind
  result) / resolved, whatever the procedure's ``electronic_result`` flag says.
- Ratings: points obtained / points possible over the ratings given in the year, without
  the contents answered "Không áp dụng"; a negative rating is a content at 0 points.
- PAKN (1.5 and satisfaction): read through ``motcua.feedback.queries.pakn_counts(start, end,
  agency_ids)``, a plain import (feedback does not import reports, so there is no cycle).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from motcua.agencies.models import Agency, Level
from motcua.archive.models import Document, DocumentKind
from motcua.catalog.models import OnlineLevel, ProcedureVersion, WorkflowStep
from motcua.core.formatting import pct
from motcua.dossiers.classify import LOCAL
from motcua.dossiers.models import Channel, Dossier, DossierClass, DossierPart, EndKind
from motcua.feedback.queries import pakn_counts
from motcua.fees.models import Method, Payment, PaymentStatus
from motcua.integrations.models import PortalPush, PushStatus
from motcua.integrations.queue import portal_sync_enabled
from motcua.reports.models import IndicatorWeight
from motcua.reports.period import counts_received, scope_agency_ids
from motcua.reports.queries import (
    _grouped_counts,
    agency_subtree_ids,
    figures_from_counts,
    local_midnight,
    make_period,
    period_figures,
    scoped_dossiers,
)

LEVELS: list[str] = [Level.PROVINCE, Level.DISTRICT, Level.COMMUNE]
NO_DATA = "no data"


def _synced(received: QuerySet[Dossier]) -> dict[str, Any]:
    """QĐ 766 "dossiers synchronised to the national portal": of ``received``, those whose
    latest status pushed to the portal (``integrations.PortalPush``) was accepted by it. A
    dossier never pushed, or whose latest status is still waiting or failed, does not count.
    Without a national portal link and with nothing ever pushed, the system does not know
    (the province may synchronise another way): no rate rather than 0 %."""
    if not portal_sync_enabled() and not PortalPush.objects.exists():
        return ratio(None, None, "synchronisation is not recorded (no national portal link)")
    latest = PortalPush.objects.filter(dossier=OuterRef("pk")).order_by("-id").values("status")
    synced = (
        received.annotate(portal_latest=Subquery(latest[:1]))
        .filter(portal_latest=PushStatus.SENT)
        .count()
    )
    return ratio(synced, received.count(), SYNCED_NOTE)


SYNCED_NOTE = "received dossiers whose latest status the portal accepted"


def ratio(numerator: int | None, denominator: int | None, note: str = "") -> dict[str, Any]:
    """An indicator's rate with its parts; no rate (``None``) without data or with nothing to
    divide by (0 of 0 is not 0 %, nor 100 %)."""
    if numerator is None or denominator is None:
        rate = None
        note = note or NO_DATA
    elif denominator == 0:
        rate = None
        note = note or "denominator is 0"
    else:
        rate = float(pct(numerator, denominator))
    out: dict[str, Any] = {"numerator": numerator, "denominator": denominator, "rate": rate}
    if note:
        out["note"] = note
    return out


def _versions_in_force(day: dt.date, agency_ids: list[int] | None) -> QuerySet[ProcedureVersion]:
    qs = ProcedureVersion.objects.filter(
        (Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )
    if any(f.name == "superseded_at" for f in ProcedureVersion._meta.get_fields()):
        # A corrected catalogue keeps the replaced rows (catalog app): count the live ones.
        qs = qs.filter(**{"superseded_at__isnull": True})
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=agency_ids)
    return qs.order_by()


def _by_level_counts(
    rows: Sequence[Mapping[str, Any]], levels: Sequence[str], num: str, den: str
) -> dict[str, dict[str, Any]]:
    out = {}
    for level in levels:
        n = sum(r[num] for r in rows if r["level"] == level)
        d = sum(r[den] for r in rows if r["level"] == level)
        out[level] = ratio(n, d)
    return out


def _online_paid(dossiers: Any, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """QĐ 766: of the dossiers received in the period that owe a fee (assessed at intake,
    above 0 đ), those whose fee was paid online (a paid online payment, ``fees``)."""
    owing = dossiers.filter(received_at__gte=start, received_at__lt=end, fee_total__gt=0)
    paid = owing.filter(
        pk__in=Payment.objects.filter(method=Method.ONLINE, status=PaymentStatus.PAID).values(
            "dossier_id"
        )
    )
    return ratio(paid.count(), owing.count())


def _pakn(start: dt.datetime, end: dt.datetime, agency_ids: list[int] | None) -> Any:
    """The feedback app's counts (``feedback.queries.pakn_counts``)."""
    return pakn_counts(start, end, agency_ids)


def _year_bounds(year: int, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    date_from = dt.date(year, 1, 1)
    if date_to is None:
        today = timezone.now().astimezone(LOCAL).date()
        date_to = min(dt.date(year, 12, 31), today) if today.year == year else dt.date(year, 12, 31)
    return date_from, date_to


VERSION_COLUMNS = (
    "id",
    "procedure_id",
    "level",
    "one_stop",
    "linked",
    "online",
    "national_portal",
    "online_payment",
    "fee",
)
DURATION = ExpressionWrapper(F("ended_at") - F("received_at"), output_field=DurationField())
ON_TIME = Q(dossier_class__in=[DossierClass.EARLY, DossierClass.ON_TIME])
RESOLVED_COUNTS: dict[str, Any] = {
    "resolved": Count("pk"),
    "online": Count("pk", filter=Q(channel=Channel.ONLINE)),
    "late": Count("pk", filter=Q(dossier_class=DossierClass.LATE)),
    "late_apology": Count("pk", filter=Q(dossier_class=DossierClass.LATE, has_apology=True)),
}


def _crossing(versions: Sequence[Mapping[str, Any]]) -> set[int]:
    """1.3.4: the versions whose workflow has a step at a unit of another level (of these,
    ``_assemble`` keeps those of linked procedures)."""
    crossing: set[int] = set()
    for version_id, unit_level, level in WorkflowStep.objects.filter(
        version_id__in=[v["id"] for v in versions], unit__isnull=False
    ).values_list("version_id", "unit__level", "version__level"):
        if unit_level != level:
            crossing.add(version_id)
    return crossing


def indicators_for_year(
    *,
    year: int,
    date_to: dt.date | None = None,
    agency: Agency | None = None,
    source: str = "dossiers",
) -> dict[str, Any]:
    """Seed section V indicators and the QĐ 766 groups for ``year`` to ``date_to``; the
    period figures among them counted on the dossiers or, ``source="rollup"``, read from the
    rollup (the same numbers: ``period_figures``). Many agencies at once:
    ``indicators_for_agencies``."""
    date_from, date_to = _year_bounds(year, date_to)
    period = make_period(date_from, date_to)
    start, end = period.start, period.end
    agency_ids = agency_subtree_ids(agency) if agency is not None else None
    # The year's dossiers of agencies merged into the scope by ``date_to`` are its own now,
    # as in period_figures.
    dossiers = scoped_dossiers(agency, date_to)
    versions = list(_versions_in_force(date_to, agency_ids).values(*VERSION_COLUMNS))
    received = dossiers.filter(received_at__gte=start, received_at__lt=end)
    resolved_in_year = dossiers.filter(
        end_kind=EndKind.RESULT, ended_at__gte=start, ended_at__lt=end
    )
    return _assemble(
        year=year,
        date_from=date_from,
        date_to=date_to,
        versions=versions,
        crossing=_crossing(versions),
        present_levels=set(
            dossiers.filter(received_at__lt=end).values_list("level", flat=True).distinct()
        ),
        with_online_dossier=set(
            received.filter(channel=Channel.ONLINE)
            .values_list("procedure_version__procedure_id", "level")
            .distinct()
        ),
        resolved_online=set(
            resolved_in_year.filter(channel=Channel.ONLINE)
            .values_list("procedure_version__procedure_id", "level")
            .distinct()
        ),
        received_in_year_resolved=list(
            received.filter(end_kind=EndKind.RESULT, ended_at__lt=end)
            .values("level")
            .annotate(resolved=Count("pk"), on_time=Count("pk", filter=ON_TIME))
        ),
        resolved_rows=list(
            resolved_in_year.values("level").annotate(
                **RESOLVED_COUNTS, electronic=Count("pk", filter=Q(Exists(_result_document())))
            )
        ),
        figures=period_figures(date_from=date_from, date_to=date_to, agency=agency, source=source),
        average=resolved_in_year.aggregate(d=Avg(DURATION))["d"],
        digitised=_digitised_count(resolved_in_year),
        reused=(
            DossierPart.objects.filter(reused=True, dossier__in=received)
            .values("dossier_id")
            .distinct()
            .count()
        ),
        synced=_synced(received),
        online_paid=_online_paid(dossiers, start, end),
        pakn=_pakn(start, end, agency_ids),
    )


def _assemble(
    *,
    year: int,
    date_from: dt.date,
    date_to: dt.date,
    versions: Sequence[Mapping[str, Any]],
    crossing: set[int],
    present_levels: set[str],
    with_online_dossier: set[tuple[int, str]],
    resolved_online: set[tuple[int, str]],
    received_in_year_resolved: Sequence[Mapping[str, Any]],
    resolved_rows: Sequence[Mapping[str, Any]],
    figures: dict[str, Any],
    average: dt.timedelta | None,
    digitised: int,
    reused: int,
    synced: dict[str, Any],
    online_paid: dict[str, Any],
    pakn: Any,
) -> dict[str, Any]:
    """The indicators and scores of one scope from the counts read for it."""
    # One row per (procedure, level): a procedure performed at two levels counts at each.
    procs: dict[tuple[int, str], dict[str, Any]] = {}
    for v in versions:
        key = (v["procedure_id"], v["level"])
        procs.setdefault(key, {**v, "version_ids": []})["version_ids"].append(v["id"])
    present = sorted(
        {lv for _, lv in procs} | present_levels,
        key=lambda lv: LEVELS.index(lv) if lv in LEVELS else 99,
    )
    levels = [lv for lv in LEVELS if lv in present or lv != Level.DISTRICT]

    online_capable = {k for k, p in procs.items() if p["online"] != OnlineLevel.NONE}
    linked_version_ids = {vid for p in procs.values() if p["linked"] for vid in p["version_ids"]}
    crossing = crossing & linked_version_ids

    def per_level(predicate_num: Any, predicate_den: Any) -> dict[str, Any]:
        by_level = {}
        for level in levels:
            keys = [k for k in procs if k[1] == level and predicate_den(k)]
            by_level[level] = ratio(sum(1 for k in keys if predicate_num(k)), len(keys))
        keys = [k for k in procs if predicate_den(k)]
        return {**ratio(sum(1 for k in keys if predicate_num(k)), len(keys)), "by_level": by_level}

    def total(rows: Sequence[Mapping[str, Any]], key: str) -> int:
        return sum(int(r[key]) for r in rows)

    on_time_by_level = _by_level_counts(received_in_year_resolved, levels, "on_time", "resolved")
    seed = {
        "1.3.1": {
            "name": "Tỷ lệ TTHC tiếp nhận, trả kết quả tại Bộ phận Một cửa",
            **per_level(lambda k: procs[k]["one_stop"], lambda k: True),
        },
        "1.3.4": {
            "name": "Số TTHC giải quyết liên thông giữa các cấp chính quyền",
            "count": len(
                {procs[k]["procedure_id"] for k in procs if set(procs[k]["version_ids"]) & crossing}
            ),
            "linked": len({procs[k]["procedure_id"] for k in procs if procs[k]["linked"]}),
        },
        "1.4.1": {
            "name": "Tỷ lệ hồ sơ cấp tỉnh tiếp nhận trong năm giải quyết đúng hạn",
            **on_time_by_level[Level.PROVINCE],
        },
        "1.4.2": {
            "name": "Tỷ lệ hồ sơ cấp huyện tiếp nhận trong năm giải quyết đúng hạn",
            **(on_time_by_level.get(Level.DISTRICT) or ratio(None, None, "no district level")),
        },
        "1.4.3": {
            "name": "Tỷ lệ hồ sơ cấp xã tiếp nhận trong năm giải quyết đúng hạn",
            **on_time_by_level[Level.COMMUNE],
        },
        "1.4.4": {
            "name": "Tỷ lệ hồ sơ trễ hạn có văn bản xin lỗi",
            **ratio(total(resolved_rows, "late_apology"), total(resolved_rows, "late")),
            "by_level": _by_level_counts(resolved_rows, levels, "late_apology", "late"),
        },
        "1.5": {
            "name": "Tỷ lệ PAKN về TTHC được xử lý đúng quy định",
            **_pakn_ratio(pakn, "on_time", "due"),
        },
        "2.1.5": {
            "name": "Tỷ lệ DVC trực tuyến được tích hợp trên Cổng DVC quốc gia",
            **per_level(lambda k: procs[k]["national_portal"], lambda k: k in online_capable),
        },
        "2.2.1": {
            "name": "Tỷ lệ TTHC cung cấp trực tuyến có phát sinh hồ sơ",
            **per_level(
                lambda k: (procs[k]["procedure_id"], k[1]) in with_online_dossier,
                lambda k: k in online_capable,
            ),
        },
        "2.2.2": {
            "name": "Tỷ lệ TTHC được giải quyết trực tuyến",
            **per_level(
                lambda k: (procs[k]["procedure_id"], k[1]) in resolved_online,
                lambda k: True,
            ),
            "dossiers": {
                "name": "Tỷ lệ hồ sơ giải quyết trực tuyến",
                **ratio(total(resolved_rows, "online"), total(resolved_rows, "resolved")),
                "by_level": _by_level_counts(resolved_rows, levels, "online", "resolved"),
            },
        },
    }

    # --- QĐ 766 ----------------------------------------------------------------------------
    r, ip = figures["resolved"], figures["in_progress"]
    with_fee = [k for k, p in procs.items() if p["fee"] > 0]
    late_share = pct(r["late"], r["total"])
    complaint_share = None if pakn is None else pakn.get("dossier_complaint_share")
    satisfaction_note = "" if pakn is not None else "no feedback data: complaint share taken as 0"
    satisfaction_rate = Decimal(100) - late_share - Decimal(str(complaint_share or 0))
    rates: dict[str, dict[str, Any]] = {
        "transparency.published_on_time": ratio(None, None, "publication dates are not recorded"),
        "transparency.synced": synced,
        "progress.on_time": ratio(
            r["early"] + r["on_time"] + ip["within_due"], r["total"] + ip["total"]
        ),
        "progress.average_days": {
            "value": None if average is None else round(average.total_seconds() / 86400, 2),
            "note": "average days from receipt to result, informational",
        },
        "online.offered": ratio(len(online_capable), len(procs)),
        "online.with_dossiers": seed["2.2.1"] | {},
        "online.filed": ratio(figures["received"]["online"], figures["received"]["total"]),
        "payment.procedures": ratio(
            sum(1 for k in with_fee if procs[k]["online_payment"]), len(with_fee)
        ),
        "payment.dossiers": online_paid,
        "digitisation.electronic_result": ratio(
            total(resolved_rows, "electronic"), total(resolved_rows, "resolved")
        ),
        "digitisation.digitised": ratio(digitised, total(resolved_rows, "resolved")),
        "digitisation.reused": ratio(reused, figures["received"]["total"]),
        # QĐ 766: forwarded ≤ 5, answered ≤ 15, published ≤ 2 working days (feedback.queries).
        "satisfaction.pakn_on_time": _pakn_ratio(pakn, "handled_on_time", "handled"),
        "satisfaction.pakn": _pakn_ratio(pakn, "satisfied", "total"),
        # Points of the ratings given over the points possible; contents answered "Không áp
        # dụng" are in neither (feedback.rubric). Informational: no weight by default.
        "satisfaction.rating_points": _pakn_ratio(pakn, "rating_points", "rating_max_points"),
        "satisfaction.dossiers": {
            "numerator": None,
            "denominator": None,
            "rate": float(max(satisfaction_rate, Decimal(0))),
            "late_share": float(late_share),
            "complaint_share": complaint_share,
            **({"note": satisfaction_note} if satisfaction_note else {}),
        },
    }
    return {
        "year": year,
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        "scope": figures["scope"],
        "levels": levels,
        "seed": seed,
        "qd766": _score(rates),
    }


def indicators_for_agencies(
    *,
    year: int,
    date_to: dt.date | None = None,
    agencies: Sequence[Agency],
    source: str = "rollup",
    date_from: dt.date | None = None,
) -> dict[int, dict[str, Any]]:
    """``indicators_for_year`` of each agency (by id), with the dossiers read once for all of
    them: each query is grouped by competent agency and receiving unit, and its rows are
    spread over the scopes that hold them (``scope_q``: the competent agency in the scope,
    or the receiving unit for a scope that counts what it received). The same numbers as one
    agency at a time (tests/rollup/test_executive.py), at the cost of one pass over the
    year's dossiers instead of one per agency. The period figures come from one
    province-wide read (``figures_from_counts`` per agency); the levels present, with
    ``source="rollup"``, from the rollup. PAKN is still read per agency (feedback app).
    ``date_from`` (default 1 January): a part of the year, e.g. a quarter's own days
    (``reports.ranking``)."""
    first, date_to = _year_bounds(year, date_to)
    date_from = date_from or first
    period = make_period(date_from, date_to)
    start, end = period.start, period.end
    own: dict[int, set[int]] = {}
    subtree: dict[int, list[int]] = {}
    by_received: dict[int, bool] = {}
    for agency in agencies:
        own[agency.pk] = set(scope_agency_ids(agency, date_to))
        subtree[agency.pk] = agency_subtree_ids(agency)
        by_received[agency.pk] = counts_received(agency)
    every = set().union(*own.values()) if own else set()
    every_received = set().union(*(own[pk] for pk in own if by_received[pk])) if own else set()
    scope = Q(agency_id__in=every) | Q(receiving_unit_id__in=every_received)
    members_of: dict[tuple[int, int | None], list[int]] = {}

    def members(agency_id: int, unit_id: int | None) -> list[int]:
        key = (agency_id, unit_id)
        if key not in members_of:
            members_of[key] = [
                pk
                for pk, ids in own.items()
                if agency_id in ids or (by_received[pk] and unit_id in ids)
            ]
        return members_of[key]

    def spread(rows: Any) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            for pk in members(row.pop("agency_id"), row.pop("receiving_unit_id")):
                out[pk].append(row)
        return out

    def sums(rows: Any, *keys: str) -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {}
        for pk, items in spread(rows).items():
            out[pk] = {k: sum(int(r[k] or 0) for r in items) for k in keys}
        return out

    unit = ("agency_id", "receiving_unit_id")
    dossiers = Dossier.objects.filter(scope, received_at__isnull=False).order_by()
    received = dossiers.filter(received_at__gte=start, received_at__lt=end)
    resolved_in_year = dossiers.filter(
        end_kind=EndKind.RESULT, ended_at__gte=start, ended_at__lt=end
    )
    versions = list(
        _versions_in_force(date_to, sorted(set().union(*subtree.values()))).values(
            *VERSION_COLUMNS, "agency_id"
        )
    )
    crossing = _crossing(versions)
    if source == "rollup":
        from motcua.rollup.models import DayCount, Measure, MonthCount

        first = date_to.replace(day=1)
        # A key counts where its rows sum to more than 0 (a change is a row of its
        # difference: a dossier moved to another agency leaves a −1 beside the +1).
        rows: list[dict[str, Any]] = [
            *MonthCount.objects.filter(scope, measure=Measure.RECEIVED, day__lt=first)
            .order_by()
            .values(*unit, "level")
            .annotate(total=Sum("n"))
            .filter(total__gt=0)
            .values(*unit, "level"),
            *DayCount.objects.filter(
                scope, measure=Measure.RECEIVED, day__gte=first, day__lte=date_to
            )
            .order_by()
            .values(*unit, "level")
            .annotate(total=Sum("n"))
            .filter(total__gt=0)
            .values(*unit, "level"),
        ]
    else:
        rows = list(dossiers.filter(received_at__lt=end).values(*unit, "level").distinct())
    present = spread(rows)
    online_procedure = {"procedure": F("procedure_version__procedure_id")}
    with_online = spread(
        received.filter(channel=Channel.ONLINE)
        .values(*unit, "level", **online_procedure)
        .distinct()
    )
    resolved_online = spread(
        resolved_in_year.filter(channel=Channel.ONLINE)
        .values(*unit, "level", **online_procedure)
        .distinct()
    )
    received_resolved = spread(
        received.filter(end_kind=EndKind.RESULT, ended_at__lt=end)
        .values(*unit, "level")
        .annotate(resolved=Count("pk"), on_time=Count("pk", filter=ON_TIME))
    )
    resolved_rows = spread(
        resolved_in_year.values(*unit, "level").annotate(
            **RESOLVED_COUNTS, electronic=Count("pk", filter=Q(Exists(_result_document())))
        )
    )
    durations: dict[int, tuple[dt.timedelta, int]] = {}
    for pk, items in spread(
        resolved_in_year.values(*unit).annotate(total=Sum(DURATION), n=Count("pk"))
    ).items():
        durations[pk] = (
            sum((r["total"] for r in items), dt.timedelta()),
            sum(r["n"] for r in items),
        )
    digitised = sums(_digitised(resolved_in_year).values(*unit).annotate(n=Count("pk")), "n")
    reused = sums(
        received.filter(Exists(DossierPart.objects.filter(dossier_id=OuterRef("pk"), reused=True)))
        .values(*unit)
        .annotate(n=Count("pk")),
        "n",
    )
    sync_known = portal_sync_enabled() or PortalPush.objects.exists()
    synced: dict[int, dict[str, int]] = {}
    if sync_known:
        latest = PortalPush.objects.filter(dossier=OuterRef("pk")).order_by("-id").values("status")
        synced = sums(
            received.annotate(portal_latest=Subquery(latest[:1]))
            .values(*unit)
            .annotate(n=Count("pk"), synced=Count("pk", filter=Q(portal_latest=PushStatus.SENT))),
            "n",
            "synced",
        )
    paid = Payment.objects.filter(method=Method.ONLINE, status=PaymentStatus.PAID)
    owing = sums(
        received.filter(fee_total__gt=0)
        .values(*unit)
        .annotate(owing=Count("pk"), paid=Count("pk", filter=Q(pk__in=paid.values("dossier_id")))),
        "owing",
        "paid",
    )
    if source == "rollup":
        from motcua.reports.rollup_queries import rollup_grouped_counts

        groups, reasons, steps = rollup_grouped_counts(None, period)
    else:
        groups, reasons, steps = _grouped_counts(scoped_dossiers(None, date_to), period)

    out: dict[int, dict[str, Any]] = {}
    for agency in agencies:
        pk = agency.pk
        ids = own[pk]
        if by_received[pk]:  # its figures count what it received: not the competent split
            figures = period_figures(
                date_from=date_from, date_to=date_to, agency=agency, source=source
            )
        else:
            figures = figures_from_counts(
                agency,
                period,
                {key: c for key, c in groups.items() if key[0] in ids},
                defaultdict(
                    lambda: defaultdict(int), {a: r for a, r in reasons.items() if a in ids}
                ),
                defaultdict(lambda: defaultdict(int), {a: r for a, r in steps.items() if a in ids}),
            )
        total, n = durations.get(pk, (dt.timedelta(), 0))
        sync = synced.get(pk, {"n": 0, "synced": 0})
        owe = owing.get(pk, {"owing": 0, "paid": 0})
        out[pk] = _assemble(
            year=year,
            date_from=date_from,
            date_to=date_to,
            versions=[v for v in versions if v["agency_id"] in subtree[pk]],
            crossing=crossing,
            present_levels={r["level"] for r in present.get(pk, [])},
            with_online_dossier={(r["procedure"], r["level"]) for r in with_online.get(pk, [])},
            resolved_online={(r["procedure"], r["level"]) for r in resolved_online.get(pk, [])},
            received_in_year_resolved=received_resolved.get(pk, []),
            resolved_rows=resolved_rows.get(pk, []),
            figures=figures,
            average=total / n if n else None,
            digitised=digitised.get(pk, {}).get("n", 0),
            reused=reused.get(pk, {}).get("n", 0),
            synced=ratio(
                sync["synced"],
                sync["n"],
                "received dossiers whose latest status the portal accepted",
            )
            if sync_known
            else ratio(None, None, "synchronisation is not recorded (no national portal link)"),
            online_paid=ratio(owe["paid"], owe["owing"]),
            pakn=_pakn(start, end, subtree[pk]),
        )
    return out


def _result_document() -> QuerySet[Document]:
    """The stored result document (``archive.Document`` of kind result) of the dossier of
    the outer query: a dossier resolved "with an electronic result" has one."""
    return Document.objects.filter(dossier_id=OuterRef("pk"), kind=DocumentKind.RESULT)


def _digitised(resolved: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """QĐ 766 "digitised dossiers": resolved dossiers whose every received part has its
    electronic form (at least one stored document: scanned, uploaded or reused) and whose
    result is an electronic document (``archive.Document`` of kind result)."""
    part_without_document = DossierPart.objects.filter(dossier_id=OuterRef("pk")).exclude(
        Exists(Document.objects.filter(dossier_part_id=OuterRef("pk")))
    )
    return resolved.filter(Exists(_result_document())).exclude(Exists(part_without_document))


def _digitised_count(resolved: QuerySet[Dossier]) -> int:
    return _digitised(resolved).count()


def _pakn_ratio(pakn: Any, num: str, den: str) -> dict[str, Any]:
    if pakn is None:
        return ratio(None, None, "no feedback (PAKN) data")
    return ratio(pakn.get(num), pakn.get(den))


def _score(rates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Pro rata scores: ``min(rate / threshold, 1) × points``, grouped."""
    groups: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "points": Decimal(0),
            "score": Decimal(0),
            "points_without_data": Decimal(0),
            "indicators": [],
        }
    )
    weights = {w.code: w for w in IndicatorWeight.objects.all()}
    for code, value in rates.items():
        weight = weights.get(code)
        group_name = weight.group if weight else code.split(".")[0]
        group = groups[group_name]
        item: dict[str, Any] = {"code": code, **value}
        item.pop("by_level", None)
        points = weight.points if weight else Decimal(0)
        threshold = weight.threshold if weight else None
        item["points"] = float(points)
        item["threshold"] = None if threshold is None else float(threshold)
        rate = value.get("rate")
        if threshold is None or points == 0:
            item["score"] = None
        elif rate is None:
            item["score"] = None
            group["points_without_data"] += points
        else:
            share = min(Decimal(str(rate)) / threshold, Decimal(1)) if threshold else Decimal(1)
            score = (share * points).quantize(Decimal("0.01"))
            item["score"] = float(score)
            group["score"] += score
        group["points"] += points
        if weight is not None:
            item["name"] = weight.name
            item["confirmed"] = weight.confirmed
        group["indicators"].append(item)
    out = []
    for name, group in groups.items():
        out.append(
            {
                "group": name,
                "points": float(group["points"]),
                "score": float(group["score"]),
                "points_without_data": float(group["points_without_data"]),
                "indicators": group["indicators"],
            }
        )
    return {
        "groups": out,
        "score": float(sum(Decimal(str(g["score"])) for g in out)),
        "points": float(sum(Decimal(str(g["points"])) for g in out)),
        "points_without_data": float(sum(Decimal(str(g["points_without_data"])) for g in out)),
    }


__all__ = ["indicators_for_agencies", "indicators_for_year", "local_midnight"]
