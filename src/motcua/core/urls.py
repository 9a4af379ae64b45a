from django.urls import path

from motcua.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("phien/", views.staff_session, name="staff_session"),
]
