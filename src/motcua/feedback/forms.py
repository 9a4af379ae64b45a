"""Forms at the edge: the nine-content rating, the PAKN submission and staff actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.agencies.models import Agency
from motcua.feedback.models import FeedbackKind, FeedbackSubject
from motcua.feedback.rubric import (
    NOT_APPLICABLE,
    NOT_APPLICABLE_LABEL,
    DossierFacts,
    Rubric,
    applies,
)


class RatingForm(forms.Form):
    """One radio group per content of the rubric in force at the dossier's date
    (``feedback.rubric``) that applies to the dossier, each with "Không áp dụng"; a content
    that cannot apply is not asked (``not_applicable`` lists it). The fields are built from
    the rubric so the form and the stored answers cannot drift apart."""

    def __init__(self, *args: Any, rubric: Rubric, facts: DossierFacts, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rubric = rubric
        self.asked = [item for item in rubric.items if applies(item, facts)]
        self.not_applicable = [item for item in rubric.items if not applies(item, facts)]
        for item in self.asked:
            self.fields[item.code] = forms.ChoiceField(
                label=str(item.label),
                choices=[(o.code, str(o.label)) for o in item.options]
                + [(NOT_APPLICABLE, str(NOT_APPLICABLE_LABEL))],
                widget=forms.RadioSelect,
                required=not item.optional,
                error_messages={
                    "required": _("Vui lòng chọn một mức."),
                    "invalid_choice": _("Mức đánh giá không hợp lệ."),
                },
            )
        self.fields["comment"] = forms.CharField(
            label=_("Ý kiến khác (không bắt buộc)"),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def content_fields(self) -> list[forms.BoundField]:
        return [self[item.code] for item in self.asked]

    def answers(self) -> dict[str, str]:
        return {item.code: self.cleaned_data.get(item.code) or "" for item in self.asked}


class FeedbackForm(forms.Form):
    subject = forms.ChoiceField(
        label=_("Phản ánh, kiến nghị về"),
        choices=FeedbackSubject.choices,
        widget=forms.RadioSelect,
        initial=FeedbackSubject.GENERAL,
    )
    reference = forms.CharField(
        label=_("Mã hồ sơ hoặc mã thủ tục (nếu có)"), required=False, max_length=64
    )
    title = forms.CharField(label=_("Tiêu đề (không bắt buộc)"), required=False, max_length=255)
    text = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    name = forms.CharField(
        label=_("Họ và tên"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Điện thoại"),
        required=False,
        max_length=20,
        help_text=_("Cho biết ít nhất một cách liên hệ: điện thoại, thư điện tử hoặc địa chỉ."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(
        label=_("Địa chỉ"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("phone") or data.get("email") or data.get("address")):
            raise forms.ValidationError(_("Vui lòng cho biết ít nhất một cách liên hệ."))
        if (
            data.get("subject") in (FeedbackSubject.DOSSIER, FeedbackSubject.PROCEDURE)
            and not (data.get("reference") or "").strip()
        ):
            self.add_error("reference", _("Vui lòng nhập mã hồ sơ hoặc mã thủ tục."))
        return data


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Mã phản ánh"), max_length=32)
    secret = forms.CharField(label=_("Mã bí mật"), max_length=32)


class UnsatisfiedForm(LookupForm):
    reason = forms.CharField(
        label=_("Lý do chưa hài lòng"), required=False, max_length=2000, widget=forms.Textarea
    )


class ClassifyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Phân loại"), choices=FeedbackKind.choices)
    agency = forms.ModelChoiceField(
        label=_("Cơ quan xử lý"), queryset=Agency.objects.order_by("name"), required=False
    )


class ForwardForm(forms.Form):
    to_agency = forms.ModelChoiceField(
        label=_("Chuyển đến cơ quan có thẩm quyền"), queryset=Agency.objects.order_by("name")
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Lý do không tiếp nhận"), widget=forms.Textarea)


class InfoRequestForm(forms.Form):
    question = forms.CharField(label=_("Thông tin đề nghị bổ sung"), widget=forms.Textarea)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Nội dung trả lời"), widget=forms.Textarea)


class PublishForm(forms.Form):
    public_text = forms.CharField(
        label=_("Nội dung câu hỏi được công khai (xóa thông tin cá nhân nếu có)"),
        widget=forms.Textarea,
    )
