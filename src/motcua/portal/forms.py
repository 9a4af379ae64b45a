"""Forms of the portal: the edge where requests become typed values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Field
from motcua.dossiers.models import ApplicantKind, DeliveryChannel
from motcua.fees.compute import EXEMPTIONS, MAX_COPIES


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tên hoặc mã thủ tục"), required=False, max_length=200)
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        queryset=Field.objects.all(),
        required=False,
        empty_label=_("Tất cả lĩnh vực"),
    )
    agency = forms.ChoiceField(label=_("Cơ quan thực hiện"), required=False)

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tất cả cơ quan")), *agencies]


# E-mail or phone: no capital first letter, no spelling correction on a phone's keyboard.
_IDENTIFIER = forms.TextInput(
    attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
)


class RegisterForm(forms.Form):
    full_name = forms.CharField(
        label=_("Họ và tên"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    identifier = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại"),
        max_length=254,
        widget=_IDENTIFIER,
        help_text=_("Dùng để đăng nhập, ví dụ an@example.vn hoặc 0912345678."),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        return data


class LoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại"), max_length=254, widget=_IDENTIFIER
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ForgotForm(forms.Form):
    identifier = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại đã đăng ký"), max_length=254, widget=_IDENTIFIER
    )


class ResetForm(forms.Form):
    identifier = forms.CharField(
        label=_("Thư điện tử hoặc số điện thoại đã đăng ký"), max_length=254, widget=_IDENTIFIER
    )
    code = forms.CharField(
        label=_("Mã khôi phục"),
        max_length=6,
        help_text=_("6 chữ số trong thư điện tử hoặc tin nhắn vừa nhận."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu mới"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 8 ký tự, không chỉ gồm chữ số."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        return data


class ApplicantForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Chủ hồ sơ là"), choices=ApplicantKind.choices, initial=ApplicantKind.CITIZEN
    )
    name = forms.CharField(
        label=_("Họ tên chủ hồ sơ (hoặc tên tổ chức)"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (12 số) hoặc mã số thuế"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(
        label=_("Địa chỉ"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )


class DeliveryForm(forms.Form):
    """How the applicant wants the result: the counter's choice (office.forms) plus online,
    passed to the service as ``result_channel``."""

    delivery = forms.ChoiceField(
        label=_("Nhận kết quả"),
        choices=DeliveryChannel.choices,
        initial=DeliveryChannel.COUNTER,
        # Not sent (a client posting the form without it): not stated, as at the counter.
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Qua bưu chính: kết quả được gửi đến địa chỉ ghi ở trên."),
    )


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú gửi Bộ phận Một cửa"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SupplementNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú gửi cơ quan giải quyết"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeeForm(forms.Form):
    """The fee questions the counter asks (``fees.compute``): the applicant's kind comes from
    ``ApplicantForm``; how many copies of the result, and an exemption, if any."""

    copies = forms.IntegerField(
        label=_("Số bản kết quả đề nghị cấp"),
        min_value=1,
        max_value=MAX_COPIES,
        initial=1,
        # Left empty (or a client that does not send it): one copy, as at the counter.
        required=False,
    )
    exemption = forms.ChoiceField(
        label=_("Trường hợp được miễn phí, lệ phí"),
        choices=[("", _("Không"))] + [(k, v) for k, v in EXEMPTIONS.items()],
        required=False,
        help_text=_("Bộ phận Một cửa kiểm tra giấy tờ chứng minh khi tiếp nhận."),
    )
