"""The wording of the report document, from plain figures (no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.reports.documents.context import (
    apology_note,
    build_context,
    late_footnote,
    n2,
    period_label,
    returned_footnote,
    short_date,
)


@pytest.mark.parametrize(
    ("date_from", "date_to", "label"),
    [
        ("2022-06-05", "2022-08-31", "quý III năm 2022"),
        ("2022-01-01", "2022-12-31", "năm 2022"),
        ("2022-01-01", "2022-06-30", "6 tháng đầu năm 2022"),
        ("2022-08-01", "2022-08-31", "tháng 8/2022"),
        ("2022-08-01", "2022-08-20", "kỳ báo cáo"),
    ],
)
def test_period_label(date_from: str, date_to: str, label: str) -> None:
    assert period_label(dt.date.fromisoformat(date_from), dt.date.fromisoformat(date_to)) == label


def test_dates_and_counts_in_the_seed_style() -> None:
    assert short_date(dt.date(2022, 6, 5)) == "05/6/2022"
    assert short_date(dt.date(2022, 2, 15)) == "15/02/2022"
    assert [n2(1), n2(9), n2(13), n2(1234)] == ["01", "09", "13", "1.234"]


@given(st.integers(1, 500), st.data())
def test_apology_note_says_yes_no_or_how_many(count: int, data: st.DataObject) -> None:
    with_apology = data.draw(st.integers(0, count))
    note = apology_note(count, with_apology)
    if with_apology == 0:
        assert note == "(không có thư xin lỗi)"
    elif with_apology == count:
        assert note == "(có thư xin lỗi)"
    else:
        assert f"{n2(with_apology)} hồ sơ có thư xin lỗi" in note


def test_footnotes_list_agencies_reasons_and_steps() -> None:
    late = late_footnote(
        [
            {
                "name": "Sở Kế hoạch và Đầu tư",
                "count": 6,
                "with_apology": 0,
                "reasons": [
                    {"reason": "chờ ý kiến thường trực", "count": 5},
                    {"reason": "các đơn vị chậm cho ý kiến thẩm định", "count": 1},
                ],
                "steps": [{"step": "UBND tỉnh", "count": 5}, {"step": "Sở KHĐT", "count": 1}],
            }
        ]
    )
    assert late == [
        "06 hồ sơ của Sở Kế hoạch và Đầu tư, trong đó: 05 hồ sơ do chờ ý kiến thường trực, "
        "01 hồ sơ do các đơn vị chậm cho ý kiến thẩm định; trễ ở các bước: UBND tỉnh (05 hồ "
        "sơ), Sở KHĐT (01 hồ sơ) (không có thư xin lỗi)."
    ]
    assert (
        returned_footnote(
            [
                {"name": "Sở Kế hoạch và Đầu tư", "count": 13},
                {"name": "Sở Giao thông Vận tải", "count": 2},
            ]
        )
        == "13 hồ sơ của Sở Kế hoạch và Đầu tư, 02 hồ sơ của Sở Giao thông Vận tải."
    )


def _seed_figures() -> dict[str, Any]:
    """The seed's quý III figures (domain.md §7)."""
    return {
        "period": {"from": "2022-06-05", "to": "2022-08-31"},
        "scope": {"agency": "TTPVHCC", "name": "Trung tâm Phục vụ hành chính công"},
        "received": {"total": 17946, "online": 14054, "direct": 3171, "postal": 721,
                     "online_pct": 78.31, "postal_pct": 4.02},
        "carried_over": 1137,
        "resolved": {"total": 16950, "early": 8367, "on_time": 8543, "late": 40,
                     "early_pct": 49.36, "on_time_pct": 50.4, "late_pct": 0.24,
                     "postal_return": 2929, "postal_return_pct": 17.28},
        "returned": {"total": 970, "pct": 5.08, "by_agency": []},
        "withdrawn": 0,
        "in_progress": {"total": 1163, "within_due": 1163, "overdue": 0},
        "late_by_agency": [],
        "guidance": {"total": 4525, "direct": 1717, "outgoing_call": 1738, "incoming_call": 1070},
        "cumulative": {"from": "2022-01-01", "received": 44717, "online": 33590, "postal": 1488,
                       "resolved": 42501, "guidance": 10623},
    }  # fmt: skip


def test_the_seed_sentences_come_back_from_the_seed_figures() -> None:
    c = build_context(_seed_figures())
    text = " ".join(p.text for s in c.sections for b in s.blocks for p in b.paragraphs)
    assert "78,31\u00a0%" in text  # '%' never starts a line
    text = text.replace("\u00a0", " ")
    assert (
        "Trong quý III (từ ngày 05/6/2022 đến ngày 31/8/2022), Trung tâm Phục vụ hành chính công "
        "tiếp nhận 17.946 hồ sơ (lũy kế 44.717 hồ sơ), trong đó: 14.054 hồ sơ trực tuyến (chiếm "
        "78,31 %, lũy kế 33.590 hồ sơ), hồ sơ nhận qua dịch vụ Bưu chính công ích: 721 hồ sơ "
        "(chiếm 4,02 %, lũy kế 1.488 hồ sơ)"
    ) in text
    assert "tồn kỳ trước chuyển qua 1.137 hồ sơ." in text
    assert (
        "Đã giải quyết và trả kết quả 16.950 hồ sơ (lũy kế 42.501 hồ sơ), trong đó: trả qua dịch "
        "vụ Bưu chính công ích 2.929 kết quả (chiếm 17,28 %), trước hạn: 8.367 hồ sơ (chiếm "
        "49,36 %), đúng hạn: 8.543 hồ sơ (chiếm 50,40 %), quá hạn: 40 hồ sơ (chiếm 0,24 %)."
    ) in text
    assert "Trong quý III có 970 hồ sơ trả lại" in text and "(chiếm 5,08 %)" in text
    assert (
        "cho 4.525 lượt tổ chức, cá nhân (lũy kế 10.623 lượt), trong đó: 1.717 lượt hướng dẫn "
        "trực tiếp, 1.738 lượt gọi đi và 1.070 lượt trả lời cuộc gọi đến."
    ) in text
    # No late list, no returned list: no footnote is called.
    assert c.footnotes == []
    assert c.sections[0].heading == "I. KẾT QUẢ TIẾP NHẬN, GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    province = build_context({**_seed_figures(), "scope": {"agency": None, "name": "Toàn tỉnh"}})
    assert province.sections[0].heading == "I. HOẠT ĐỘNG CỦA TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
