"""The daily rollup: how many dossiers were received and ended on each local day, by the
columns the period figures group and filter on (``reports.period.figure_conditions``).

A row counts the dossiers of one (day, competent agency, receiving unit, field, level,
channel, measure, end kind, class, postal delivery, apology) key. ``measure`` is
``received`` (keyed by the local day of ``received_at``) or ``ended`` (by the local day of
``ended_at``, without the channel, which no ended figure reads; only dossiers that were
received count, as in every figure). The flows of a
period (received, resolved by class, returned, withdrawn, the cumulative) are sums of its
days; carried over and in progress are differences of sums before a day (no dossier ends
before it is received). "Overdue at the end" depends on due dates and history, not on a
day's flows: it is counted on the dossiers in progress at the end (``rollup.queries``).

The procedure is not a key: no figure groups by it, and it would multiply the rows by the
procedures of a field. Rows are written only by ``rollup.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    RECEIVED = "received", _("Tiếp nhận")
    ENDED = "ended", _("Kết thúc")


class DayCount(models.Model):
    day = models.DateField(_("ngày"))
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
    n = models.PositiveIntegerField(_("số hồ sơ"))

    class Meta:
        verbose_name = _("số liệu ngày")
        verbose_name_plural = _("số liệu ngày")
        indexes = [
            models.Index(fields=["day", "agency"], name="rollup_day_agency"),
            models.Index(fields=["agency", "day"], name="rollup_agency_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.agency_id} {self.measure} {self.n}"
