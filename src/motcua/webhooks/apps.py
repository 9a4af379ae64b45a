from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "motcua.webhooks"
    verbose_name = "Webhook (sự kiện gửi đi)"

    def ready(self) -> None:
        from motcua.dossiers.listeners import event_listener_register
        from motcua.webhooks.services import webhook_deliveries_queue

        # Events out: one delivery per matching subscription, in the event's transaction.
        event_listener_register("webhooks", webhook_deliveries_queue)
