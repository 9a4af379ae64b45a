"""The admin page of a procedure version's guide (issue 16): conditions, applicant steps and
blank forms, saved through ``catalog.guides.procedure_guide_save`` like the import. A page of
its own rather than inlines: a guide is saved whole (the service compares and audits the
whole), and a form's file is checked by its content before anything is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from motcua.catalog.guides import FORM_MAX_BYTES, FormInput, form_content_type
from motcua.catalog.models import BlankForm, ProcedureVersion


class GuideForm(forms.Form):
    conditions = forms.CharField(
        label=_("Yêu cầu, điều kiện thực hiện"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 90}),
    )
    steps = forms.CharField(
        label=_("Trình tự thực hiện"),
        required=False,
        help_text=_("Mỗi bước một dòng, theo thứ tự người nộp hồ sơ thực hiện."),
        widget=forms.Textarea(attrs={"rows": 6, "cols": 90}),
    )


class BlankFormRow(forms.Form):
    """One blank form: a form already published (``existing``) keeps its file unless a new
    one is chosen; a new row needs a file."""

    existing = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Tên mẫu"), max_length=500)
    number = forms.CharField(label=_("Số hiệu mẫu"), max_length=100, required=False)
    file = forms.FileField(label=_("Tệp mới (PDF hoặc DOCX)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Shown as a table row under column headings: each input still needs its own name.
        for field in self.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-label", str(field.label or ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload: UploadedFile | None = data.get("file")
        if upload is None:
            if not data.get("existing") and not data.get("DELETE"):
                self.add_error("file", _("Chọn tệp mẫu đơn, tờ khai."))
            return data
        if (upload.size or 0) > FORM_MAX_BYTES:
            self.add_error(
                "file", _("Tệp lớn hơn %(max)s MB.") % {"max": FORM_MAX_BYTES // (1024 * 1024)}
            )
            return data
        content = upload.read()
        content_type = form_content_type(content, upload.name or "")
        if content_type is None:
            self.add_error("file", _("Tệp phải là PDF hoặc Word (DOCX)."))
        data["content"], data["content_type"] = content, content_type
        return data


class BaseBlankFormRows(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = str(_("Xóa mẫu này"))


BlankFormRows = forms.formset_factory(
    BlankFormRow, formset=BaseBlankFormRows, extra=1, can_delete=True
)


def guide_initial(version: ProcedureVersion) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The forms' initial values from what ``version`` publishes."""
    rows = [
        {"existing": f.pk, "name": f.name, "number": f.number}
        for f in version.forms.order_by("position")
    ]
    return {"conditions": version.conditions, "steps": version.applicant_steps}, rows


def guide_inputs(version: ProcedureVersion, rows: Any) -> list[FormInput]:
    """The service's input from valid ``rows``, in their order: an existing form without a
    new file is passed with its stored bytes (the service then keeps the stored file)."""
    stored = {f.pk: f for f in BlankForm.objects.filter(version=version)}
    inputs: list[FormInput] = []
    for row in rows.forms:
        data = row.cleaned_data
        if not data or data.get("DELETE"):
            continue
        name, number = data["name"], data.get("number") or ""
        if data.get("content") is not None:
            inputs.append(FormInput(name, number, data["content"], data["content_type"]))
            continue
        old = stored.get(data.get("existing") or 0)
        if old is None:  # a form removed meanwhile: nothing to keep
            continue
        with old.file.open("rb") as handle:
            inputs.append(FormInput(name, number, handle.read(), old.content_type))
    return inputs
