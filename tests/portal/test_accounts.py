"""The identity seam: an external provider (VNeID) links to the same kind of user."""

from __future__ import annotations

import pytest

from motcua.core.oidc import OidcClaims
from motcua.portal.accounts import (
    AccountError,
    citizen_oidc_link,
    citizen_oidc_sign_in,
    citizen_register,
    citizen_verified_id_number,
    identifier_normalize,
)
from motcua.portal.models import CitizenIdentity

pytestmark = pytest.mark.django_db


def test_external_identity_creates_then_finds_the_same_user() -> None:
    claims = OidcClaims(subject="sub-123", id_number="001203004567", name="Nguyễn Văn An")
    user = citizen_oidc_sign_in(provider="vneid", claims=claims)
    again = citizen_oidc_sign_in(provider="vneid", claims=OidcClaims(subject="sub-123"))
    assert again.pk == user.pk and not user.has_usable_password()
    assert citizen_verified_id_number(user) == "001203004567"
    with pytest.raises(AccountError):
        citizen_oidc_sign_in(provider="local", claims=claims)
    # A new subject without a valid ID number makes no account.
    with pytest.raises(AccountError):
        citizen_oidc_sign_in(provider="vneid", claims=OidcClaims(subject="s", id_number="12"))


def test_a_local_account_can_link_vneid_once() -> None:
    user = citizen_register(identifier="b@example.vn", password="Mat-khau-dai-2026", full_name="B")
    assert user is not None
    claims = OidcClaims(subject="sub-9", id_number="001203004568")
    citizen_oidc_link(user=user, provider="vneid", claims=claims)
    citizen_oidc_link(user=user, provider="vneid", claims=claims)  # again: nothing new
    assert citizen_oidc_sign_in(provider="vneid", claims=claims).pk == user.pk
    other = citizen_register(identifier="c@example.vn", password="Mat-khau-dai-2026", full_name="C")
    assert other is not None
    with pytest.raises(AccountError):
        citizen_oidc_link(user=other, provider="vneid", claims=claims)
    assert CitizenIdentity.objects.filter(user=user).count() == 2
    assert citizen_verified_id_number(other) == ""


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
