from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "motcua.integrations"
    verbose_name = _("Liên thông")

    def ready(self) -> None:
        from motcua.dossiers.listeners import event_listener_register
        from motcua.integrations.queue import portal_push_queue

        # The national portal's status is queued with every dossier event (same transaction).
        event_listener_register("dvcqg", portal_push_queue)
