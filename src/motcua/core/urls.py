from django.urls import path

from motcua.core import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
