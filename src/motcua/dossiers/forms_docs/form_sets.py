"""Which set of official forms a dossier prints, by its date: ``form_set_on(day)``.

Pure (no database, no Django): the one place that knows the date on which the forms
changed. Every form (01-07, the apology letter included) takes its number, its title and the
texts it cites from the set in force on the dossier's day (``dossier_day`` in ``context.py``:
the local date of receipt), so that a 2022 dossier reprinted today still shows the forms it
was given then (domain.md §2: a dossier is judged by the rules in force when received).

- Received before 1/7/2025: Nghị định 61/2018/NĐ-CP (as amended by 107/2021/NĐ-CP), forms of
  Thông tư 01/2018/TT-VPCP, Mẫu số 01-06; no stop notice.
- From 1/7/2025: Nghị định 118/2025/NĐ-CP, forms of Thông tư 03/2025/TT-VPCP, Mẫu số 01-07.

The forms are keyed by the identifiers the code uses everywhere ("01"…"07", the TT 03/2025
numbering: URLs, archive type codes); ``FormSet.number(form)`` is what the paper prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

# ND 118/2025/NĐ-CP is in force from 1/7/2025, replacing ND 61/2018 and ND 107/2021
# (domain.md §2); a dossier keeps the forms of its date of receipt.
ND118_FROM = dt.date(2025, 7, 1)


@dataclass(frozen=True)
class FormSpec:
    number: str  # as printed after "Mẫu số"; "" when the set has no such form
    title: str


@dataclass(frozen=True)
class FormSet:
    """The forms in force on a date and the texts they rest on."""

    code: str  # "tt01-2018" / "tt03-2025": a stable key, e.g. for tests and logs
    circular: str  # the circular that issues the forms, as cited under "Mẫu số"
    decree: str  # the decree cited ("Căn cứ …")
    decree_short: str
    forms: Mapping[str, FormSpec]

    def spec(self, form: str) -> FormSpec:
        return self.forms[form]

    def number(self, form: str) -> str:
        return self.forms[form].number

    def title(self, form: str) -> str:
        return self.forms[form].title

    def mark(self, form: str) -> str:
        """'Mẫu số 04 (Thông tư số 01/2018/TT-VPCP)'; '' for a form the set does not have
        (a 2022 stop notice is printed as a plain notice, without a form number)."""
        number = self.forms[form].number
        return f"Mẫu số {number} ({self.circular})" if number else ""


ND61_SET = FormSet(
    code="tt01-2018",
    circular="Thông tư số 01/2018/TT-VPCP",
    decree=(
        "Nghị định số 61/2018/NĐ-CP ngày 23 tháng 4 năm 2018 của Chính phủ về thực hiện cơ chế "
        "một cửa, một cửa liên thông trong giải quyết thủ tục hành chính"
    ),
    decree_short="Nghị định số 61/2018/NĐ-CP",
    forms={
        # TT 01/2018/TT-VPCP, Phụ lục: Mẫu số 01-06 (docs: forms.md).
        "01": FormSpec("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        "02": FormSpec("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        "03": FormSpec("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        "04": FormSpec("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        "05": FormSpec("", "Thông báo dừng giải quyết hồ sơ"),  # no such form before 7/2025
        "06": FormSpec("05", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        "07": FormSpec("06", "Sổ theo dõi hồ sơ"),
    },
)

ND118_SET = FormSet(
    code="tt03-2025",
    circular="Thông tư số 03/2025/TT-VPCP",
    decree=(
        "Nghị định số 118/2025/NĐ-CP của Chính phủ về thực hiện thủ tục hành chính theo cơ chế "
        "một cửa, một cửa liên thông tại Bộ phận Một cửa và Cổng Dịch vụ công quốc gia"
    ),
    decree_short="Nghị định số 118/2025/NĐ-CP",
    forms={
        "01": FormSpec("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        "02": FormSpec("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        "03": FormSpec("03", "Phiếu từ chối tiếp nhận, giải quyết hồ sơ"),
        "04": FormSpec("04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
        "05": FormSpec("05", "Thông báo dừng giải quyết hồ sơ"),
        "06": FormSpec("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        "07": FormSpec("07", "Sổ theo dõi hồ sơ"),
    },
)


def form_set_on(day: dt.date) -> FormSet:
    """The forms in force for a dossier whose (local) date is ``day``."""
    return ND118_SET if day >= ND118_FROM else ND61_SET
