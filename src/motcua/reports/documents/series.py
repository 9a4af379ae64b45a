"""The two series the charts need and the period figures do not carry: dossiers received per
month by channel (1 January to the period's end, local months) and the on-time rate of each
competent agency in the period. Two grouped counts over the indexed columns (house style: no
per-dossier loop)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from motcua.agencies.models import Agency
from motcua.core.formatting import pct
from motcua.dossiers.classify import LOCAL
from motcua.dossiers.models import Channel, DossierClass, EndKind
from motcua.reports.queries import local_midnight, make_period, scoped_dossiers


@dataclass(frozen=True)
class MonthRow:
    month: dt.date  # first day of the local month
    online: int
    direct: int
    postal: int

    @property
    def total(self) -> int:
        return self.online + self.direct + self.postal

    @property
    def online_pct(self) -> float:
        return float(pct(self.online, self.total))


@dataclass(frozen=True)
class AgencyRate:
    code: str
    name: str
    resolved: int
    on_time: int  # early + on time

    @property
    def rate(self) -> float:
        return float(pct(self.on_time, self.resolved))


@dataclass(frozen=True)
class Series:
    months: list[MonthRow] = field(default_factory=list)
    agencies: list[AgencyRate] = field(default_factory=list)


def series_for(figures: dict[str, Any]) -> Series:
    """The series for the period and scope of ``figures`` (``period_figures``' output)."""
    period = make_period(
        dt.date.fromisoformat(figures["period"]["from"]),
        dt.date.fromisoformat(figures["period"]["to"]),
    )
    code = figures["scope"]["agency"]
    agency = Agency.objects.get(code=code) if code else None
    # What the scope inherited through mergers by the period's end, as period_figures counts.
    qs = scoped_dossiers(agency, period.date_to)
    jan1 = local_midnight(period.year_start)
    month_rows = (
        qs.filter(received_at__gte=min(jan1, period.start), received_at__lt=period.end)
        .annotate(month=TruncMonth("received_at", tzinfo=LOCAL))
        .values("month")
        .annotate(
            online=Count("pk", filter=Q(channel=Channel.ONLINE)),
            direct=Count("pk", filter=Q(channel=Channel.DIRECT)),
            postal=Count("pk", filter=Q(channel=Channel.POSTAL)),
        )
        .order_by("month")
    )
    months = []
    for row in month_rows:
        month = row["month"]
        day = month.date() if isinstance(month, dt.datetime) else month
        months.append(MonthRow(day.replace(day=1), row["online"], row["direct"], row["postal"]))
    resolved = Q(ended_at__gte=period.start, ended_at__lt=period.end, end_kind=EndKind.RESULT)
    agency_rows = (
        qs.filter(resolved)
        .values("agency__code", "agency__name")
        .annotate(
            resolved=Count("pk"),
            on_time=Count(
                "pk", filter=Q(dossier_class__in=[DossierClass.EARLY, DossierClass.ON_TIME])
            ),
        )
    )
    rates = [
        AgencyRate(r["agency__code"], r["agency__name"], r["resolved"], r["on_time"])
        for r in agency_rows
    ]
    rates.sort(key=lambda a: (-a.resolved, a.code))
    return Series(months=months, agencies=rates)
