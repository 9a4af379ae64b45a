"""Ratings, under ``/danh-gia/``: per dossier (link with the secret) and counter tablets."""

from django.urls import URLPattern, URLResolver, path

from motcua.feedback import views

app_name = "rating"
urlpatterns: list[URLPattern | URLResolver] = [
    path("quay/<str:token>/", views.kiosk, name="kiosk"),
    path("<str:code>/", views.rate, name="rate"),
]
