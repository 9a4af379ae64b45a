"""Small hand-built histories for the report tests: dossiers written straight with the ORM, with
instants given in UTC as an importer would store them."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from motcua.agencies.models import Agency, AgencyKind, Level
from motcua.catalog.models import DurationUnit, Field, Procedure, ProcedureVersion
from motcua.dossiers.models import Dossier, DossierEvent, Guidance, Status

UTC = dt.UTC
_seq = itertools.count(1)


def utc(text: str) -> dt.datetime:
    """'2022-06-04T17:30' -> aware UTC instant."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def agency(
    code: str,
    name: str,
    level: str = Level.PROVINCE,
    parent: Agency | None = None,
    kind: str = AgencyKind.DEPARTMENT,
) -> Agency:
    a = Agency.objects.create(code=code, name=name, level=level, parent=parent, kind=kind)
    a.path = f"{parent.path if parent else '/'}{a.pk}/"
    a.save(update_fields=["path"])
    return a


def procedure(
    ag: Agency, code: str = "1.000001", field: str = "Tư pháp", **kw: Any
) -> ProcedureVersion:
    f, _ = Field.objects.get_or_create(name=field)
    p, _ = Procedure.objects.get_or_create(code=code)
    values: dict[str, Any] = {
        "name": f"Thủ tục {code}",
        "field": f,
        "agency": ag,
        "level": ag.level,
        "duration": Decimal(5),
        "unit": DurationUnit.WORKING_DAYS,
    }
    values.update(kw)
    return ProcedureVersion.objects.create(procedure=p, **values)


def dossier(
    pv: ProcedureVersion,
    *,
    received: str | None,
    ended: str | None = None,
    end_kind: str = "",
    cls: str = "",
    channel: str = "direct",
    due: str | None = None,
    status: str | None = None,
    **kw: Any,
) -> Dossier:
    n = next(_seq)
    if status is None:
        status = {"": Status.PROCESSING, "result": Status.RESULT_READY}.get(end_kind, end_kind)
        if received is None:
            status = Status.REJECTED
    return Dossier.objects.create(
        code=f"T-{n:06d}",
        secret="x",
        procedure_version=pv,
        agency=pv.agency,
        level=pv.level,
        field=pv.field,
        channel=channel,
        applicant_kind="citizen",
        applicant_name=f"Người nộp {n}",
        status=status,
        received_at=utc(received) if received else None,
        ended_at=utc(ended) if ended else None,
        end_kind=end_kind,
        dossier_class=cls,
        due_at=utc(due) if due else None,
        **kw,
    )


def event(d: Dossier, type_: str, at: str) -> DossierEvent:
    """An event; a supplement request also sets ``supplement_requested_at`` to the latest
    request, as the services and the import do."""
    if type_ == "supplement_requested":
        when = utc(at)
        if d.supplement_requested_at is None or d.supplement_requested_at < when:
            d.supplement_requested_at = when
            d.save(update_fields=["supplement_requested_at"])
    return DossierEvent.objects.create(dossier=d, type=type_, at=utc(at))


def guidance(unit: Agency, at: str, kind: str = "direct") -> Guidance:
    return Guidance.objects.create(unit=unit, at=utc(at), kind=kind)
