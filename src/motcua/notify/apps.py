from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "motcua.notify"
    verbose_name = "Thông báo"
