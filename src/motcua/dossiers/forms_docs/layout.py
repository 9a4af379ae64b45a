"""Layout shared by the Word templates and the HTML (PDF) templates (no Django needed)."""

from __future__ import annotations

# Form 07 (Sổ theo dõi hồ sơ): heading and width in millimetres of each column; the widths
# add up to the landscape text width (297 - 30 - 15 mm). Fixed widths also spare WeasyPrint
# the measuring of every cell of a long register.
REGISTER_COLUMNS: list[tuple[str, int]] = [
    ("TT", 9),
    ("Mã hồ sơ", 34),
    ("Tên thủ tục hành chính", 28),
    ("Số lượng hồ sơ (bộ)", 11),
    ("Tên cá nhân, tổ chức", 22),
    ("Địa chỉ, số điện thoại", 22),
    ("Cơ quan chủ trì giải quyết", 20),
    ("Nhận hồ sơ", 18),
    ("Hẹn trả kết quả", 18),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 18),
    ("Nhận kết quả từ cơ quan giải quyết", 18),
    ("Trả kết quả cho cá nhân, tổ chức", 20),
    ("Ghi chú", 14),
]
