"""The identity seam: an external provider (VNeID) links to the same kind of user."""

from __future__ import annotations

import pytest

from motcua.portal.accounts import (
    AccountError,
    citizen_for_identity,
    citizen_identity_link,
    citizen_register,
    identifier_normalize,
)
from motcua.portal.models import CitizenIdentity

pytestmark = pytest.mark.django_db


def test_external_identity_creates_then_finds_the_same_user() -> None:
    user = citizen_for_identity(provider="vneid", subject="sub-123", full_name="Nguyễn Văn An")
    again = citizen_for_identity(provider="vneid", subject="sub-123")
    assert again.pk == user.pk and not user.has_usable_password()
    with pytest.raises(AccountError):
        citizen_for_identity(provider="local", subject="x@example.vn")


def test_a_local_account_can_link_vneid_once() -> None:
    user = citizen_register(identifier="b@example.vn", password="Mat-khau-dai-2026", full_name="B")
    citizen_identity_link(user=user, provider="vneid", subject="sub-9")
    assert citizen_for_identity(provider="vneid", subject="sub-9").pk == user.pk
    other = citizen_register(identifier="c@example.vn", password="Mat-khau-dai-2026", full_name="C")
    with pytest.raises(AccountError):
        citizen_identity_link(user=other, provider="vneid", subject="sub-9")
    assert CitizenIdentity.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("An@Example.VN ", "an@example.vn"),
        ("+84912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
    ],
)
def test_identifier_normalize(raw: str, normal: str) -> None:
    assert identifier_normalize(raw) == normal


def test_weak_password_is_refused_in_vietnamese_fields() -> None:
    with pytest.raises(AccountError) as info:
        citizen_register(identifier="khong-hop-le", password="123", full_name="")
    assert set(info.value.errors) == {"identifier", "full_name", "password"}
