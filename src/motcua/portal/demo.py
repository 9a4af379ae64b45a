"""Demo citizens: portal accounts with a local identity (e-mail or phone + password).
Idempotent: a second run resets their names and passwords only."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from motcua.core.demo import Login, Progress
from motcua.portal.models import CitizenIdentity, IdentityProvider

# Demo only: printed by `make demo`, never present in a production database.
DEMO_PASSWORD = "congdan-demo"

# (login identifier, full name)
CITIZENS: list[tuple[str, str]] = [
    ("an.nguyen@example.vn", "Nguyễn Văn An"),
    ("0912345678", "Trần Thị Bình"),
    ("cuong.le@example.vn", "Lê Minh Cường"),
]


@transaction.atomic
def load(progress: Progress) -> list[Login]:
    logins: list[Login] = []
    for subject, full_name in CITIZENS:
        user, _created = User.objects.get_or_create(username=subject)
        user.first_name = full_name
        user.email = subject if "@" in subject else ""
        user.set_password(DEMO_PASSWORD)
        user.save()
        CitizenIdentity.objects.update_or_create(
            provider=IdentityProvider.LOCAL, subject=subject, defaults={"user": user}
        )
        logins.append(("công dân (cổng /ca-nhan/dang-nhap/)", subject, DEMO_PASSWORD))
    progress(f"Công dân demo: {len(CITIZENS)} tài khoản.")
    return logins
