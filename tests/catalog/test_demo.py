"""The demo catalogue: valid, idempotent, and covering the seed report's agencies."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from motcua.agencies.models import Agency
from motcua.catalog import demo
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.queries import procedure_current_version
from motcua.catalog.services import catalog_schema, catalog_validate

SHARED_SCHEMA = Path("/work/shared/spec/catalog.schema.json")


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(demo.DEMO_FILE.read_text(encoding="utf-8"))
    return document


@pytest.mark.skipif(not SHARED_SCHEMA.exists(), reason="shared spec not mounted")
def test_packaged_schema_is_the_shared_spec() -> None:
    assert catalog_schema() == json.loads(SHARED_SCHEMA.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_demo_file_is_valid_and_big_enough() -> None:
    document = _document()
    assert catalog_validate(document) == []
    assert len({p["code"] for p in document["procedures"]}) >= 40
    provincial = {a["code"] for a in document["agencies"] if a["level"] == "province"}
    assert len(provincial) >= 12
    levels = {p["level"] for p in document["procedures"]}
    assert levels == {"province", "district", "commune"}


@pytest.mark.django_db
def test_demo_load_is_idempotent_and_covers_the_seed_agencies() -> None:
    assert demo.load(lambda _msg: None) == []
    count = ProcedureVersion.objects.count()
    assert demo.load(lambda _msg: None) == []
    assert ProcedureVersion.objects.count() == count

    day = dt.date(2022, 8, 1)
    in_force = ProcedureVersion.objects.live().valid_on(day)
    for name in [
        "Sở Tư pháp",
        "Sở Kế hoạch và Đầu tư",
        "Sở Tài nguyên và Môi trường",
        "Sở Xây dựng",
        "Sở Giao thông Vận tải",
        "Sở Y tế",
        "Sở Nội vụ",
        "Sở Giáo dục và Đào tạo",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Sở Lao động - Thương binh và Xã hội",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Công Thương",
        "Bảo hiểm xã hội",
    ]:
        agency = Agency.objects.get(name=f"{name} tỉnh Đắk Nông")
        assert in_force.filter(agency=agency).exists(), name
    lltp = procedure_current_version("2.000488", day)
    assert lltp is not None and lltp.agency.name == "Sở Tư pháp tỉnh Đắk Nông"
    after = procedure_current_version("2.000488", dt.date(2025, 8, 1))
    assert after is not None and after.agency.name == "Sở Tư pháp tỉnh Lâm Đồng"
    # Every step of every workflow fits the legal time (checked on import) and every
    # step unit written as an agency code is stored as that agency, not as a label.
    for version in ProcedureVersion.objects.prefetch_related("steps"):
        for step in version.steps.all():
            assert not step.unit_label.startswith("000."), (version, step.unit_label)


@pytest.mark.django_db
def test_demo_guides_fill_three_procedures_through_the_import() -> None:
    from motcua.agencies import demo as agencies_demo
    from motcua.agencies.models import AgencyContact
    from motcua.core.models import AuditEvent

    demo.load(lambda _msg: None)
    agencies_demo.load(lambda _msg: None)
    for code in ("2.000488", "1.001193", "2.000720"):
        version = procedure_current_version(code)
        assert version is not None and version.forms.exists(), code
        assert version.applicant_step_lines and version.conditions, code
    assert AgencyContact.objects.filter(agency__code="000.01.01.H38").exists()
    saved = AuditEvent.objects.filter(action__in=["catalog.guide_save", "agency.contact_save"])
    count = saved.count()
    demo.load(lambda _msg: None)
    agencies_demo.load(lambda _msg: None)
    assert saved.count() == count
