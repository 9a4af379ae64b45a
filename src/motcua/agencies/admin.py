"""Administration of agencies in Vietnamese. Writes go through agencies.services so that the
materialised path of an agency and of everything under it stays right."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.agencies.contacts import (
    CONTACT_FIELDS,
    agency_contact_problems,
    agency_contact_save,
)
from motcua.agencies.models import Agency, AgencyContact, Letterhead
from motcua.agencies.services import UPDATABLE_FIELDS, agency_create, agency_update


class ValidityFilter(admin.SimpleListFilter):
    title = _("hiệu lực")
    parameter_name = "hieu_luc"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("current", _("Đang có hiệu lực")),
            ("expired", _("Đã hết hiệu lực")),
            ("future", _("Chưa có hiệu lực")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.filter(
                Q(valid_from__isnull=True) | Q(valid_from__lte=today),
                Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            )
        if self.value() == "expired":
            return queryset.filter(valid_to__lt=today)
        if self.value() == "future":
            return queryset.filter(valid_from__gt=today)
        return queryset


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = (
            "code",
            "name",
            "short_name",
            "level",
            "kind",
            "parent",
            "valid_from",
            "valid_to",
            "successor",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent: Agency | None = data.get("parent")
        agency = self.instance
        cycle = (
            parent is not None
            and agency.pk is not None
            and (
                parent.pk == agency.pk or bool(agency.path and parent.path.startswith(agency.path))
            )
        )
        if cycle:
            self.add_error(
                "parent",
                _("Không thể chọn chính cơ quan này hoặc đơn vị trực thuộc nó làm cấp trên."),
            )
        successor: Agency | None = data.get("successor")
        if successor is not None and agency.pk is not None and successor.pk == agency.pk:
            self.add_error("successor", _("Cơ quan không thể là cơ quan kế thừa của chính nó."))
        return data


class LetterheadInline(admin.TabularInline):
    """What the agency's documents print, from a date (``agencies.letterheads``): a new row
    from the date of a change keeps earlier documents as they were printed."""

    model = Letterhead
    extra = 0
    fields = (
        "valid_from",
        "superior",
        "unit_name",
        "place_name",
        "head_title",
        "abbreviation",
    )


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    inlines = (LetterheadInline,)
    list_display = (
        "code",
        "name",
        "level",
        "kind",
        "parent",
        "valid_from",
        "valid_to",
        "successor",
    )
    list_filter = ("level", "kind", ValidityFilter)
    search_fields = ("code", "name", "short_name")
    autocomplete_fields = ("parent", "successor")
    readonly_fields = ("path",)
    list_select_related = ("parent", "successor")
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "level", "kind", "parent")}),
        (_("Hiệu lực"), {"fields": ("valid_from", "valid_to", "successor")}),
        (_("Kỹ thuật"), {"fields": ("path",), "classes": ("collapse",)}),
    )

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        if not change:
            created = agency_create(
                code=obj.code,
                name=obj.name,
                short_name=obj.short_name,
                level=obj.level,
                kind=obj.kind,
                parent=obj.parent,
                valid_from=obj.valid_from,
                valid_to=obj.valid_to,
                successor=obj.successor,
            )
            obj.pk, obj.path = created.pk, created.path
            return
        original = Agency.objects.get(pk=obj.pk)
        changes = {
            name: getattr(obj, name) for name in UPDATABLE_FIELDS if name in form.changed_data
        }
        updated = agency_update(agency=original, **changes)
        obj.path = updated.path


class AgencyContactForm(forms.ModelForm):
    # https only (the service's rule); declared to say so rather than let Django assume http.
    map_url = forms.URLField(
        label=_("đường dẫn bản đồ"), max_length=500, required=False, assume_scheme="https"
    )

    class Meta:
        model = AgencyContact
        fields = ("agency", *CONTACT_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {name: data[name] for name in CONTACT_FIELDS if data.get(name) is not None}
        for name, problem in agency_contact_problems(values).items():
            if name not in self.errors:
                self.add_error(name, problem)
        return data


@admin.register(AgencyContact)
class AgencyContactAdmin(admin.ModelAdmin):
    """Where the public reaches an agency (shown on the procedure pages and the printed
    notice); saved by ``agencies.contacts.agency_contact_save``, like the import, audited."""

    form = AgencyContactForm
    list_display = ("agency", "address", "phone", "hotline")
    search_fields = ("agency__code", "agency__name", "address")
    autocomplete_fields = ("agency",)
    list_select_related = ("agency",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A contact belongs to its agency: another agency's contact is a new row.
        return ("agency",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # emptied fields say "no contact"; there is no delete path to audit

    def save_model(self, request: HttpRequest, obj: AgencyContact, form: Any, change: bool) -> None:
        saved, _changed = agency_contact_save(
            agency=obj.agency,
            values={name: form.cleaned_data.get(name) or "" for name in CONTACT_FIELDS},
            actor=request.user,
        )
        obj.pk = saved.pk
