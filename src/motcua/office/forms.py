"""Forms of the staff application. They only validate input: every change goes through a
``motcua.dossiers.services`` function called by the view.

Each action form on a dossier carries the ``version`` the page was rendered with, so that two
clerks never overwrite each other (the service raises ``ConflictError`` when it is stale)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files import File
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.archive.models import Document
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import ApplicantKind, Channel, DeliveryChannel, GuidanceKind
from motcua.dossiers.services import PartFile
from motcua.dossiers.uploads import (
    RESULT_EXTENSIONS,
    CheckedUpload,
    UploadRefused,
    result_file_check,
    upload_check,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


class StaffForm(forms.Form):
    """A staff form whose messages say which field they are about ("Họ tên … là bắt buộc.",
    not a bare "Trường này là bắt buộc.", which an error summary could not tell apart), and
    whose text boxes carry no ``maxlength``: the browser would silently cut a pasted text at
    the limit; the server refuses it with a message instead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = field.label
            if not label:
                continue  # a hidden or machine field: the default message is enough
            field.error_messages["required"] = _("%(field)s là bắt buộc.") % {"field": label}
            if isinstance(field, forms.CharField) and field.max_length is not None:
                field.widget.attrs.pop("maxlength", None)
                # The validator's own parameters (limit_value, show_value) fill the rest.
                field.error_messages["max_length"] = _(
                    "%(field)s dài %%(show_value)s ký tự, vượt quá %%(limit_value)s ký tự cho "
                    "phép. Hãy rút gọn; hệ thống không tự cắt bớt."
                ) % {"field": label}


