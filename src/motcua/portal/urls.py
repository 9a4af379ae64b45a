"""The citizen portal, at the site's root (Vietnamese paths: what citizens type and read)."""

from django.urls import URLPattern, URLResolver, path

from motcua.portal import views

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("bang-xep-hang/", views.scoreboard, name="scoreboard"),
    path("thu-tuc/", views.procedure_list, name="procedures"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
    path("thu-tuc/<str:code>/in/", views.procedure_print, name="procedure_print"),
    path("thu-tuc/<str:code>/mau/<int:form_id>/", views.procedure_form, name="procedure_form"),
    path("thu-tuc/<str:code>/nop/", views.submit, name="submit"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("ca-nhan/dang-ky/", views.register, name="register"),
    path("ca-nhan/dang-ky/da-gui/", views.registered, name="registered"),
    path("ca-nhan/dang-nhap/", views.citizen_login, name="login"),
    path("ca-nhan/vneid/", views.oidc_start, name="oidc_start"),
    path("ca-nhan/vneid/ve/", views.oidc_callback, name="oidc_callback"),
    path("ca-nhan/tai-khoan/", views.account, name="account"),
    path("ca-nhan/quen-mat-khau/", views.password_forgot, name="password_forgot"),
    path("ca-nhan/quen-mat-khau/dat-lai/", views.password_reset, name="password_reset"),
    path("ca-nhan/ho-so/", views.my_dossiers, name="my_dossiers"),
    path("ca-nhan/ho-so/<str:code>/", views.my_dossier, name="my_dossier"),
    path("ca-nhan/ho-so/<str:code>/rut-ho-so/", views.my_dossier_withdraw, name="my_withdraw"),
    path("ca-nhan/ho-so/<str:code>/tep/<int:document_id>/", views.my_dossier_file, name="my_file"),
    path("ca-nhan/kho/", views.my_documents, name="my_documents"),
    path("ca-nhan/kho/<int:pk>/", views.my_document_file, name="my_document"),
    path("ca-nhan/kho/<int:pk>/xoa/", views.my_document_delete, name="my_document_delete"),
]
