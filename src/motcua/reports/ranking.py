"""The QĐ 766 ranking as a snapshot per period (issue 18): the index is an assessment of a
period, as the national portal publishes its own periodically, so each province-level
agency's score for a year or a quarter is computed by ``indicators_for_agencies`` and kept
(``RankingScore``), and the executive view and the public scoreboard read the kept rows.

* The worker's hourly ``ranking_snapshots`` job refreshes the current year and quarter, and
  makes the final snapshot of a period that has just closed.
* ``motcua report ranking [--period YYYY | YYYY-QN]`` computes any period (audited).
* A closed period is computed once after its last day and kept (``--force`` to redo it after
  a correction of its dossiers).
* A page asking for a period without a snapshot (an old year on a new deployment) computes it
  on the spot and stores it: the one-time cost (1.7 s at 1,000,000 dossiers on PostgreSQL,
  a few seconds under load) is paid by the first reader only, the current periods are kept
  by the job, and no page ever shows a ranking that is "being computed" with nothing in it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from motcua.agencies.models import Agency, AgencyKind, Level
from motcua.core.audit import Actor, audit_log
from motcua.dossiers.classify import LOCAL
from motcua.reports.models import RankingScore


@dataclasses.dataclass(frozen=True)
class RankingPeriod:
    """A year (``quarter`` 0) or one of its quarters (1-4)."""

    year: int
    quarter: int = 0

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2 if self.quarter else 1, 1)

    @property
    def last_day(self) -> dt.date:
        if self.quarter in (0, 4):
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)


def ranking_period_parse(text: str, *, today: dt.date | None = None) -> RankingPeriod:
    """``2025`` (the year) or ``2025-Q3`` / ``2025Q3`` (its third quarter, as ``motcua report
    send --period`` spells it). A period that has not begun by ``today`` is refused: its
    scores would be zeros kept as if computed."""
    match = re.fullmatch(r"(\d{4})(?:-?[Qq]([1-4]))?", text.strip())
    if not match:
        raise ValueError(f"{text!r}: expected YYYY or YYYY-QN (N = 1..4)")
    period = RankingPeriod(int(match.group(1)), int(match.group(2) or 0))
    if today is not None and period.first_day > today:
        raise ValueError(f"{text!r}: the period has not begun (today is {today.isoformat()})")
    return period


def current_periods(today: dt.date) -> list[RankingPeriod]:
    """The year and the quarter ``today`` is in."""
    return [RankingPeriod(today.year), RankingPeriod(today.year, (today.month - 1) // 3 + 1)]


def _today() -> dt.date:
    return timezone.now().astimezone(LOCAL).date()


def ranked_agencies(date_from: dt.date, date_to: dt.date) -> list[Agency]:
    """The agencies the ranking scores for a period: the province's own bodies (the direct
    children of a province's people's committee: its departments, its office, the vertical
    agencies under it), not the one-stop centre and not the units of a department (a unit's
    dossiers are its department's, ``agencies.queries.scope_root``), and only those in force
    during the period (validity overlapping it), so that a 2022 ranking lists 2022's
    agencies and not the ones a merger created later, and a 2026 one not those it ended."""
    return list(
        Agency.objects.filter(
            level=Level.PROVINCE,
            parent__kind=AgencyKind.PEOPLE_COMMITTEE,
            parent__parent__isnull=True,
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=date_to))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=date_from))
        .exclude(kind__in=(AgencyKind.SERVICE_CENTER, AgencyKind.UNIT))
        .order_by("name")
    )


def ranking_compute(period: RankingPeriod) -> list[RankingScore]:
    """Compute every ranked agency's score for ``period`` (to today while it is open) and
    replace the period's rows with them, in one transaction."""
    today = _today()
    date_to = min(period.last_day, today)
    agencies = ranked_agencies(period.first_day, max(date_to, period.first_day))
    # No agency to rank (a province not set up yet, a period before it): nothing to compute,
    # and the empty result is what a read shows, at the cost of this one query each time.
    results = (
        {} if date_to < period.first_day or not agencies else _scores(period, date_to, agencies)
    )
    now = timezone.now()
    rows = [
        RankingScore(
            year=period.year,
            quarter=period.quarter,
            agency=agency,
            date_from=period.first_day,
            date_to=date_to,
            score=results[agency.pk]["score"] if agency.pk in results else 0.0,
            points=results[agency.pk]["points"] if agency.pk in results else 0.0,
            qd766=results.get(agency.pk) or {},
            computed_at=now,
        )
        for agency in agencies
    ]
    with transaction.atomic():
        RankingScore.objects.filter(year=period.year, quarter=period.quarter).delete()
        RankingScore.objects.bulk_create(rows)
    return rows


def _scores(
    period: RankingPeriod, date_to: dt.date, agencies: list[Agency]
) -> dict[int, dict[str, Any]]:
    from motcua.reports.indicators import indicators_for_agencies

    results = indicators_for_agencies(
        year=period.year,
        date_from=period.first_day,
        date_to=date_to,
        agencies=agencies,
        source="rollup",
    )
    return {pk: r["qd766"] for pk, r in results.items()}


def _is_final(rows: list[RankingScore], period: RankingPeriod) -> bool:
    """Computed after the period's last day (so over all of it)."""
    return bool(rows) and all(
        r.computed_at.astimezone(LOCAL).date() > period.last_day for r in rows
    )


def ranking_snapshot(period: RankingPeriod) -> dict[str, Any]:
    """The kept ranking of ``period``, best first, with when it was computed; a period
    without one (or closed since its last snapshot) is computed now and kept."""
    rows = list(
        RankingScore.objects.filter(year=period.year, quarter=period.quarter).select_related(
            "agency"
        )
    )
    closed = period.last_day < _today()
    if not rows or (closed and not _is_final(rows, period)):
        try:
            rows = ranking_compute(period)
        except IntegrityError:  # another request stored it meanwhile: read theirs
            rows = list(
                RankingScore.objects.filter(
                    year=period.year, quarter=period.quarter
                ).select_related("agency")
            )
    ranked: list[dict[str, Any]] = [
        {
            "agency_id": r.agency_id,
            "code": r.agency.code,
            "name": r.agency.name,
            "score": r.score,
            "points": r.points,
        }
        for r in rows
    ]
    ranked.sort(key=lambda r: (-r["score"], r["name"]))
    return {
        "period": str(period),
        "date_from": period.first_day,
        "date_to": rows[0].date_to if rows else None,
        "computed_at": max((r.computed_at for r in rows), default=None),
        "rows": ranked,
    }


def ranking_refresh() -> list[RankingPeriod]:
    """The hourly job: recompute the current year and quarter, and make the final snapshot
    of the previous ones if they closed since their last snapshot. The periods computed."""
    today = _today()
    done = []
    for period in current_periods(today):
        ranking_compute(period)
        done.append(period)
    for period in current_periods(today - dt.timedelta(days=92)):
        if period in done or period.last_day >= today:
            continue
        rows = list(RankingScore.objects.filter(year=period.year, quarter=period.quarter))
        if rows and not _is_final(rows, period):
            ranking_compute(period)
            done.append(period)
    return done


def ranking_compute_audited(
    *, period: RankingPeriod, actor: Actor, force: bool = False
) -> list[RankingScore] | None:
    """``motcua report ranking``: compute ``period`` and keep it, audited. A closed period
    already computed after its end is kept as it is (None) unless ``force``."""
    rows = list(RankingScore.objects.filter(year=period.year, quarter=period.quarter))
    if not force and period.last_day < _today() and _is_final(rows, period):
        return None
    with transaction.atomic():
        rows = ranking_compute(period)
        audit_log(
            actor=actor,
            action="ranking.compute",
            object_type="ranking",
            object_id=str(period),
            data={"agencies": len(rows), "date_to": rows[0].date_to.isoformat() if rows else None},
        )
    return rows


__all__ = [
    "RankingPeriod",
    "current_periods",
    "ranked_agencies",
    "ranking_compute",
    "ranking_compute_audited",
    "ranking_period_parse",
    "ranking_refresh",
    "ranking_snapshot",
]