class VersionedForm(StaffForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ApplicantForm(StaffForm):
    """The applicant's details at the counter (form 01's header)."""

    applicant_kind = forms.ChoiceField(
        label=_("Loại chủ hồ sơ"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.CITIZEN,
        widget=forms.RadioSelect,
    )
    applicant_name = forms.CharField(label=_("Họ tên / tên tổ chức"), max_length=255)
    applicant_id_number = forms.CharField(
        label=_("Số định danh cá nhân / mã số thuế"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=_("Điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    applicant_email = forms.EmailField(label=_("Thư điện tử"), required=False)
    applicant_address = forms.CharField(label=_("Địa chỉ"), max_length=500, required=False)
    representative_name = forms.CharField(
        label=_("Người nộp thay (nếu có)"), max_length=255, required=False
    )
    representative_phone = forms.CharField(
        label=_("Điện thoại người nộp thay"), max_length=20, required=False
    )

    def applicant_values(self) -> dict[str, str]:
        d = self.cleaned_data
        return {
            "kind": d["applicant_kind"],
            "name": d["applicant_name"],
            "id_number": d["applicant_id_number"],
            "phone": d["applicant_phone"],
            "email": d["applicant_email"],
            "address": d["applicant_address"],
            "representative_name": d["representative_name"],
            "representative_phone": d["representative_phone"],
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (``<input type=file multiple>``): a list, maybe empty."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PART_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


PART_ACCEPT = ".pdf,.jpg,.jpeg,.png"  # the content decides (dossiers.uploads); a hint to the picker


def checked_scans(uploads: list[Any]) -> list[CheckedUpload]:
    """Scans of a part, each checked by the one rule for parts (``dossiers.uploads``)."""
    checked = []
    errors = []
    for upload in uploads:
        try:
            checked.append(upload_check(upload))
        except UploadRefused as exc:
            errors.append(forms.ValidationError(str(exc)))
    if errors:
        raise forms.ValidationError(errors)
    return checked


def scan_files(checked: Sequence[CheckedUpload]) -> list[PartFile]:
    """The service's inputs for checked scans: stored under the extension of the type found,
    never the name sent."""
    return [
        PartFile(
            file=File(c.upload, name=f"scan{c.extension}"),
            content_type=c.content_type,
            sha256=c.sha256,
        )
        for c in checked
    ]


def document_label(document: Document) -> str:
    """How a stored document is offered for reuse: its name, kind, code and date."""
    bits = [document.name, str(document.get_kind_display())]
    if document.code:
        bits.append(document.code)
    day = document.issued_on or timezone.localtime(document.created_at).date()
    bits.append(f"{day:%d/%m/%Y}")
    return " · ".join(bits)


class ReceiveForm(ApplicantForm):
    """Receive a complete dossier: the checklist of parts the clerk ticked, how each was
    digitised (ND 118/2025: scans, a stored document of the applicant reused, or the reason
    it was not), and how it came.

    Each part's scans are one field ``part-<id>`` (several files), its reuse ``reuse-<id>``
    (a choice among ``reusable``: the documents found by the applicant's ID number) and its
    reason ``reason-<id>``."""

    channel = forms.ChoiceField(
        label=_("Hình thức nộp"),
        choices=[(Channel.DIRECT, Channel.DIRECT.label), (Channel.POSTAL, Channel.POSTAL.label)],
        initial=Channel.DIRECT,
        widget=forms.RadioSelect,
    )
    parts = forms.TypedMultipleChoiceField(
        label=_("Thành phần hồ sơ đã nhận"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    extra_parts = forms.CharField(
        label=_("Giấy tờ khác (mỗi dòng một giấy tờ)"), required=False, widget=TEXTAREA
    )
    postal_item_number = forms.CharField(
        label=_("Số hiệu bưu gửi"),
        max_length=40,
        required=False,
        help_text=_("Hồ sơ nhận qua bưu chính: số hiệu ghi trên bưu gửi."),
    )
    delivery = forms.ChoiceField(
        label=_("Nhận kết quả"),
        choices=[
            (DeliveryChannel.COUNTER, DeliveryChannel.COUNTER.label),
            (DeliveryChannel.POSTAL, DeliveryChannel.POSTAL.label),
        ],
        initial=DeliveryChannel.COUNTER,
        widget=forms.RadioSelect,
    )

    extra_reason = forms.CharField(
        label=_("Lý do không số hóa giấy tờ khác"),
        max_length=500,
        required=False,
        help_text=_("Bắt buộc khi có giấy tờ khác: các giấy tờ này được giữ bản giấy."),
    )

    def __init__(
        self,
        *args: Any,
        version: ProcedureVersion,
        reusable: Sequence[Document] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.procedure_version = version
        self.required_parts = list(version.parts.all())
        self.reusable = {str(d.pk): d for d in reusable}
        parts_field = self.fields["parts"]
        assert isinstance(parts_field, forms.ChoiceField)
        parts_field.choices = [
            (p.pk, f"{p.name} ({p.get_kind_display()}, {p.copies})") for p in self.required_parts
        ]
        reuse_choices = [("", _("— Không dùng lại —"))] + [
            (key, document_label(d)) for key, d in self.reusable.items()
        ]
        for part in self.required_parts:
            self.fields[f"part-{part.pk}"] = MultipleFileField(
                label=_("Bản quét (PDF, JPEG, PNG; chọn được nhiều tệp)")
            )
            self.fields[f"reuse-{part.pk}"] = forms.ChoiceField(
                label=_("Hoặc dùng lại giấy tờ đã lưu"), choices=reuse_choices, required=False
            )
            self.fields[f"reason-{part.pk}"] = forms.CharField(
                label=_("Hoặc lý do không số hóa"), max_length=500, required=False
            )

    def part_rows(self) -> list[dict[str, Any]]:
        """Each part of the procedure with its tick box and its digitisation fields."""
        boxes = list(self["parts"])
        return [
            {
                "part": part,
                "box": box,
                "files": self[f"part-{part.pk}"],
                "reuse": self[f"reuse-{part.pk}"],
                "reason": self[f"reason-{part.pk}"],
            }
            for part, box in zip(self.required_parts, boxes, strict=True)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ticked = set(data.get("parts") or [])
        missing = [p.name for p in self.required_parts if p.pk not in ticked]
        # A dossier is received only when complete (ND 118/2025 Điều 15): otherwise the clerk
        # guides (form 02) or refuses (form 03).
        if missing:
            raise forms.ValidationError(
                _("Hồ sơ chưa đủ thành phần: %(parts)s. Hãy hướng dẫn bổ sung hoặc từ chối.")
                % {"parts": "; ".join(missing)}
            )
        self.scans: dict[int, list[CheckedUpload]] = {}
        for part in self.required_parts:
            self._clean_digitised(part.pk, data)
        if self.extra_part_names() and not (data.get("extra_reason") or "").strip():
            self.add_error(
                "extra_reason",
                _("Ghi lý do không số hóa các giấy tờ khác (hoặc bỏ các giấy tờ đó)."),
            )
        return data

    def _clean_digitised(self, pk: int, data: dict[str, Any]) -> None:
        """One part: its scans checked by content, else a reused document, else a reason."""
        files_key, reuse_key, reason_key = f"part-{pk}", f"reuse-{pk}", f"reason-{pk}"
        try:
            self.scans[pk] = checked_scans(data.get(files_key) or [])
        except forms.ValidationError as exc:
            self.add_error(files_key, exc)
            return
        reuse = data.get(reuse_key) or ""
        if reuse and reuse not in self.reusable:
            self.add_error(reuse_key, _("Giấy tờ đã chọn không còn trong danh sách tìm được."))
            return
        if self.scans[pk] and reuse:
            self.add_error(
                reuse_key, _("Đã có bản quét: không chọn thêm giấy tờ dùng lại cho thành phần này.")
            )
        elif not self.scans[pk] and not reuse and not (data.get(reason_key) or "").strip():
            self.add_error(
                files_key,
                _(
                    "Đính kèm bản quét, chọn giấy tờ đã lưu để dùng lại, hoặc ghi lý do không "
                    "số hóa."
                ),
            )

    def part_digitisation(self, pk: int) -> dict[str, Any]:
        """The ``PartInput`` keywords for part ``pk`` (after validation)."""
        reuse = self.cleaned_data.get(f"reuse-{pk}") or ""
        return {
            "files": scan_files(self.scans.get(pk, [])),
            "reuse_of": self.reusable.get(reuse) if reuse else None,
            "not_digitised_reason": (self.cleaned_data.get(f"reason-{pk}") or "").strip(),
        }

    def extra_part_names(self) -> list[str]:
        return _lines(self.cleaned_data.get("extra_parts", ""))


class GuideForm(ApplicantForm):
    """Guide the applicant to complete the dossier (form 02) without receiving it.

    ``missing`` are the procedure's parts the clerk did not tick in the checklist (the same
    form): the sheet lists them first, then what was typed, so that what the counter just
    found is written down once and completely without being typed again."""

    items = forms.CharField(
        label=_("Nội dung khác cần bổ sung, hoàn thiện (mỗi dòng một nội dung)"),
        widget=TEXTAREA,
        required=False,
    )
    guide_reason = forms.CharField(label=_("Lý do hướng dẫn bổ sung"), widget=TEXTAREA)
    # Printed on the sheet: whom the applicant calls with questions (TT 01/2018 mẫu 02).
    contact_phone = forms.CharField(label=_("Số điện thoại liên hệ của bộ phận"), max_length=32)

    def __init__(self, *args: Any, missing: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missing = list(missing)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "items" in data and not self.item_list():
            self.add_error(
                "items",
                _(
                    "Bỏ đánh dấu các thành phần còn thiếu ở danh sách trên, hoặc ghi nội dung "
                    "cần bổ sung, hoàn thiện."
                ),
            )
        return data

    def item_list(self) -> list[str]:
        """The missing parts, then the lines typed, each once."""
        items = self.missing + _lines(self.cleaned_data.get("items", ""))
        return list(dict.fromkeys(i for i in items if i))


class RejectForm(ApplicantForm):
    """Refuse at intake (form 03)."""

    reject_reason = forms.CharField(label=_("Lý do từ chối tiếp nhận"), widget=TEXTAREA)


class GuidanceForm(StaffForm):
    kind = forms.ChoiceField(choices=GuidanceKind.choices)
    procedure_code = forms.CharField(max_length=32, required=False)
    note = forms.CharField(max_length=500, required=False)


def checked_document(upload: Any) -> Any:
    """A result or a draft as uploaded by staff, checked by the one rule for a dossier's
    documents (``dossiers.uploads.result_file_check``, which the API and the services apply
    too), its refusal shown beside the field."""
    if upload is None:
        return upload
    try:
        result_file_check(upload)
    except UploadRefused as exc:
        raise forms.ValidationError(str(exc)) from exc
    return upload


def _document_field(label: Any) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        validators=[
            FileExtensionValidator(
                RESULT_EXTENSIONS,
                message=_(
                    "Không nhận tệp có đuôi “%(extension)s”. Tệp kết quả phải là một trong "
                    "các loại: %(allowed_extensions)s."
                ),
            )
        ],
    )


class HandoverForm(VersionedForm):
    # Text as typed (an agency's name or code from the suggestions, or a unit outside the
    # register): ``dossier_handover`` resolves it once, as it does the API's.
    to_unit = forms.CharField(
        label=_("Chuyển đến đơn vị"),
        max_length=255,
        required=False,
        widget=forms.TextInput(attrs={"list": "unit-list", "autocomplete": "off"}),
    )
    # Radio buttons, not a select: a step's name ("Bước tiếp theo: 2. Thẩm định hồ sơ, dự thảo
    # kết quả") is longer than the side column and a select cuts it off.
    step = forms.TypedChoiceField(
        label=_("Chuyển đến bước"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    # A person of the receiving unit: the dossier goes to their desk (``Dossier.assignee``).
    assignee = forms.TypedChoiceField(
        label=_("Người nhận"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Để trống: hồ sơ ở bàn chung của đơn vị nhận."),
    )
    note = forms.CharField(
        label=_("Ý kiến, đề xuất gửi bước sau"), max_length=500, required=False, widget=TEXTAREA
    )
    draft_file = _document_field(_("Dự thảo kèm theo (PDF, DOCX, ảnh; tối đa 20 MB)"))

    def clean_draft_file(self) -> Any:
        return checked_document(self.cleaned_data.get("draft_file"))

    def __init__(
        self,
        *args: Any,
        step_choices: list[tuple[int, str]] = (),  # type: ignore[assignment]
        people: list[tuple[str, list[tuple[int, str]]]] = (),  # type: ignore[assignment]
        default_label: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        step_field = self.fields["step"]
        assert isinstance(step_field, forms.ChoiceField)
        # The empty choice is the workflow's next step; the others are what the services
        # allow this user (back for rework; ahead for a leader).
        step_field.choices = [("", default_label or _("— Theo quy trình —")), *step_choices]
        people_field = self.fields["assignee"]
        assert isinstance(people_field, forms.ChoiceField)
        # Grouped by unit (an <optgroup> each): the people of the units a dossier can go to.
        people_field.choices = [("", _("— Cả đơn vị —")), *people]


class SendBackForm(VersionedForm):
    reason = forms.CharField(label=_("Lý do trả lại, nội dung cần xử lý lại"), widget=TEXTAREA)


class SupplementForm(VersionedForm):
    items = forms.CharField(
        label=_("Nội dung cần bổ sung (mỗi dòng một nội dung)"), widget=TEXTAREA
    )
    reason = forms.CharField(label=_("Lý do"), widget=TEXTAREA)

    def item_list(self) -> list[str]:
        return _lines(self.cleaned_data["items"])


class SupplementReceivedForm(VersionedForm):
    note = forms.CharField(label=_("Giấy tờ đã nhận bổ sung"), required=False, widget=TEXTAREA)


class ExtendForm(VersionedForm):
    new_due_date = forms.DateField(
        label=_("Ngày hẹn trả mới"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Lý do chậm trễ (ghi trong thư xin lỗi)"), widget=TEXTAREA)

    def new_due_at(self) -> dt.datetime:
        # The appointment is the end of office hours of the chosen day, as for due dates
        # (domain.md §5).
        day: dt.date = self.cleaned_data["new_due_date"]
        return timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))


class FinishForm(VersionedForm):
    result_file = _document_field(_("Tệp kết quả (PDF, DOCX, ảnh; tối đa 20 MB)"))
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)
    late_reason = forms.CharField(
        label=_("Lý do trễ hạn (nếu trễ)"), required=False, widget=TEXTAREA
    )

    def clean_result_file(self) -> Any:
        return checked_document(self.cleaned_data.get("result_file"))


class RefuseForm(VersionedForm):
    reason = forms.CharField(label=_("Lý do trả lại hồ sơ"), widget=TEXTAREA)


class WithdrawForm(VersionedForm):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ (theo đề nghị của người nộp)"), required=False, widget=TEXTAREA
    )


class DeliverForm(VersionedForm):
    channel = forms.ChoiceField(
        label=_("Hình thức trả"),
        choices=DeliveryChannel.choices,
        initial=DeliveryChannel.COUNTER,
        widget=forms.RadioSelect,
    )
    reference = forms.CharField(
        label=_("Số hiệu bưu gửi (khi trả qua bưu chính)"), max_length=100, required=False
    )


class AcceptForm(VersionedForm):
    pass


class DigitiseForm(VersionedForm):
    """Scans added later to a part of an open dossier (``dossier_part_digitise``)."""

    # A part of the dossier by id: the view finds it among the dossier's parts (the choices
    # are only what the page offers).
    part = forms.IntegerField(label=_("Thành phần hồ sơ"), widget=forms.Select)
    scans = MultipleFileField(label=_("Bản quét (PDF, JPEG, PNG; chọn được nhiều tệp)"))

    def __init__(self, *args: Any, parts: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["part"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = list(parts)

    def clean_scans(self) -> list[CheckedUpload]:
        uploads = self.cleaned_data.get("scans") or []
        if not uploads:
            raise forms.ValidationError(_("Phải chọn ít nhất một tệp bản quét."))
        return checked_scans(uploads)

    def part_files(self) -> list[PartFile]:
        return scan_files(self.cleaned_data["scans"])


# An <input type="date"> shows only an ISO value, whatever the language's date format.
ISO_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("Từ ngày"), required=False, widget=ISO_DATE)
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=ISO_DATE)
