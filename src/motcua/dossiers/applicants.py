"""The applicant of a dossier (chủ hồ sơ) and the checks of their identifiers.

- A citizen's personal identification number (số định danh cá nhân, printed on the CCCD) has
  12 digits (Luật Căn cước 2023 Điều 12; ND 137/2015).
- An organisation's tax code (mã số thuế, also its enterprise code) has 10 digits; a
  dependent unit's 13, written ``0101234567-001`` (Thông tư 86/2024/TT-BTC Điều 5). Both
  forms are accepted; the 13-digit one is stored without the hyphen (the column holds 13
  characters) and printed back with it by ``tax_code_display``.
- The identifier may be left empty (a foreigner with a passport, a visitor asking for a
  procedure that needs none); when given it must be well formed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext as _

from motcua.dossiers.errors import ApplicantInvalid
from motcua.dossiers.models import ApplicantKind, DeliveryChannel, Dossier

_SPACES = re.compile(r"[\s.]+")
_CITIZEN_ID = re.compile(r"\d{12}")
_TAX_CODE = re.compile(r"(\d{10})(?:-?(\d{3}))?")
# Vietnamese numbers: 0 + 9 digits (mobile and, since 2017, landline), or +84 without the 0;
# landlines with an area code may have 11 digits.
_PHONE = re.compile(r"(?:\+84|0)\d{9,10}")


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    representative_name: str = ""
    representative_phone: str = ""
    representative_id_number: str = ""


def citizen_id_normalize(value: str) -> str:
    """The 12-digit number without spaces or dots, or ``ValueError`` (Vietnamese message)."""
    digits = _SPACES.sub("", value or "")
    if not _CITIZEN_ID.fullmatch(digits):
        raise ValueError(_("Số định danh cá nhân phải gồm đúng 12 chữ số."))
    return digits


def tax_code_normalize(value: str) -> str:
    """A 10- or 13-digit tax code (``0101234567-001`` → ``0101234567001``)."""
    text = _SPACES.sub("", value or "")
    match = _TAX_CODE.fullmatch(text)
    if not match:
        raise ValueError(_("Mã số thuế phải gồm 10 chữ số, hoặc 13 chữ số (dạng 0101234567-001)."))
    return match.group(1) + (match.group(2) or "")


def tax_code_display(value: str) -> str:
    return f"{value[:10]}-{value[10:]}" if len(value) == 13 else value


def phone_normalize(value: str) -> str:
    text = re.sub(r"[\s.\-()]+", "", value or "")
    if not _PHONE.fullmatch(text):
        raise ValueError(_("Số điện thoại không hợp lệ (ví dụ 0912345678)."))
    return text


def _max_length(key: str) -> int:
    """The column's length of an applicant field (``Dossier.applicant_<key>`` or
    ``Dossier.<key>`` for the representative's)."""
    name = key if key.startswith("representative_") else f"applicant_{key}"
    field = Dossier._meta.get_field(name)
    assert isinstance(field, models.CharField)
    return int(field.max_length or 0)


# The free-text fields whose column has a length, with the name a message gives them.
_BOUNDED_FIELDS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("name", lambda: _("Họ tên chủ hồ sơ")),
    ("address", lambda: _("Địa chỉ")),
    ("representative_name", lambda: _("Họ tên người nộp thay")),
)


def applicant_validate(applicant: Applicant) -> Applicant:
    """The applicant with normalised identifiers, or ``ApplicantInvalid`` naming each field."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    if applicant.kind not in ApplicantKind.values:
        errors["kind"] = _("Loại chủ hồ sơ phải là công dân hoặc tổ chức.")
    name = " ".join((applicant.name or "").split())
    if not name:
        errors["name"] = _("Phải nhập họ tên chủ hồ sơ.")
    values["name"] = name
    id_number = (applicant.id_number or "").strip()
    if id_number:
        try:
            if applicant.kind == ApplicantKind.ORGANIZATION:
                id_number = tax_code_normalize(id_number)
            else:
                id_number = citizen_id_normalize(id_number)
        except ValueError as exc:
            errors["id_number"] = str(exc)
    values["id_number"] = id_number
    for key in ("phone", "representative_phone"):
        phone = (getattr(applicant, key) or "").strip()
        if phone:
            try:
                phone = phone_normalize(phone)
            except ValueError as exc:
                errors[key] = str(exc)
        values[key] = phone
    email = (applicant.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Địa chỉ thư điện tử không hợp lệ.")
    values["email"] = email
    rep_id = (applicant.representative_id_number or "").strip()
    if rep_id:
        try:
            rep_id = citizen_id_normalize(rep_id)
        except ValueError as exc:
            errors["representative_id_number"] = str(exc)
    values["representative_id_number"] = rep_id
    values["address"] = " ".join((applicant.address or "").split())
    values["representative_name"] = " ".join((applicant.representative_name or "").split())
    # Too long is refused, never cut: a name cut at 255 characters would be printed on the
    # receipt and the result as if it were the applicant's.
    for key, label in _BOUNDED_FIELDS:
        limit = _max_length(key)
        if len(values[key]) > limit and key not in errors:
            errors[key] = _(
                "%(field)s dài %(n)s ký tự, vượt quá %(max)s ký tự cho phép. "
                "Hãy rút gọn; hệ thống không tự cắt bớt."
            ) % {"field": label(), "n": len(values[key]), "max": limit}
    if errors:
        raise ApplicantInvalid(errors)
    return replace(applicant, **values)


def result_address_check(result_channel: str, applicant: Applicant) -> None:
    """A result sent by post needs the address to send it to (the applicant's): refused as
    an error on ``address`` otherwise. The portal's form (before its check page), the
    online submission (``dossier_submit``: the portal and ``POST /api/dossiers/online``) and
    the receipt at the counter or by the API (``dossier_receive``) ask the same."""
    if result_channel == DeliveryChannel.POSTAL and not applicant.address.strip():
        raise ApplicantInvalid({"address": _("Nhập địa chỉ nhận kết quả qua bưu chính.")})
