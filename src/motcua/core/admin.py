"""Accounts in the Django admin: a user's staff profile (agency and role) is edited on the
user's page; the audit trail is read-only; failed logins can be deleted to lift a lock."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from motcua.core.accounts import login_unlock
from motcua.core.models import AuditEvent, LoginFailure, LoginScope, StaffProfile


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = True
    autocomplete_fields = ["agency"]
    extra = 0
    max_num = 1


class StaffUserAdmin(UserAdmin):
    inlines = [StaffProfileInline]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "staff_role",
        "staff_agency",
        "is_active",
    ]
    list_select_related = ["staff_profile__agency"]
    list_filter = ["is_active", "staff_profile__role"]

    @admin.display(description="vai trò")
    def staff_role(self, user: User) -> str:
        profile = getattr(user, "staff_profile", None)
        return profile.get_role_display() if profile else ""

    @admin.display(description="cơ quan, đơn vị")
    def staff_agency(self, user: User) -> str:
        profile = getattr(user, "staff_profile", None)
        return profile.agency.name if profile else ""


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id", "ip"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "actor_label"]
    date_hierarchy = "at"

    # Appended only (core.audit.audit_log): nobody edits or deletes history here.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["scope", "realm", "username", "ip", "at", "locked_until"]
    list_filter = ["scope", "realm"]
    search_fields = ["username", "ip"]
    actions = ["unlock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Mở khóa đăng nhập (tên đăng nhập, địa chỉ đã chọn)"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[LoginFailure]) -> None:
        lifted = 0
        for row in queryset.exclude(scope=LoginScope.KNOWN):
            lifted += login_unlock(actor=request.user, username=row.username, ip=row.ip)
        self.message_user(request, gettext("Đã mở %(n)d khóa đăng nhập.") % {"n": lifted})
