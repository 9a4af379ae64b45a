from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "motcua.office"
    verbose_name = "Ứng dụng cán bộ"
