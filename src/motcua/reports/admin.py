from django.contrib import admin

from motcua.reports.models import IndicatorWeight


@admin.register(IndicatorWeight)
class IndicatorWeightAdmin(admin.ModelAdmin):
    list_display = ["code", "group", "name", "points", "threshold", "confirmed"]
    list_editable = ["points", "threshold", "confirmed"]
    list_filter = ["group", "confirmed"]


from motcua.reports.textblocks import ReportTextBlock, ReportTextBlockAdmin  # noqa: E402

admin.site.register(ReportTextBlock, ReportTextBlockAdmin)
