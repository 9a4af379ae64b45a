"""Administration of the catalogue in Vietnamese: fields, procedures and their versions with
the internal workflow and the dossier parts inline.

A version that no dossier refers to yet is edited in place (corrections). A version that
dossiers pin is read-only except for ``valid_to`` (closing it changes nothing a dossier was
judged by); the action "Tạo phiên bản mới" copies it into a new, editable version that
replaces it, so that those dossiers keep the rules they were received under.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from motcua.agencies.admin import ValidityFilter
from motcua.agencies.models import AgencyKind, Level
from motcua.catalog.admin_guides import BlankFormRows, GuideForm, guide_initial, guide_inputs
from motcua.catalog.guides import GuideError, procedure_guide_save
from motcua.catalog.models import (
    Field,
    Part,
    Procedure,
    ProcedureVersion,
    ProvinceWideListing,
    WorkflowStep,
)
from motcua.catalog.services import (
    procedure_version_copy,
    procedure_version_is_pinned,
    province_wide_listing_save,
)
from motcua.core.formatting import vn_decimal
from motcua.core.text import fold
from motcua.workdays.clock import legal_time_in_working_hours


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("name",)
    search_fields = ("name",)


class StepFormSet(forms.BaseInlineFormSet):
    """Refuses a workflow whose step budgets add up to more than the legal time
    (domain.md §3: the budgets add up to the legal time)."""

    def clean(self) -> None:
        super().clean()
        version: ProcedureVersion = self.instance
        if version.duration is None or not version.unit:
            return  # the version form itself is invalid and says so
        total = Decimal(0)
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if form.cleaned_data.get("DELETE"):
                continue
            total += form.cleaned_data.get("hours") or 0
        limit = legal_time_in_working_hours(version.duration, version.unit)
        if total > limit:
            raise ValidationError(
                _(
                    "Tổng thời gian các bước (%(total)s giờ làm việc) vượt quá thời hạn giải "
                    "quyết theo quy định (%(limit)s giờ làm việc)."
                ),
                params={"total": _hours(total), "limit": _hours(limit)},
                code="budget_overflow",
            )


def _hours(value: Decimal) -> str:
    places = 0 if value == value.to_integral_value() else 2
    return vn_decimal(value, places)


class PinnedReadOnlyInline(admin.TabularInline):
    """Steps and parts of a version that dossiers pin are shown, not edited."""

    def _pinned(self, obj: Any) -> bool:
        return isinstance(obj, ProcedureVersion) and procedure_version_is_pinned(obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._pinned(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._pinned(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._pinned(obj) and super().has_delete_permission(request, obj)


class WorkflowStepInline(PinnedReadOnlyInline):
    model = WorkflowStep
    formset = StepFormSet
    extra = 0
    fields = ("position", "name", "unit", "unit_label", "hours", "kind")
    autocomplete_fields = ("unit",)
    ordering = ("position",)


class PartInline(PinnedReadOnlyInline):
    model = Part
    extra = 0
    fields = ("position", "name", "copies", "kind", "reusable")
    ordering = ("position",)


class InForceFilter(ValidityFilter):
    title = _("hiệu lực")


class SupersededFilter(admin.SimpleListFilter):
    title = _("phiên bản")
    parameter_name = "thay_the"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("live", _("Đang dùng")), ("superseded", _("Đã bị thay thế"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "live":
            return queryset.filter(superseded_at__isnull=True)
        if self.value() == "superseded":
            return queryset.filter(superseded_at__isnull=False)
        return queryset


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = (
        "procedure",
        "number",
        "name",
        "agency",
        "level",
        "duration",
        "unit",
        "online",
        "valid_from",
        "valid_to",
    )
    list_filter = (
        "level",
        "online",
        "unit",
        "linked",
        "one_stop",
        InForceFilter,
        SupersededFilter,
        "field",
    )
    search_fields = ("procedure__code", "name", "agency__name", "agency__code")
    list_select_related = ("procedure", "agency")
    autocomplete_fields = ("procedure", "field", "agency")
    readonly_fields = ("search_text", "created_at", "superseded_at", "guide_link")
    inlines = (WorkflowStepInline, PartInline)
    actions = ("copy_as_new_version",)
    fieldsets = (
        (None, {"fields": ("procedure", "number", "name", "field", "agency", "level")}),
        (
            _("Thời hạn giải quyết"),
            {"fields": ("duration", "unit", "cutoff")},
        ),
        (
            _("Dịch vụ công trực tuyến"),
            {"fields": ("online", "national_portal", "online_payment")},
        ),
        (
            _("Cách thực hiện"),
            {
                "fields": (
                    "one_stop",
                    "linked",
                    "fee",
                    "result_type",
                    "electronic_result",
                    "result_validity_months",
                    "legal_basis",
                )
            },
        ),
        (_("Hướng dẫn người nộp hồ sơ"), {"fields": ("guide_link",)}),
        (
            _("Hiệu lực"),
            {"fields": ("valid_from", "valid_to", "superseded_at", "created_at")},
        ),
        (_("Kỹ thuật"), {"fields": ("search_text",), "classes": ("collapse",)}),
    )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[ProcedureVersion], search_term: str
    ) -> tuple[QuerySet[ProcedureVersion], bool]:
        # Also match without diacritics: "giay phep xay dung" finds "Giấy phép xây dựng".
        qs, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = fold(search_term).split()
        if words:
            folded = Q()
            for word in words:
                folded &= Q(search_text__contains=word)
            qs = qs | queryset.filter(folded)
        return qs, may_have_duplicates

    def get_readonly_fields(self, request: HttpRequest, obj: ProcedureVersion | None = None) -> Any:
        if obj is not None and obj.pk is not None and procedure_version_is_pinned(obj):
            editable = {"valid_to"}
            fixed = [f.name for f in obj._meta.concrete_fields if f.name not in editable | {"id"}]
            return [*fixed, "guide_link"]
        return self.readonly_fields

    # --- the guide (conditions, applicant steps, blank forms): a page of its own -----------

    @admin.display(description=_("điều kiện, trình tự, mẫu đơn"))
    def guide_link(self, obj: ProcedureVersion) -> str:
        if obj.pk is None:
            return str(_("Lưu phiên bản trước, rồi sửa hướng dẫn."))
        url = reverse("admin:catalog_procedureversion_guide", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> ({})',
            url,
            _("Sửa yêu cầu, điều kiện, trình tự thực hiện và mẫu đơn, tờ khai"),
            _("%(n)s mẫu đơn, %(s)s bước")
            % {"n": obj.forms.count(), "s": len(obj.applicant_step_lines)},
        )

    def get_urls(self) -> list[URLPattern]:
        guide = path(
            "<int:object_id>/huong-dan/",
            self.admin_site.admin_view(self.guide_view),
            name="catalog_procedureversion_guide",
        )
        return [guide, *super().get_urls()]

    def guide_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Edit the guide of a version; saved by ``procedure_guide_save`` (audited). A version
        that dossiers pin is edited too: the guide is what citizens read, not a rule a
        dossier was judged by."""
        version = self.get_object(request, str(object_id))
        if version is None:
            raise Http404
        if not self.has_change_permission(request, version):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        initial, rows_initial = guide_initial(version)
        if request.method == "POST":
            form = GuideForm(request.POST)
            rows = BlankFormRows(request.POST, request.FILES, initial=rows_initial, prefix="mau")
            if form.is_valid() and rows.is_valid():
                try:
                    changed = procedure_guide_save(
                        version=version,
                        conditions=form.cleaned_data["conditions"],
                        steps=form.cleaned_data["steps"].splitlines(),
                        forms=guide_inputs(version, rows),
                        actor=request.user,
                    )
                except GuideError as exc:
                    form.add_error(None, str(exc))
                else:
                    self.message_user(
                        request,
                        _("Đã lưu hướng dẫn của thủ tục.")
                        if changed
                        else _("Hướng dẫn không thay đổi."),
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(
                        reverse("admin:catalog_procedureversion_change", args=[version.pk])
                    )
        else:
            form = GuideForm(initial=initial)
            rows = BlankFormRows(initial=rows_initial, prefix="mau")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": version,
            "title": _("Hướng dẫn người nộp hồ sơ: %(name)s") % {"name": version},
            "form": form,
            "rows": rows,
            "media": self.media + form.media + rows.media,
            "forms_by_pk": {f.pk: f for f in version.forms.all()},
        }
        return render(request, "admin/catalog/procedureversion/guide.html", context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        obj = self.get_object(request, object_id)
        if request.method == "GET" and obj is not None and procedure_version_is_pinned(obj):
            messages.warning(
                request,
                _(
                    "Phiên bản này đã được hồ sơ sử dụng nên chỉ sửa được ngày hết hiệu lực. "
                    "Để thay đổi nội dung, chọn thao tác “Tạo phiên bản mới” trong danh sách."
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Tạo phiên bản mới (sao chép) thay cho các phiên bản đã chọn"))
    def copy_as_new_version(
        self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]
    ) -> None:
        live = list(queryset.filter(superseded_at__isnull=True).select_related("procedure"))
        for version in live:
            procedure_version_copy(version=version, actor=request.user)
        self.message_user(
            request,
            _("Đã tạo %(count)d phiên bản mới; các phiên bản cũ được giữ cho hồ sơ đã nhận.")
            % {"count": len(live)},
            messages.SUCCESS,
        )

    def save_model(
        self, request: HttpRequest, obj: ProcedureVersion, form: Any, change: bool
    ) -> None:
        obj.search_text = fold(obj.name)
        super().save_model(request, obj, form, change)


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    show_change_link = True
    can_delete = False
    fields = readonly_fields = (
        "number",
        "name",
        "agency",
        "valid_from",
        "valid_to",
        "superseded_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "current_name")
    search_fields = ("code", "versions__search_text", "versions__name")
    inlines = (VersionInline,)

    @admin.display(description=_("tên thủ tục"))
    def current_name(self, obj: Procedure) -> str:
        today = timezone.localdate()
        version = (
            obj.versions.filter(superseded_at__isnull=True)
            .valid_on(today)
            .order_by("-number")
            .first()
            or obj.versions.order_by("-number").first()
        )
        return version.name if version else ""


@admin.register(ProvinceWideListing)
class ProvinceWideListingAdmin(admin.ModelAdmin):
    """The province's list of procedures received regardless of administrative boundaries
    (ND 118/2025), row by row; ``motcua import province-wide`` loads a decision's list."""

    list_display = ("procedure", "decision", "valid_from", "valid_to", "province")
    list_filter = ("province", "decision")
    search_fields = ("procedure__code", "decision")
    autocomplete_fields = ("procedure",)
    date_hierarchy = "valid_from"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "province":
            from motcua.agencies.models import Agency

            kwargs["queryset"] = Agency.objects.filter(
                kind=AgencyKind.PEOPLE_COMMITTEE, level=Level.PROVINCE
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: ProvinceWideListing, form: Any, change: bool
    ) -> None:
        saved, _changed = province_wide_listing_save(
            province=obj.province,
            procedure=obj.procedure,
            decision=obj.decision,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            actor=request.user,
            listing=obj if change else None,
        )
        obj.pk = saved.pk
