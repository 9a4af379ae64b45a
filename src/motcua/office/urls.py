"""The staff application's addresses (Vietnamese, under /can-bo/)."""

from django.urls import URLPattern, URLResolver, path

from motcua.office import audit, fees_report, period_report
from motcua.office.views import counter, dashboard, dossier, inbox

app_name = "office"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", inbox.inbox, name="inbox"),
    path("ho-so/<str:code>/", dossier.dossier_detail, name="dossier"),
    path("ho-so/<str:code>/mau-<str:form>/", dossier.dossier_form, name="dossier_form"),
    path("ho-so/<str:code>/tiep-nhan/", dossier.dossier_accept, name="accept"),
    path("ho-so/<str:code>/tu-choi-tiep-nhan/", dossier.dossier_reject, name="reject"),
    path(
        "ho-so/<str:code>/yeu-cau-hoan-thien/",
        dossier.dossier_request_completion,
        name="completion",
    ),
    path("ho-so/<str:code>/rut-ho-so/", dossier.dossier_withdraw, name="withdraw"),
    path("ho-so/<str:code>/chuyen-xu-ly/", dossier.dossier_handover, name="handover"),
    path(
        "ho-so/<str:code>/yeu-cau-bo-sung/", dossier.dossier_request_supplement, name="supplement"
    ),
    path(
        "ho-so/<str:code>/nhan-bo-sung/",
        dossier.dossier_receive_supplement,
        name="supplement_received",
    ),
    path("ho-so/<str:code>/gia-han/", dossier.dossier_extend, name="extend"),
    path("ho-so/<str:code>/co-ket-qua/", dossier.dossier_finish, name="finish"),
    path("ho-so/<str:code>/tep-ket-qua/", dossier.result_file, name="result_file"),
    path("ho-so/<str:code>/giay-to/<int:document_id>/", dossier.document_file, name="document"),
    path(
        "ho-so/<str:code>/du-thao/<int:position>/",
        dossier.handover_draft,
        name="handover_draft",
    ),
    path("ho-so/<str:code>/tra-lai/", dossier.dossier_refuse, name="refuse"),
    path("ho-so/<str:code>/tra-lai-buoc-truoc/", dossier.dossier_send_back, name="send_back"),
    path("ho-so/<str:code>/dung-giai-quyet/", dossier.dossier_stop, name="stop"),
    path("ho-so/<str:code>/hoan-thien/", dossier.dossier_complete, name="complete"),
    path("ho-so/<str:code>/tra-ket-qua/", dossier.dossier_deliver, name="deliver"),
    path("ho-so/<str:code>/so-hoa/", dossier.dossier_digitise, name="digitise"),
    path("quay/", counter.counter, name="counter"),
    path("quay/tim-thu-tuc/", counter.procedure_search, name="procedure_search"),
    path("quay/thu-tuc/<int:version_id>/", counter.counter_procedure, name="counter_procedure"),
    path("quay/huong-dan/", counter.guidance, name="guidance"),
    path("quay/huong-dan/<int:guidance_id>/phieu/", counter.guidance_sheet, name="guidance_sheet"),
    path("quay/tra-ket-qua/", counter.counter_results, name="counter_results"),
    path("quay/so-theo-doi/", counter.register, name="register"),
    path("lanh-dao/", dashboard.dashboard, name="dashboard"),
    path("lanh-dao/bieu-do/<slug:key>.svg", dashboard.dashboard_chart, name="dashboard_chart"),
    path("lanh-dao/bao-cao/", period_report.report_list, name="report_list"),
    path("lanh-dao/phi-le-phi/", fees_report.fees_report, name="fees_report"),
    path("lanh-dao/bao-cao/lap/", period_report.report_request, name="report_request"),
    path("lanh-dao/bao-cao/<int:pk>/", period_report.report_download, name="report_download"),
    path("nhat-ky/", audit.audit_search, name="audit"),
]
