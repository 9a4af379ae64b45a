"""``/api/``: the JSON API (see ``motcua.api.main``)."""

from django.urls import URLPattern, URLResolver, path

from motcua.api.main import api

urlpatterns: list[URLPattern | URLResolver] = [path("", api.urls)]
