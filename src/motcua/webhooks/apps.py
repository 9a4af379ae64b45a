from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "motcua.webhooks"
    verbose_name = "Webhook (sự kiện gửi đi)"
