"""Layout shared by the Word templates and the HTML (PDF) templates (no Django needed)."""

from __future__ import annotations

# Form 07 (Sổ theo dõi hồ sơ): heading and width in millimetres of each column; the widths
# add up to the landscape text width (297 - 30 - 15 mm). Fixed widths also spare WeasyPrint
# the measuring of every cell of a long register.
# The applicant signs for the result in the "Ký nhận" column (TT 01/2018 mẫu 06, TT 03/2025
# mẫu 07); a result sent by post shows its postal reference in the column before.
REGISTER_COLUMNS: list[tuple[str, int]] = [
    ("TT", 9),
    ("Mã hồ sơ", 30),
    ("Tên thủ tục hành chính", 26),
    ("Số lượng hồ sơ (bộ)", 11),
    ("Tên cá nhân, tổ chức", 20),
    ("Địa chỉ, số điện thoại", 19),
    ("Cơ quan chủ trì giải quyết", 18),
    ("Nhận hồ sơ", 18),
    ("Hẹn trả kết quả", 18),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 18),
    ("Nhận kết quả từ cơ quan giải quyết", 18),
    ("Trả kết quả cho cá nhân, tổ chức", 19),
    ("Ký nhận", 16),
    ("Ghi chú", 12),
]

# Form 06 (Phiếu kiểm soát quá trình giải quyết hồ sơ), portrait text width 210 - 30 - 15 mm:
# who gave and who received each hand-over sign in a cell of their own.
CONTROL_SLIP_COLUMNS: list[tuple[str, int]] = [
    ("Tên cơ quan, đơn vị", 38),
    ("Thời gian giao, nhận hồ sơ", 31),
    ("Người giao (ký, ghi rõ họ tên)", 27),
    ("Người nhận (ký, ghi rõ họ tên)", 27),
    ("Kết quả giải quyết hồ sơ (trước hạn/ đúng hạn/ quá hạn)", 25),
    ("Ghi chú", 17),
]
