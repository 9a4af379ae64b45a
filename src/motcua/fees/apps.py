from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "motcua.fees"
    label = "fees"
    verbose_name = "Phí, lệ phí và thanh toán"

    def ready(self) -> None:
        from motcua.dossiers.listeners import event_listener_register
        from motcua.fees.services import fee_on_dossier_event

        # The fee is assessed when the dossier is submitted or received, in the event's
        # transaction; an online payment is refunded when the dossier is refused at intake.
        event_listener_register("fees", fee_on_dossier_event)
