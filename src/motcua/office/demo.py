"""Demo staff accounts: one per role, in the demo province's agencies (loaded before this by
``motcua.catalog.demo``). Idempotent: a second run resets the passwords and profiles only."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from motcua.agencies.models import Agency
from motcua.core.demo import Login, Progress
from motcua.core.models import Role, StaffProfile

# One memorable password for every demo account; printed by `make demo`. Never in production:
# these accounts exist only in a demo database.
DEMO_PASSWORD = "motcua-demo"

# (username, full name, role, agency code, title)
ACCOUNTS: list[tuple[str, str, Role, str, str]] = [
    ("tiepnhan", "Nguyễn Thị Lan", Role.COUNTER_CLERK, "000.01.01.H38", "Chuyên viên tiếp nhận"),
    (
        "chuyenvien",
        "Trần Văn Minh",
        Role.SPECIALIST,
        "000.01.03.H38",
        "Chuyên viên Phòng Hành chính tư pháp",
    ),
    ("lanhdao", "Lê Hoàng Nam", Role.LEADER, "000.00.03.H38", "Phó Giám đốc Sở Tư pháp"),
    (
        "giamdoc",
        "Phạm Thu Hà",
        Role.CENTER_MANAGER,
        "000.01.01.H38",
        "Giám đốc Trung tâm Phục vụ hành chính công",
    ),
    # The centre's accountant (issue 17): fees collected, every clerk's cash book, reconciliation.
    ("ketoan", "Đinh Thị Hồng", Role.ACCOUNTANT, "000.01.01.H38", "Kế toán Trung tâm"),
    ("vanphong", "Đỗ Quang Huy", Role.PROVINCIAL_OFFICE, "000.00.01.H38", "Chuyên viên Văn phòng"),
    ("thanhtra", "Vũ Thị Mai", Role.AUDITOR, "000.00.00.H38", "Thanh tra viên"),
    ("quantri", "Hoàng Văn Tâm", Role.ADMINISTRATOR, "000.00.00.H38", "Quản trị hệ thống"),
    # Another agency's specialist, to show that scope holds (sees none of Tư pháp's dossiers).
    (
        "xaydung",
        "Bùi Đức Long",
        Role.SPECIALIST,
        "000.01.09.H38",
        "Chuyên viên Phòng Quản lý hoạt động xây dựng",
    ),
]


@transaction.atomic
def load(progress: Progress) -> list[Login]:
    agencies = {a.code: a for a in Agency.objects.filter(code__in={a[3] for a in ACCOUNTS})}
    logins: list[Login] = []
    for username, full_name, role, agency_code, title in ACCOUNTS:
        agency = agencies.get(agency_code)
        if agency is None:
            progress(f"Bỏ qua tài khoản {username}: chưa có cơ quan {agency_code} (nạp danh mục).")
            continue
        # Family and middle names in last_name ("Họ"), the given name in first_name ("Tên").
        last, _, first = full_name.rpartition(" ")
        user, _created = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.is_active = True
        # The administrator also manages the catalogue and accounts in the Django admin.
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        user.set_password(DEMO_PASSWORD)
        user.save()
        StaffProfile.objects.update_or_create(
            user=user, defaults={"agency": agency, "role": role, "title": title}
        )
        logins.append((str(role.label), username, DEMO_PASSWORD))
    progress(f"Tài khoản cán bộ demo: {len(logins)}.")
    return logins
