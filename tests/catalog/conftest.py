"""A small catalogue document: a province, a department with a unit, one district and
two procedures (one with a workflow that fills its legal time exactly)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

BASE: dict[str, Any] = {
    "agencies": [
        {
            "code": "000.00.00.H99",
            "name": "Ủy ban nhân dân tỉnh Thử",
            "level": "province",
            "kind": "people_committee",
        },
        {
            "code": "000.00.03.H99",
            "name": "Sở Tư pháp tỉnh Thử",
            "level": "province",
            "kind": "department",
            "parent": "000.00.00.H99",
        },
        {
            "code": "000.01.03.H99",
            "name": "Phòng Hành chính tư pháp",
            "level": "province",
            "kind": "unit",
            "parent": "000.00.03.H99",
            "valid_from": "2020-01-01",
        },
    ],
    "procedures": [
        {
            "code": "2.000488",
            "name": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            "field": "Lý lịch tư pháp",
            "agency": "000.00.03.H99",
            "level": "province",
            "duration": 10,
            "unit": "working_days",
            "cutoff": True,
            "online": "full",
            "national_portal": True,
            "online_payment": True,
            "one_stop": True,
            "linked": False,
            "fee": 200000,
            "result_type": "Phiếu lý lịch tư pháp",
            "electronic_result": True,
            "legal_basis": "Luật Lý lịch tư pháp 2009",
            "valid_from": "2020-01-01",
            "valid_to": None,
            "steps": [
                {"name": "Tiếp nhận", "unit": "000.00.03.H99", "hours": 4},
                {"name": "Tra cứu, xác minh", "unit": "000.01.03.H99", "hours": 64.5},
                {"name": "Ký", "unit": None, "hours": 7.5},
                {"name": "Trả kết quả", "unit": "000.00.03.H99", "hours": 4},
            ],
            "parts": [
                {"name": "Tờ khai", "copies": 1, "kind": "original", "reusable": False},
                {"name": "Căn cước công dân", "copies": 2, "kind": "copy", "reusable": True},
            ],
        },
        {
            "code": "1.001877",
            "name": "Thành lập Văn phòng công chứng",
            "field": "Công chứng",
            "agency": "000.00.03.H99",
            "duration": 20,
            "unit": "working_days",
        },
    ],
}


@pytest.fixture
def document() -> dict[str, Any]:
    return copy.deepcopy(BASE)
