from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from motcua.reports.models import IndicatorWeight, ReportSubmission
from motcua.reports.sending import report_submission_resend


@admin.register(IndicatorWeight)
class IndicatorWeightAdmin(admin.ModelAdmin):
    list_display = ["code", "group", "name", "points", "threshold", "confirmed"]
    list_editable = ["points", "threshold", "confirmed"]
    list_filter = ["group", "confirmed"]


from motcua.reports.textblocks import ReportTextBlock, ReportTextBlockAdmin  # noqa: E402

admin.site.register(ReportTextBlock, ReportTextBlockAdmin)


# The send log of the Government reporting link (reports.sending): read only, with a resend.


@admin.register(ReportSubmission)
class ReportSubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "period",
        "kind",
        "agency",
        "version",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "response_id",
    ]
    list_filter = ["status", "kind", "period"]
    search_fields = ["period", "agency__code", "response_id", "sha256"]
    list_select_related = ["agency"]
    actions = ["resend"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ReportSubmission | None = None
    ) -> bool:
        return False  # a frozen version is never edited

    def has_delete_permission(
        self, request: HttpRequest, obj: ReportSubmission | None = None
    ) -> bool:
        return False

    def has_resend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("reports.change_reportsubmission")

    @admin.action(description=_("Gửi lại lên Hệ thống báo cáo Chính phủ"), permissions=["resend"])
    def resend(self, request: HttpRequest, queryset: QuerySet[ReportSubmission]) -> None:
        count = sum(
            report_submission_resend(submission=row, actor=request.user)
            for row in queryset.select_related("agency")
        )
        self.message_user(
            request,
            ngettext(
                "Đã đưa %(count)d báo cáo vào hàng đợi gửi lại (chỉ phiên bản mới nhất).",
                "Đã đưa %(count)d báo cáo vào hàng đợi gửi lại (chỉ phiên bản mới nhất).",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
