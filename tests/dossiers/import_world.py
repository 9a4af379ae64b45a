"""A tiny catalogue for the import tests, built with the ORM (two agencies, three procedures,
one of them with two versions and a four-step workflow)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from motcua.agencies.models import Agency, AgencyKind, Level
from motcua.agencies.units import unit_resolve
from motcua.catalog.models import DurationUnit, Field, Procedure, ProcedureVersion, WorkflowStep

DATA = Path(__file__).resolve().parent / "data"
JUSTICE = "000.00.19.H18"  # Sở Tư pháp
CENTER = "000.00.00.H18"  # Trung tâm Phục vụ hành chính công


def catalogue_build() -> dict[str, Any]:
    justice = Agency.objects.create(code=JUSTICE, name="Sở Tư pháp", level=Level.PROVINCE)
    center = Agency.objects.create(
        code=CENTER,
        name="Trung tâm Phục vụ hành chính công",
        level=Level.PROVINCE,
        kind=AgencyKind.SERVICE_CENTER,
    )
    field = Field.objects.create(name="Tư pháp")
    p1 = Procedure.objects.create(code="1.004227")
    v1 = ProcedureVersion.objects.create(
        procedure=p1,
        number=1,
        name="Cấp Phiếu lý lịch tư pháp",
        field=field,
        agency=justice,
        level=Level.PROVINCE,
        duration=Decimal(3),
        unit=DurationUnit.WORKING_DAYS,
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2025, 6, 30),
    )
    for position, (name, unit, step_hours) in enumerate(
        [
            ("Tiếp nhận hồ sơ", CENTER, 4),
            ("Thẩm định hồ sơ", "Phòng Hành chính tư pháp", 12),
            ("Phê duyệt", "Lãnh đạo Sở", 4),
            ("Trả kết quả", CENTER, 4),
        ],
        start=1,
    ):
        ref = unit_resolve(unit)
        WorkflowStep.objects.create(
            version=v1,
            position=position,
            name=name,
            unit=ref.agency,
            unit_label=ref.label,
            hours=Decimal(step_hours),
        )
    v2 = ProcedureVersion.objects.create(
        procedure=p1,
        number=2,
        name="Cấp Phiếu lý lịch tư pháp",
        field=field,
        agency=justice,
        level=Level.PROVINCE,
        duration=Decimal(2),
        unit=DurationUnit.WORKING_DAYS,
        valid_from=dt.date(2025, 7, 1),
    )
    p2 = Procedure.objects.create(code="2.000001")
    hours = ProcedureVersion.objects.create(
        procedure=p2,
        number=1,
        name="Chứng thực bản sao từ bản chính",
        field=field,
        agency=justice,
        level=Level.PROVINCE,
        duration=Decimal(8),
        unit=DurationUnit.WORKING_HOURS,
        cutoff=False,
    )
    return {"justice": justice, "center": center, "v1": v1, "v2": v2, "hours": hours}


def record(code_seq: int = 1, **overrides: Any) -> dict[str, Any]:
    """A valid history: received Monday 29/8/2022 10:00 (domain.md §5's worked example)."""
    base: dict[str, Any] = {
        "code": f"{JUSTICE}-220829-{code_seq:04d}",
        "procedure": "1.004227",
        "agency": JUSTICE,
        "channel": "direct",
        "applicant": {"kind": "citizen", "name": "Nguyễn Văn An", "phone": "0912345678"},
        "received_at": "2022-08-29T10:00:00+07:00",
        "events": [],
    }
    base.update(overrides)
    return base


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path
