from django.urls import path

from motcua.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-nhap/sso/", views.sso_start, name="sso_start"),
    path("dang-nhap/sso/ve/", views.sso_callback, name="sso_callback"),
    path("dang-nhap/ma-xac-thuc/", views.login_code, name="login_code"),
    path("phien/", views.staff_session, name="staff_session"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("xac-thuc-hai-buoc/", views.otp_setup, name="otp_setup"),
]
