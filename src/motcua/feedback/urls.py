"""Complaints and petitions (PAKN), under ``/phan-anh/``."""

from django.urls import URLPattern, URLResolver, path

from motcua.feedback import views

app_name = "feedback"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.public_list, name="public_list"),
    path("gui/", views.submit, name="submit"),
    path("tra-cuu/", views.lookup, name="lookup"),
    path("can-bo/", views.staff_list, name="staff_list"),
    path("can-bo/danh-gia/", views.staff_ratings, name="staff_ratings"),
    path("can-bo/<str:code>/", views.staff_detail, name="staff_detail"),
    path("<str:code>/", views.public_detail, name="public_detail"),
]
