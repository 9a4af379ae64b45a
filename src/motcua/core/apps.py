from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    verbose_name = "Lõi hệ thống"
