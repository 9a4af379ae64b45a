"""The daily rollup: how many dossiers were received and ended on each local day, by the
columns the period figures group and filter on (``reports.period.figure_conditions``).

A row counts the dossiers of one (day, competent agency, receiving unit, field, level,
channel, measure, end kind, class, postal delivery, apology, late reason, late steps) key
(the late reason and steps only on late results, for the report's footnote 1). ``measure`` is
``received`` (keyed by the local day of ``received_at``) or ``ended`` (by the local day of
``ended_at``, without the channel, which no ended figure reads; only dossiers that were
received count, as in every figure). The flows of a
period (received, resolved by class, returned, withdrawn, the cumulative) are sums of its
days; carried over and in progress are differences of sums before a day (no dossier ends
before it is received). "Overdue at the end" depends on due dates and history, not on a
day's flows: it is counted on the dossiers in progress at the end (``rollup.queries``).

The procedure is not a key: no figure groups by it, and it would multiply the rows by the
procedures of a field. Rows are written only by ``rollup.services``: a change as rows of
its difference, folded later; a key's count is the sum of its rows.

A period of a year read from days alone reads ~365 × (keys of a day) rows, and its carried-over
figure every row before it. So two more tables (issue 18, the speed target):

* ``MonthCount``: the same counts by calendar month (``day`` is the month's first day), the
  sum of the month's ``DayCount`` rows; a period reads its whole months here and only the days
  of its first and last partial months from ``DayCount``.
* ``MonthBalance``: the dossiers open at the start of a month (received before its first day
  and not ended before it), by the key the figures group by (agency, receiving unit, field,
  level; a zero is not stored). The months that have balances are checkpoints: each one is
  complete for every agency. Carried over at a day is the balance of the latest checkpoint
  at or before its month plus the flows from that checkpoint to the day.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    RECEIVED = "received", _("Tiếp nhận")
    ENDED = "ended", _("Kết thúc")


class _Counts(models.Model):
    """The keys and count shared by ``DayCount`` and ``MonthCount`` (``day`` is theirs: a
    day or a month's first day)."""

    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    receiving_unit = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    field = models.ForeignKey(
        "catalog.Field", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    level = models.CharField(max_length=16)
    channel = models.CharField(max_length=16)
    measure = models.CharField(max_length=8, choices=Measure.choices)
    end_kind = models.CharField(max_length=16, blank=True, default="")
    dossier_class = models.CharField(max_length=16, blank=True, default="")
    postal_delivery = models.BooleanField(default=False)
    has_apology = models.BooleanField(default=False)
    # Only on the rows of late results (footnote 1 of the report: reasons × steps); "" else.
    late_reason = models.TextField(blank=True, default="")
    late_steps = models.CharField(max_length=500, blank=True, default="")
    # A change is appended as a row of its difference (+1, −1: ``rollup.services``), folded
    # into one row per key by ``rollup_compact``: a key's count is the sum of its rows.
    n = models.IntegerField(_("số hồ sơ"))

    class Meta:
        abstract = True


class DayCount(_Counts):
    day = models.DateField(_("ngày"))

    class Meta:
        verbose_name = _("số liệu ngày")
        verbose_name_plural = _("số liệu ngày")
        indexes = [
            models.Index(fields=["day", "agency"], name="rollup_day_agency"),
            models.Index(fields=["agency", "day"], name="rollup_agency_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.measure} {self.n}"


class MonthCount(_Counts):
    """``DayCount`` summed over a calendar month (``day``: the month's first day)."""

    day = models.DateField(_("tháng"))

    class Meta:
        verbose_name = _("số liệu tháng")
        verbose_name_plural = _("số liệu tháng")
        indexes = [
            models.Index(fields=["day", "agency"], name="rollup_month_agency"),
            models.Index(fields=["agency", "day"], name="rollup_agency_month"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m} {self.agency_id} {self.measure} {self.n}"


class Compaction(models.Model):
    """How far ``rollup_compact`` has folded a table: the rows above ``last_id`` are the
    changes appended since (their days and agencies are the ones to fold next time)."""

    table = models.CharField(max_length=32, unique=True)
    last_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("lần gộp số liệu")
        verbose_name_plural = _("lần gộp số liệu")

    def __str__(self) -> str:
        return f"{self.table} {self.last_id}"


class MonthBalance(models.Model):
    """The dossiers open at the start of a month (``day``: its first day), by key."""

    day = models.DateField(_("đầu tháng"))
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    receiving_unit = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
        db_index=False,
    )
    field = models.ForeignKey(
        "catalog.Field", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    level = models.CharField(max_length=16)
    n = models.IntegerField(_("số hồ sơ tồn"))

    class Meta:
        verbose_name = _("số tồn đầu tháng")
        verbose_name_plural = _("số tồn đầu tháng")
        indexes = [
            models.Index(fields=["day", "agency"], name="rollup_balance_day"),
            models.Index(fields=["agency", "day"], name="rollup_balance_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m} {self.agency_id} {self.n}"
